#!/bin/sh
# Run each test binary given, at the same time (each into its own file),
# then print their KTAP in the order given and close with the totals of
# all of them: "total: N passed, N failed".  They share nothing but the
# CPU, so a two-core machine runs the suite in about half the time.
passed=0
failed=0
status=0
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
i=0
for bin in "$@"; do
	i=$((i + 1))
	("$bin" >"$dir/$i.out" 2>&1; echo $? >"$dir/$i.rc") &
done
wait
i=0
for bin in "$@"; do
	i=$((i + 1))
	out="$dir/$i.out"
	rc=$(cat "$dir/$i.rc")
	echo "# running $bin"
	cat "$out"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
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
