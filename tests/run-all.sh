#!/bin/sh
# Run each test binary given, print its KTAP, and close with the totals of
# all of them: "total: N passed, N failed".
passed=0
failed=0
status=0
for bin in "$@"; do
	echo "# running $bin"
	out=$(mktemp)
	"$bin" >"$out" 2>&1
	rc=$?
	cat "$out"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
	rm -f "$out"
	if [ -z "$line" ]; then
		echo "# $bin did not finish (exit $rc)"
		failed=$((failed + 1))
		status=1
		continue
	fi
	p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
	passed=$((passed + p))
	failed=$((failed + f))
	[ "$rc" -ne 0 ] && status=1
done
echo "total: $passed passed, $failed failed"
exit $status
