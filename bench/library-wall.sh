#!/bin/sh
# The scale goal for the library: every bundled scenario under every
# design, the way make run runs it (kfp check --jobs, one cell per core),
# wall-clock seconds against the goal of 5 s on a 2-core machine.
#   sh bench/library-wall.sh [KFP]
KFP=${1:-./build/normal/kfp}
start=$(date +%s.%N)
"$KFP" check --jobs "$(nproc)" scenarios >/dev/null
status=$?
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" -v n="$(nproc)" -v rc="$status" 'BEGIN {
	w = e - s
	printf "the bundled library, kfp check --jobs %d: %.2f s wall (goal <= 5 s on 2 cores: %s)%s\n",
	       n, w, w <= 5 ? "met" : "NOT MET", rc ? ", kfp exited " rc : ""
}'
