#!/bin/sh
# Both libFuzzer targets for a short, bounded time: fuzz-scenario (the
# parser) and fuzz-explore (what parses, explored under every design and
# every schedule replayed), each from the bundled scenarios as its seed
# corpus, with a fixed seed and a fixed number of runs (the seeds
# included), and a time cap (FUZZ_MAX_SECONDS) only as a safety net on a
# slow machine.  fuzz-explore runs each input under every design and
# replays every schedule: about 20 ms an input where fuzz-scenario takes
# 20 us, so it gets fewer runs (FUZZ_EXPLORE_RUNS, FUZZ_SCENARIO_RUNS).
# Where clang cannot link -fsanitize=fuzzer, make check did not build the
# targets and each test says SKIP.  A crash or a finding fails the test;
# libFuzzer leaves the input as $1/<target>-crash-* to reproduce it with
# "$1/<target> FILE".
# KTAP output, closing with "N passed, N failed".  $1: the fuzz build directory.
FUZZ=${1:-build/fuzz}
MAX_SECONDS=${FUZZ_MAX_SECONDS:-60}
n=0
passed=0
failed=0
skipped=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp/seeds"
for f in scenarios/*/*.kfp tests/scenario/good/*.kfp tests/scenario/bad/*.kfp; do
	[ -f "$f" ] && cp "$f" "$tmp/seeds/$(echo "$f" | tr / _)"
done

# fuzz NAME RUNS: run $FUZZ/NAME, print its KTAP line
fuzz() {
	n=$((n + 1))
	bin=$FUZZ/$1
	if [ ! -x "$bin" ]; then
		skipped=$((skipped + 1))
		echo "ok $n $1 # SKIP clang with libFuzzer (-fsanitize=fuzzer) not found"
		return
	fi
	mkdir -p "$tmp/$1"
	if "$bin" -seed=1 -runs="$2" -max_total_time="$MAX_SECONDS" -max_len=8192 -timeout=30 \
		-artifact_prefix="$FUZZ/$1-" "$tmp/$1" "$tmp/seeds" >"$tmp/$1.log" 2>&1; then
		passed=$((passed + 1))
		echo "ok $n $1"
		grep -E '^(#[0-9]+ +DONE|Done )' "$tmp/$1.log" | sed 's/^/# /'
	else
		failed=$((failed + 1))
		echo "not ok $n $1"
		tail -n 40 "$tmp/$1.log" | sed 's/^/# /'
	fi
}

fuzz fuzz-scenario "${FUZZ_SCENARIO_RUNS:-20000}" >"$tmp/results"
fuzz fuzz-explore "${FUZZ_EXPLORE_RUNS:-400}" >>"$tmp/results"
echo "KTAP version 1"
echo "1..$n"
cat "$tmp/results"
echo "# Totals: pass:$passed fail:$failed xfail:0 xpass:0 skip:$skipped error:0"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
