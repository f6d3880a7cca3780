#!/bin/sh
# The cost of sharding: for each N (default 2 8 64, or $SHARDS), the
# executions and steps of all N shards and of the largest one, against the
# unsharded search (run as its own single shard, 0/1, so that its JSON
# carries steps too).  Shards split the stateless search.
#   SHARDS="2 3 4" sh bench/shard-cost.sh [KFP] [PATH...]   (default: the bundled library)
KFP=${1:-./build/normal/kfp}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- scenarios
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

sum() { # field file -> the sum of every "field":N in file
	grep -o "\"$1\":[0-9]*" "$2" | awk -F: '{ s += $2 } END { printf "%d\n", s }'
}

"$KFP" check --json --search dpor --shard 0/1 "$@" >"$dir/full.json"
full_executions=$(sum executions "$dir/full.json")
full_steps=$(sum steps "$dir/full.json")
echo "unsharded: $full_executions executions, $full_steps steps"
for n in ${SHARDS:-2 8 64}; do
	executions=0
	steps=0
	largest=0
	i=0
	while [ $i -lt $n ]; do
		"$KFP" check --json --search dpor --shard $i/$n "$@" >"$dir/s.json"
		e=$(sum executions "$dir/s.json")
		s=$(sum steps "$dir/s.json")
		executions=$((executions + e))
		steps=$((steps + s))
		[ "$s" -gt "$largest" ] && largest=$s
		i=$((i + 1))
	done
	awk -v n=$n -v e=$executions -v fe=$full_executions -v s=$steps -v fs=$full_steps \
		-v l=$largest 'BEGIN {
		printf "N=%d: executions %d/%d = %.3f, steps %d/%d = %.2f, largest shard %.2f\n",
		       n, e, fe, e / fe, s, fs, s / fs, l / fs }'
done
