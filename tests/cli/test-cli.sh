#!/bin/sh
# End-to-end tests of the kfp command line: exit statuses, the bad-file
# corpus's messages, JSON (valid or absent: checked with python3 -m json.tool),
# replay round trips, signals, bounds, shards and kfp hunt.  KTAP output, closing with
# "N passed, N failed".
KFP=${KFP:-./build/normal/kfp}
n=0
passed=0
failed=0
skipped=0
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

# skip NAME REASON: a test this machine cannot run
skip() {
	n=$((n + 1))
	skipped=$((skipped + 1))
	echo "ok $n $1 # SKIP $2"
}

ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		passed=$((passed + 1))
		echo "ok $n $2"
	else
		failed=$((failed + 1))
		echo "not ok $n $2"
		sed 's/^/# /' "$err" | head -n 20
	fi
}

expect_status() { # expected-status name command...
	want=$1
	name=$2
	shift 2
	"$@" >"$out" 2>"$err"
	got=$?
	[ "$got" = "$want" ] || echo "expected exit $want, got $got" >>"$err"
	ok $([ "$got" = "$want" ] && echo 0 || echo 1) "$name"
}

# Round trip: every "LABEL: kfp replay ..." line in kfp check's output (file
# $1), run as printed, must replay to the reports printed under it, and exit
# 1 when one of them is an unaccepted violation, else 0.  Prints
# "replays N failed F" and, for each failure, the command on stderr.
round_trip() {
	file=$1
	total=0
	bad=0
	tmp=$(mktemp)
	want=$(mktemp)
	got=$(mktemp)
	grep -n ': kfp replay ' "$file" | cut -d: -f1 >"$tmp"
	while read -r line; do
		total=$((total + 1))
		cmd=$(sed -n "${line}p" "$file" | sed 's/^.*: kfp replay /replay /')
		# the indented report lines under the command
		sed -n "$((line + 1)),\$p" "$file" | sed -n '/^    /!q;s/^    //p' >"$want"
		eval "set -- $cmd"
		"$KFP" "$@" 2>&1 | grep -E '^step [0-9]+: |^[0-9]+ more reports not kept' >"$got"
		status=$("$KFP" "$@" >/dev/null 2>&1; echo $?)
		expected=0
		grep -v '(accepted)' "$want" | grep -q '^step ' && expected=1
		grep -q 'more reports not kept' "$want" && expected=$status
		if ! cmp -s "$want" "$got" || [ "$status" != "$expected" ]; then
			bad=$((bad + 1))
			echo "# round trip failed (exit $status, want $expected): $KFP $cmd" >&2
			diff "$want" "$got" | sed 's/^/# /' | head -n 10 >&2
		fi
	done <"$tmp"
	rm -f "$tmp" "$want" "$got"
	echo "replays $total failed $bad"
}

# Exactly one valid JSON document on stdout ($out).
# One line per cell of a check or merge JSON on stdin: what a verdict is made of.
judgements() {
	python3 -c '
import json, sys
for c in json.load(sys.stdin)["results"]:
	print(c["scenario"], c["variant"], c["verdict"], c["violations"], c["accepted"],
	      c["executions"], c["complete"], c["expectations_met"],
	      [(x["line"], x["met"]) for x in c.get("expectations", [])])
'
}

json_ok() {
	python3 -m json.tool "$out" >/dev/null 2>>"$err"
}

body() {
expect_status 0 cli_version "$KFP" --version
expect_status 0 cli_help "$KFP" --help
expect_status 0 cli_check_help "$KFP" check --help
expect_status 0 cli_list "$KFP" list
grep -q upstream "$out"
ok $? cli_list_names_the_upstream_variant
grep -q '^  host  mremap A N B$' "$out"
ok $? cli_list_shows_the_ops
expect_status 2 cli_unknown_command "$KFP" frobnicate
expect_status 2 cli_unknown_option "$KFP" check --frobnicate 1 scenarios
expect_status 2 cli_unknown_variant "$KFP" check --variant nosuch scenarios
expect_status 2 cli_missing_file "$KFP" check no/such/file.kfp
expect_status 2 cli_bad_shard "$KFP" check --shard 3/3 scenarios
# the option layer (cli/options.c): getopt_long spellings, checked values
one=scenarios/bugs/gpc-double-put.kfp
expect_status 0 cli_option_equals_form "$KFP" check --variant=legacy --progress-every=0 "$one"
grep -c '^gpc-double-put  *legacy ' "$out" | grep -qx 1 && ! grep -q '^gpc-double-put  *upstream ' "$out"
ok $? cli_option_equals_form_picks_the_variant
expect_status 0 cli_option_after_the_path "$KFP" check "$one" --variant legacy --progress-every 0
expect_status 0 cli_variant_list "$KFP" check --variant upstream,v9 --progress-every 0 -q "$one"
[ "$(grep -c '^gpc-double-put ' "$out")" = 2 ] && grep -q '^gpc-double-put  *v9 ' "$out" &&
	grep -q '^gpc-double-put  *upstream ' "$out"
ok $? cli_variant_list_picks_that_subset
expect_status 2 cli_unknown_option_is_named "$KFP" check --frobnicate 1 "$one"
grep -q "^kfp check: unknown option '--frobnicate'" "$err"
ok $? cli_unknown_option_says_so
expect_status 2 cli_flag_with_a_value "$KFP" check --json=yes "$one"
grep -q "option '--json' takes no value" "$err"
ok $? cli_flag_with_a_value_says_so
expect_status 2 cli_option_without_its_value "$KFP" check "$one" --max-steps
grep -q "option '--max-steps' needs a value" "$err"
ok $? cli_option_without_its_value_says_so
for args in "--max-steps 99999999999999999999999" "--max-steps -1" "--max-steps 1x" \
	"--max-steps 0" "--max-executions -5" "--max-states -5" "--max-states 1x" \
	"--preemption-bound 1000" "--timeout nan" \
	"--timeout inf" "--timeout -1" "--timeout 0" "--timeout 1e400" "--timeout 5s" \
	"--progress-every -0.5" "--progress-every NaN" "--shard 0/-2" "--shard 5/4" \
	"--shard 0/0" "--shard -1/2" "--shard 1/2/3" "--shard 0/99999999999999999999" \
	"--jobs 0" "--jobs 65" "--random 0" "--seed -1" "--seed 18446744073709551616"; do
	# shellcheck disable=SC2086
	expect_status 2 "cli_refuses $args" "$KFP" check $args "$one"
	grep -q "^kfp check: ${args%% *} wants " "$err"
	ok $? "cli_says_why_it_refuses $args"
done
expect_status 2 cli_replay_refuses_variant_all "$KFP" replay "$one" --variant all --schedule 0:1
grep -q "^kfp replay: --variant all names [0-9]* variants; a schedule is one execution of one variant's code" "$err"
ok $? cli_replay_says_why_it_refuses_variant_all
for c in check replay merge diff list hunt; do
	expect_status 0 "cli_${c}_has_its_own_help" "$KFP" $c --help
	head -n 1 "$out" | grep -q "^usage: kfp $c "
	ok $? "cli_${c}_help_is_about_$c"
done
expect_status 2 cli_merge_unknown_option "$KFP" merge --frobnicate
expect_status 2 cli_diff_checks_numbers "$KFP" diff --max-steps -1 upstream legacy "$one"
expect_status 2 cli_list_refuses_an_operand "$KFP" list scenarios
# the directory walk: a symlink loop is not followed, a FIFO named *.kfp is
# skipped (never opened: that would block), both with a warning naming the
# path; a FIFO named on the command line is refused
walk=$(mktemp -d)
mkdir -p "$walk/a/b"
cp "$one" "$walk/a/"
ln -s .. "$walk/a/b/up"
ln -s "$walk/a" "$walk/a/b/again"
mkfifo "$walk/a/pipe.kfp"
expect_status 0 cli_walk_skips_loops_and_fifos timeout 120 "$KFP" check --variant upstream --progress-every 0 -q "$walk"
grep -q "^$walk/a/b/up:0:0: warning: a link back to a directory being searched" "$err" &&
	grep -q "^$walk/a/b/again:0:0: warning: a link back" "$err" &&
	grep -q "^$walk/a/pipe.kfp:0:0: warning: not a regular file" "$err" &&
	[ "$(grep -c '^gpc-double-put ' "$out")" = 1 ]
ok $? cli_walk_warns_of_loops_and_fifos_by_path
expect_status 2 cli_fifo_on_the_command_line_is_refused timeout 120 "$KFP" check "$walk/a/pipe.kfp"
grep -q "^$walk/a/pipe.kfp:0:0: not a regular file or a directory" "$err"
ok $? cli_fifo_on_the_command_line_says_so
# two files that define the same scenario name: a warning with both positions
rm -f "$walk/a/pipe.kfp" "$walk/a/b/up" "$walk/a/b/again"
cp "$one" "$walk/a/b/"
expect_status 0 cli_duplicate_names_still_run "$KFP" check --variant upstream --progress-every 0 -q "$walk"
line=$(grep -n '^name ' "$one" | cut -d: -f1)
grep -qx "$walk/a/gpc-double-put.kfp:$line:6: warning: scenario 'gpc-double-put' is also defined at $walk/a/b/gpc-double-put.kfp:$line:6" "$err"
ok $? cli_warns_of_a_duplicate_scenario_name_with_both_positions
rm -rf "$walk"
expect_status 0 cli_check_bundled_library "$KFP" check scenarios
tail -n 1 "$out" | grep -Eq '^[0-9]+ passed, 0 failed, [0-9]+ unchecked$'
ok $? cli_check_ends_with_the_count

# docs/verdicts.md is what this code gives: its generated parts match a run
library_json=$(mktemp)
"$KFP" check --json scenarios >"$library_json" 2>"$err"
python3 docs/gen-verdicts.py --check docs/verdicts.md <"$library_json" 2>>"$err"
ok $? docs_verdicts_md_is_generated_from_this_code
# --json follows docs/json-schema.json: the library, a failed cell, a shard, a
# set-up error; and the check can fail: a status the schema does not know
schema_ok() {
	python3 tests/cli/check-json-schema.py docs/json-schema.json 2>>"$err"
}
: >"$err"
schema_ok <"$library_json" &&
	"$KFP" check --progress-every 0 --json tests/cli/fails-an-expectation.kfp | schema_ok &&
	"$KFP" check --progress-every 0 --json --shard 1/2 scenarios/bugs/gpc-double-put.kfp | schema_ok &&
	"$KFP" check --progress-every 0 --json tests/cli/setup-fails-at-run-time.kfp 2>/dev/null | schema_ok
ok $? cli_json_follows_the_schema
sed 's/"status":"met"/"status":"fine"/' "$library_json" | schema_ok 2>/dev/null
[ $? = 1 ] && grep -q "status: 'fine' is none of" "$err"
ok $? cli_json_schema_check_catches_an_unknown_status
library=$(mktemp)
cp "$out" "$library"
grep -q 'counterexample (minimised), [0-9]* preemptions*: kfp replay ' "$library"
ok $? cli_check_prints_the_minimised_counterexample
# every counterexample and witness the library prints replays, as printed, to its reports
result=$(round_trip "$library" 2>"$err")
echo "$result" | grep -q '^replays [1-9][0-9]* failed 0$'
ok $? cli_replay_round_trip_bundled_library
rm -f "$library"
# the matrix (make run): within 100 columns, every cell in its column, a
# legend, and the scenarios that put old code back under their injection
matrix=$(mktemp)
expect_status 0 cli_matrix_of_the_library "$KFP" --progress-every 0
cp "$out" "$matrix"
! grep -q '.\{101\}' "$matrix"
ok $? cli_matrix_fits_100_columns
: >"$err"
python3 - "$matrix" 2>"$err" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().split("\n")
header = next(l for l in lines if l.startswith("scenario "))
starts = [m.start() for m in re.finditer(r"\S+", header)][1:]
assert len(starts) == 6, header
rows = [l for l in lines[lines.index(header) + 1:lines.index("legend:")]
        if len(l) > starts[-1]]
assert len(rows) > 40, len(rows)
for l in rows:
    for c in starts:
        assert l[c - 1] == " " and l[c] != " ", "shifted: " + l
PY
ok $? cli_matrix_cells_never_shift_their_row
: >"$err"
for word in 'safe ' 'P2a ' 'inv ' 'X! ' 'X? ' 'X~ ' 'X+ ' ; do
	sed -n '/^legend:/,$p' "$matrix" | grep -q "^  $word" || echo "legend lacks $word" >>"$err"
done
[ ! -s "$err" ]
ok $? cli_matrix_legend_explains_every_mark
# every scenario with param inject is marked and under its injection's heading
: >"$err"
want=0
for f in $(grep -l '^param inject' $(find scenarios -name '*.kfp')); do
	name=$(sed -n 's/^name //p' "$f")
	inject=$(sed -n 's/^param inject =* *//p' "$f")
	want=$((want + 1))
	awk -v name="* $name" -v h="old code put back: $inject" \
		'/^old code put back: / { head = $0 } index($0, name " ") == 1 || $0 == name { found = (head == h) } END { exit !found }' \
		"$matrix" || echo "$name is not under '$inject'" >>"$err"
done
[ "$(grep -c '^\* ' "$matrix")" = "$want" ] && [ "$want" -gt 10 ] && [ ! -s "$err" ]
ok $? cli_matrix_groups_injected_rows_under_their_injection
rm -f "$matrix"
expect_status 0 cli_matrix_unchecked "$KFP" check --matrix --variant legacy \
	tests/cli/unchecked-for-legacy.kfp
grep -q '^unchecked-for-legacy  *safe?$' "$out" &&
	tail -n 1 "$out" | grep -q '^0 passed, 0 failed, 1 unchecked$'
ok $? cli_matrix_marks_unchecked_and_counts_it_apart
expect_status 1 cli_matrix_failed "$KFP" check --matrix --progress-every 0 \
	tests/cli/fails-an-expectation.kfp
grep -q '^\* fails-an-expectation  *.* P2 P3a!  *safe?$' "$out"
ok $? cli_matrix_marks_a_failed_expectation
# progress off a terminal: a line on stderr every --progress-every seconds,
# and stdout the same byte for byte with or without it
"$KFP" check --progress-every 0.05 --variant v9 --jobs 2 \
	scenarios/races/two-vcpu-faults-vs-munmap-remap.kfp >"$out" 2>"$err.progress"
sed -E 's/ +[0-9.]+s +/ /' "$out" >"$out.progress"
"$KFP" check --progress-every 0 --variant v9 \
	scenarios/races/two-vcpu-faults-vs-munmap-remap.kfp 2>"$err" |
	sed -E 's/ +[0-9.]+s +/ /' >"$out"
grep -Eq '^kfp: [01]/1 cells, [0-9]+s; v9 two-vcpu-faults-vs-munmap-remap: [0-9]+s, [0-9]+ states, [0-9]+/s' "$err.progress" &&
	[ ! -s "$err" ] && cmp -s "$out" "$out.progress"
ok $? cli_progress_off_a_tty_leaves_stdout_alone
rm -f "$err.progress" "$out.progress"
expect_status 2 cli_progress_every_wants_seconds "$KFP" check --progress-every -1 scenarios
# the designs, injections and ops of docs/scenario-format.md are the binary's
"$KFP" list --markdown 2>"$err" | python3 docs/gen-doc-blocks.py --check list \
	docs/scenario-format.md 2>>"$err"
ok $? docs_scenario_format_lists_what_the_binary_has
# ... and the check catches a document that drifts: one design fewer
drifted=$(mktemp)
grep -v '^| `legacy` |' docs/scenario-format.md >"$drifted"
"$KFP" list --markdown 2>"$err" | python3 docs/gen-doc-blocks.py --check list "$drifted" 2>>"$err"
[ $? = 1 ]
ok $? docs_check_catches_a_drifted_list
rm -f "$drifted"
# a scenario not named after its file: a warning at the name, and the run goes on
"$KFP" check --variant upstream tests/cli/misnamed-scenario.kfp >"$out" 2>"$err"
[ $? = 0 ] && grep -qx "tests/cli/misnamed-scenario.kfp:2:6: warning: scenario 'not-the-file-name' is not named after its file" "$err"
ok $? cli_warns_of_a_scenario_not_named_after_its_file
# ... and no bundled scenario draws it
"$KFP" list >"$out" 2>"$err"
! grep -q warning "$err"
ok $? cli_every_bundled_scenario_is_named_after_its_file
# --timeout stops a stateful search whose paths rarely end (about 36 ends in
# its 260,000 states): it is polled by new states too, not only by ends
"$KFP" check --timeout 0.001 --variant upstream bench/scenarios/two-vcpus-vs-munmap-remap.kfp \
	>"$out" 2>"$err"
states=$(grep -o '[0-9]* states' "$out" | head -n 1 | cut -d' ' -f1)
grep -q ' timeout ' "$out" && [ "${states:-999999}" -lt 200000 ]
ok $? cli_timeout_stops_a_stateful_search_between_ends
# ... also with an injection on the command line, and in random mode with a step bound
"$KFP" check --variant upstream --inject skip-retry-check scenarios/races/fault-vs-munmap.kfp \
	scenarios/bugs/gpc-double-put.kfp >"$out" 2>"$err"
result=$(round_trip "$out" 2>>"$err")
echo "$result" | grep -q '^replays [1-9][0-9]* failed 0$'
ok $? cli_replay_round_trip_with_an_injection
random_out=$(mktemp)
for seed in 1 2 3 4 5; do
	"$KFP" check --random 30 --seed $seed --inject skip-retry-check \
		scenarios/races/fault-vs-munmap.kfp
	"$KFP" check --random 10 --seed $seed --variant upstream tests/cli/long-schedule.kfp
	"$KFP" check --random 30 --seed $seed --max-steps 60 --variant upstream \
		scenarios/races/fault-vs-mprotect.kfp
done >"$random_out" 2>"$err"
result=$(round_trip "$random_out" 2>>"$err")
echo "$result" | grep -q '^replays [1-9][0-9]* failed 0$'
ok $? cli_replay_round_trip_random_seeds
rm -f "$random_out"

expect_status 0 cli_search_stateful_is_the_default "$KFP" check --variant upstream \
	scenarios/races/fault-vs-mprotect.kfp
grep -q ' states ' "$out"
ok $? cli_search_stateful_counts_states
expect_status 0 cli_search_dpor "$KFP" check --search dpor --variant upstream \
	scenarios/races/fault-vs-mprotect.kfp
grep -q ' executions ' "$out"
ok $? cli_search_dpor_counts_executions
expect_status 2 cli_search_unknown "$KFP" check --search frobnicate scenarios
# --jobs: cells searched side by side, printed in order: the same output for any N
"$KFP" check --jobs 1 scenarios/bugs 2>"$err" | sed -E 's/ +[0-9.]+s +/ /' >"$out"
"$KFP" check --jobs 3 scenarios/bugs 2>>"$err" | sed -E 's/ +[0-9.]+s +/ /' >"$out.jobs"
cmp "$out" "$out.jobs" >>"$err" 2>&1 && [ -s "$out" ]
ok $? cli_jobs_output_does_not_depend_on_n
"$KFP" check --json --jobs 1 scenarios/bugs 2>"$err" | sed -E 's/"seconds":[0-9.e+-]*//g' >"$out"
"$KFP" check --json --jobs 3 scenarios/bugs 2>>"$err" | sed -E 's/"seconds":[0-9.e+-]*//g' >"$out.jobs"
cmp "$out" "$out.jobs" >>"$err" 2>&1 && [ -s "$out" ]
ok $? cli_jobs_json_does_not_depend_on_n
rm -f "$out.jobs"
expect_status 2 cli_jobs_zero "$KFP" check --jobs 0 scenarios
# a mutant is answered at its first violation: the search says it stopped, the cell fails
expect_status 1 cli_stop_at_first "$KFP" check --stop-at-first --variant upstream \
	--inject skip-retry-check scenarios/races/fault-vs-munmap.kfp
grep -q 'stopped at first violation' "$out"
ok $? cli_stop_at_first_says_so
expect_status 0 cli_json "$KFP" check --json --variant upstream scenarios/races/fault-vs-mprotect.kfp
grep -q '^{"results":\[{"scenario":"fault-vs-mprotect","file":"scenarios/races/fault-vs-mprotect.kfp","variant":"upstream","verdict":"safe","violations":\[\],"accepted":\[\],"search":"stateful","executions":[0-9]*,"states":[0-9]*,"revisits":[0-9]*,"cycles":0,"estimate":{"fraction_done":1.000000,"total":[0-9]*},"complete":true,"stop":"complete","step_bound_hits":0,"status":"met","expectations_met":true,"expectations":\[.*\],"counterexample":null}\],"summary":{"passed":1,"failed":0,"unchecked":0,"undecided":0,"interrupted":false}}$' "$out"
ok $? cli_json_is_one_object_and_nothing_else
json_ok
ok $? cli_json_is_valid
expect_status 1 cli_json_failed "$KFP" check --json tests/cli/fails-an-expectation.kfp
json_ok && grep -q '"status":"failed"' "$out" && grep -q '"replay":"kfp replay ' "$out"
ok $? cli_json_failed_is_valid_with_its_replay
# a cell no expectation names is unchecked, not passed, and no failure
expect_status 0 cli_unchecked_is_no_failure "$KFP" check --variant legacy \
	tests/cli/unchecked-for-legacy.kfp
grep -q 'unchecked: no expectation for this variant' "$out" &&
	tail -n 1 "$out" | grep -q '^0 passed, 0 failed, 1 unchecked$'
ok $? cli_unchecked_is_reported
expect_status 0 cli_json_unchecked "$KFP" check --json --variant legacy \
	tests/cli/unchecked-for-legacy.kfp
json_ok && grep -q '"status":"unchecked","expectations_met":false' "$out" &&
	grep -q '"unchecked":1' "$out"
ok $? cli_json_unchecked_is_reported
# a set-up the model refuses at run time: valid JSON that says so, exit 2
expect_status 2 cli_setup_error_at_run_time "$KFP" check --json tests/cli/setup-fails-at-run-time.kfp
json_ok && grep -q '"error":"tests/cli/setup-fails-at-run-time.kfp:[0-9]*:[0-9]*: setup: mmap failed' "$out"
ok $? cli_setup_error_json_is_valid
# stdout that cannot be written is an error
"$KFP" check --variant upstream scenarios/races/fault-vs-mprotect.kfp >/dev/full 2>"$err"
status=$?
[ "$status" = 4 ] || echo "expected exit 4, got $status" >>"$err"
[ "$status" = 4 ]
ok $? cli_stdout_full_exits_4
"$KFP" check --json --variant upstream scenarios/races/fault-vs-mprotect.kfp >/dev/full 2>"$err"
[ $? = 4 ]
ok $? cli_json_stdout_full_exits_4
# SIGINT and SIGTERM stop at an execution boundary: partial, valid JSON marked interrupted
for sig in INT TERM; do
	"$KFP" check --json scenarios >"$out" 2>"$err" &
	pid=$!
	sleep 1
	kill -$sig $pid
	wait $pid
	status=$?
	want=$([ $sig = INT ] && echo 130 || echo 143)
	[ "$status" = "$want" ] || echo "expected exit $want, got $status" >>"$err"
	[ "$status" = "$want" ] && json_ok && grep -q '"interrupted":true' "$out"
	ok $? "cli_sig${sig}_leaves_valid_json"
done
# every expectation the parser accepts is checked, past 64 per design
expect_status 1 cli_checks_every_expectation "$KFP" check --variant upstream \
	tests/cli/checks-every-expectation.kfp
grep -q 'expectation failed: tests/cli/checks-every-expectation.kfp:93:2: sometimes P1' "$out"
ok $? cli_the_66th_expectation_is_judged

expect_status 1 cli_failed_expectation_exits_1 "$KFP" check tests/cli/fails-an-expectation.kfp
grep -q 'expectation failed: tests/cli/fails-an-expectation.kfp:[0-9]*:[0-9]*: never P2' "$out"
ok $? cli_failed_expectation_names_it
replay=$(grep -o 'replay tests/cli/fails-an-expectation.kfp --variant upstream --schedule [0-9:,]*' "$out" | head -n 1)
[ -n "$replay" ]
ok $? cli_failed_expectation_prints_a_replay_command
# shellcheck disable=SC2086
expect_status 1 cli_replay_of_a_violation_exits_1 "$KFP" $replay
grep -q '^step [0-9]*: P2: access' "$out"
ok $? cli_replay_shows_the_violation
schedule=${replay##* }
# the trace numbers steps as the reports do: each report's step is a row marked '>'
trace_marks_reports() {
	grep -o '^step [0-9]*' "$out" | sort -u | while read -r _ n; do
		grep -Eq "^>[ ]*$n  " "$out" || echo "no marked row $n" >>"$err"
	done
	[ ! -s "$err" ] && grep -q '^>' "$out"
}
: >"$err"
# shellcheck disable=SC2086
"$KFP" $replay >"$out" 2>"$err"
trace_marks_reports
ok $? cli_trace_marks_the_step_each_report_names
grep -q '^     0  vcpu0    lock r    kvm->srcu$' "$out" &&
	grep -q '^ *[0-9]*  host     unlock w  mmap_lock' "$out"
ok $? cli_trace_tells_read_from_write_locks_and_takes_from_releases
grep -q '^        -- vcpu0 op 2 (line 17): r = map-read begins$' "$out" &&
	grep -q '^        -- vcpu0 op 2 (line 17): r = map-read ends$' "$out"
ok $? cli_trace_shows_where_ops_begin_and_end
# a leak is reported at the end of the execution: the trace has that row too
: >"$err"
"$KFP" replay scenarios/bugs/zone-device-never-freed.kfp --variant legacy --schedule 0:36,1:4 \
	>"$out" 2>"$err"
trace_marks_reports && grep -q '^> *[0-9]*  (end)    end ' "$out"
ok $? cli_trace_has_the_end_where_leaks_are_reported
# one trace per failed cell, of its minimised counterexample; --quiet: verdicts only
expect_status 1 cli_check_failed_cell "$KFP" check tests/cli/fails-an-expectation.kfp
[ "$(grep -c '^replay ' "$out")" = 1 ] &&
	grep -q '^  trace of the counterexample (0 preemptions):$' "$out"
ok $? cli_check_traces_one_counterexample_per_failed_cell
expect_status 1 cli_check_quiet "$KFP" check --quiet tests/cli/fails-an-expectation.kfp
! grep -q -e 'replay' -e '^ *[0-9]*  vcpu0' "$out" &&
	grep -q 'expectation failed: ' "$out" && [ "$(grep -c '' "$out")" = 8 ]
ok $? cli_check_quiet_prints_verdicts_only
# --witness traces an accepted violation and a met "sometimes"
expect_status 0 cli_check_witness "$KFP" check --witness --variant upstream \
	scenarios/thread/vcpu-map-stale-but-not-freed.kfp
grep -q '^  trace of a witness of P3 accepted:$' "$out" &&
	grep -q "^  trace of the witness of 'sometimes vcpu0.r2 == 7' (line 63):$" "$out" &&
	grep -q '^> *[0-9]*  vcpu0    read      access through mapping$' "$out" &&
	grep -q '^        <== P3 accepted: access through a stale pfn' "$out"
ok $? cli_check_witness_traces_accepted_violations_and_sometimes
# sequence charts: SVG that parses as XML and bands the violating step; DOT
charts=$(mktemp -d)
# shellcheck disable=SC2086
expect_status 1 cli_replay_svg "$KFP" $replay --svg "$charts/replay.svg"
svg_ok() { # file step-id: well-formed SVG, the step's band, lanes, tracks
	python3 - "$@" 2>>"$err" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "{http://www.w3.org/2000/svg}svg", root.tag
ids = {e.get("id"): e for e in root.iter() if e.get("id")}
assert sys.argv[2] in ids and ids[sys.argv[2]].get("class") in ("violation", "accepted"), sys.argv[2]
text = " ".join("".join(e.itertext()) for e in root.iter("{http://www.w3.org/2000/svg}text"))
for want in sys.argv[3:]:
    assert want in text, want
PY
}
svg_ok "$charts/replay.svg" violation-step-11 vcpu0 host 'op 1 (line 16): m = map' \
	'pfn 2 refcount' 'pfn 2 pins' 'pfn 2 mapcount' mmu_invalidate_seq in_progress \
	'lock r kvm->srcu' 'unlock w mmap_lock' 'step 11: P2 violated'
ok $? cli_replay_svg_is_xml_and_bands_the_violating_step
expect_status 1 cli_replay_dot "$KFP" replay tests/cli/fails-an-expectation.kfp \
	--variant upstream --schedule "$schedule" --dot "$charts/replay.dot"
head -n 1 "$charts/replay.dot" | grep -q '^digraph "fails-an-expectation under upstream" {$' &&
	grep -q '^    s11 \[label="\[ vcpu0 op 2 (line 17): r = map-read\\n11 read access through mapping.*id="violation"\];$' "$charts/replay.dot" &&
	tail -n 1 "$charts/replay.dot" | grep -q '^}$'
ok $? cli_replay_dot_marks_the_violating_step
expect_status 1 cli_check_trace_format_svg "$KFP" check --trace-format=svg \
	--trace-dir "$charts" --variant upstream tests/cli/fails-an-expectation.kfp
grep -q "^  trace of the counterexample (0 preemptions): $charts/fails-an-expectation.upstream.counterexample.svg$" "$out" &&
	! grep -q '^replay ' "$out" &&
	svg_ok "$charts/fails-an-expectation.upstream.counterexample.svg" violation-step-11
ok $? cli_check_trace_format_svg_writes_the_chart
expect_status 0 cli_check_witness_svg "$KFP" check --witness --trace-format svg \
	--trace-dir "$charts" --variant upstream scenarios/thread/vcpu-map-stale-but-not-freed.kfp
# the step the chart says it accepted P3 at is the one it bands (its number
# moves with the model's steps)
accepted_svg="$charts/vcpu-map-stale-but-not-freed.upstream.accepted-P3.svg"
accepted_step=$(grep -o 'step [0-9]*: P3 accepted' "$accepted_svg" | head -n 1 | cut -d' ' -f2 | tr -d :)
svg_ok "$accepted_svg" "accepted-step-$accepted_step" "step $accepted_step: P3 accepted"
ok $? cli_check_witness_svg_bands_the_accepted_step
# 150 steps and more stay readable: a column of 26 px per step, text of 9 px and up
: >"$err"
expect_status 1 cli_replay_svg_of_a_long_trace "$KFP" replay tests/cli/long-schedule.kfp \
	--variant upstream --schedule 0:9,1:96,2:96,3:533,0:71 --svg "$charts/long.svg"
python3 - "$charts/long.svg" 2>>"$err" <<'PY'
import re, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
steps = [e for e in root.iter() if e.get("class") == "step"]
assert len(steps) >= 150, len(steps)
assert int(root.get("width")) >= 26 * len(steps), root.get("width")
sizes = [int(e.get("font-size")) for e in root.iter() if e.get("font-size")]
assert min(sizes) >= 9, min(sizes)
PY
ok $? cli_replay_svg_stays_readable_past_150_steps
expect_status 2 cli_trace_format_unknown "$KFP" check --trace-format png scenarios/bugs
expect_status 4 cli_trace_dir_unwritable "$KFP" check --trace-format svg \
	--trace-dir /nonexistent/dir --variant upstream tests/cli/fails-an-expectation.kfp
rm -rf "$charts"
expect_status 1 cli_replay_accepts_every_execution_option "$KFP" replay \
	tests/cli/fails-an-expectation.kfp --variant upstream --inject vcpu-map-no-pin \
	--max-steps 4000 --preemption-bound 999 --schedule "$schedule"
"$KFP" check --variant pre-cve tests/cli/fails-an-expectation.kfp >"$out" 2>"$err"
preempting=$(grep -o 'counterexample (minimised), 1 preemption: .*--schedule [0-9:,]*' "$out")
expect_status 2 cli_replay_refuses_a_schedule_past_the_preemption_bound "$KFP" replay \
	tests/cli/fails-an-expectation.kfp --variant pre-cve --preemption-bound 0 \
	--schedule "${preempting##* }"
expect_status 2 cli_replay_refuses_a_schedule_past_the_step_bound "$KFP" replay \
	tests/cli/fails-an-expectation.kfp --variant upstream --max-steps 5 --schedule "$schedule"

# 16 accepted P2 reports fill the log; the double put (P1) after them still counts
expect_status 0 cli_report_log_overflow_hides_nothing "$KFP" check --variant upstream tests/cli/report-log-overflow.kfp
grep -q '^report-log-overflow  *upstream  *P1, P2 accepted ' "$out" &&
	grep -q '1 more reports not kept' "$out"
ok $? cli_report_log_overflow_verdict_is_p1_p2

expect_status 2 cli_replay_bad_schedule "$KFP" replay tests/cli/fails-an-expectation.kfp --variant upstream --schedule 7,7,7
expect_status 3 cli_bound_stops_before_a_verdict "$KFP" check --max-executions 5 scenarios/races/fault-vs-munmap.kfp
grep -q 'undecided' "$out"
ok $? cli_bound_is_reported

# --max-states stops the stateful search at exactly N states: incomplete, undecided, exit 3
expect_status 3 cli_max_states_stops_before_a_verdict "$KFP" check --max-states 100 --variant upstream scenarios/races/fault-vs-munmap.kfp
grep -q '^fault-vs-munmap  *upstream  *incomplete  *100 states  *max states .*undecided' "$out"
ok $? cli_max_states_text_says_incomplete
expect_status 3 cli_max_states_json_is_incomplete "$KFP" check --json --max-states 100 --variant upstream scenarios/races/fault-vs-munmap.kfp
grep -q '"verdict":"incomplete",.*"search":"stateful","executions":[0-9]*,"states":100,.*"complete":false,"stop":"max states",.*"status":"undecided","expectations_met":false' "$out"
ok $? cli_max_states_json_agrees
: >"$err"
schema_ok <"$out"
ok $? cli_max_states_json_follows_the_schema
# an execution cut by --max-steps is unexplored: no leak, no invariant, incomplete, exit 3
expect_status 3 cli_max_steps_is_incomplete "$KFP" check --max-steps 40 --variant upstream scenarios/races/fault-vs-munmap.kfp
grep -q '^fault-vs-munmap  *upstream  *incomplete  *[0-9]* states  *step bound .*undecided' "$out"
ok $? cli_max_steps_text_says_incomplete
expect_status 3 cli_max_steps_json_is_incomplete "$KFP" check --json --max-steps 40 --variant upstream scenarios/races/fault-vs-munmap.kfp
grep -q '"verdict":"incomplete","violations":\[\],"accepted":\[\],"search":"stateful","executions":0,"states":[0-9]*,"revisits":[0-9]*,"cycles":0,"complete":false,"stop":"step bound","step_bound_hits":[1-9][0-9]*,"status":"undecided","expectations_met":false' "$out"
ok $? cli_max_steps_json_agrees

# a shard is partial: never "safe, complete", exit 3; kfp merge judges the whole
expect_status 3 cli_shard_0_of_2_is_partial "$KFP" check --shard 0/2 scenarios/races/fault-vs-mprotect.kfp
grep -q ' shard .*partial: kfp merge the shards' "$out"
ok $? cli_shard_says_it_is_partial
expect_status 3 cli_shard_1_of_2_is_partial "$KFP" check --shard 1/2 scenarios/races/fault-vs-mprotect.kfp
expect_status 2 cli_shard_refuses_random "$KFP" check --shard 0/2 --random 5 scenarios/races/fault-vs-mprotect.kfp
# a shard meets a "sometimes" it saw, and leaves one it did not see to the merge
nw=tests/cli/shard-sees-no-witness.kfp
expect_status 0 cli_shard_meets_a_sometimes_it_saw "$KFP" check --variant upstream --shard 0/2 $nw
expect_status 3 cli_shard_does_not_meet_a_sometimes_it_did_not_see "$KFP" check --variant upstream \
	--shard 1/2 $nw
grep -q 'incomplete .* partial: kfp merge the shards' "$out"
ok $? cli_shard_without_the_witness_says_it_is_partial
nw_shards=$(mktemp -d)
"$KFP" check --progress-every 0 --json --variant upstream --shard 0/2 $nw >"$nw_shards/0.json"
"$KFP" check --progress-every 0 --json --variant upstream --shard 1/2 $nw >"$nw_shards/1.json"
expect_status 0 cli_merge_meets_the_sometimes_one_shard_saw "$KFP" merge "$nw_shards/0.json" \
	"$nw_shards/1.json"
# a cell of more than 64 expectations merges too (66 here; the last one fails)
"$KFP" check --progress-every 0 --json --variant upstream --shard 0/2 \
	tests/cli/checks-every-expectation.kfp >"$nw_shards/e0.json"
"$KFP" check --progress-every 0 --json --variant upstream --shard 1/2 \
	tests/cli/checks-every-expectation.kfp >"$nw_shards/e1.json"
expect_status 1 cli_merge_of_66_expectations "$KFP" merge "$nw_shards/e0.json" "$nw_shards/e1.json"
grep -q 'checks-every-expectation.kfp:93:2: sometimes P1: P1 never violated' "$out"
ok $? cli_merge_judges_the_66th_expectation
rm -rf "$nw_shards"
shards=$(mktemp -d)
for i in 0 1 2; do
	"$KFP" check --progress-every 0 --json --shard $i/3 scenarios/bugs >"$shards/b$i.json"
done
"$KFP" check --progress-every 0 --json --shard 1/3 --max-steps 100 scenarios/bugs >"$shards/other1.json"
expect_status 0 cli_merge_of_three_shards "$KFP" merge "$shards/b0.json" "$shards/b1.json" "$shards/b2.json"
tail -n 1 "$out" | grep -Eq '^[0-9]+ passed, 0 failed, [0-9]+ unchecked$'
ok $? cli_merge_ends_with_the_count
expect_status 2 cli_merge_refuses_a_missing_shard "$KFP" merge "$shards/b0.json" "$shards/b2.json"
grep -q 'shard 1/3 is missing' "$err"
ok $? cli_merge_names_the_missing_shard
expect_status 2 cli_merge_refuses_a_shard_twice "$KFP" merge "$shards/b0.json" "$shards/b1.json" "$shards/b1.json" "$shards/b2.json"
expect_status 2 cli_merge_refuses_another_search "$KFP" merge "$shards/b0.json" "$shards/other1.json" "$shards/b2.json"
expect_status 2 cli_merge_refuses_what_is_not_a_shard "$KFP" merge tests/cli/fails-an-expectation.kfp
# a whole run as its own single shard judges as kfp check does: the same
# verdict, counts and expectation results in every cell
"$KFP" check --progress-every 0 --json scenarios/bugs | judgements >"$shards/check"
"$KFP" check --progress-every 0 --json --shard 0/1 scenarios/bugs >"$shards/whole.json"
"$KFP" merge --json "$shards/whole.json" | judgements >"$shards/merged"
[ -s "$shards/check" ] && cmp -s "$shards/check" "$shards/merged"
ok $? cli_merge_of_a_whole_run_is_kfp_check

# the library: for N = 2, 3, 4 the merged shards give the whole search's
# verdicts, expectation results and execution counts.  The counts too:
# the whole search and the union of the shards each complete one execution
# per Mazurkiewicz trace (sleep sets never complete two equivalent ones),
# so a prefix lost or explored twice shows even in a safe cell.  Shards
# split the stateless search, so the whole search is that one, over the
# library less the races it cannot finish in minutes (millions of
# executions: what the stateful search is for): the three-actor races of a
# fault, and the kvm_vcpu_map races, whose proposal cells re-validate at
# every access (about 9x the states of upstream's; docs/proposal.md), and
# gfn-to-page-vs-ksm-merge (647,000 executions: ksmd's two brackets).
dpor_library=$(find scenarios -name '*.kfp' | sort |
	grep -v -e two-vcpu-faults-vs-munmap-remap -e vcpu-map-and-fault-vs-munmap \
		-e anon-fault-vs-dontneed-vs-reclaim -e gfn-to-page-vs-ksm-merge \
		-e 'races/vcpu-map' -e 'review/vcpu-map-vs-fork')
# shellcheck disable=SC2086
"$KFP" check --json --search dpor $dpor_library >"$library_json" 2>"$err"
judgements <"$library_json" >"$shards/want"
! grep -q '"complete":false' "$library_json" && [ -s "$shards/want" ]
ok $? cli_library_whole_run_is_complete
rm -f "$library_json"
for count in 2 3 4; do
	k=0
	while [ $k -lt $count ]; do
		# shellcheck disable=SC2086
		"$KFP" check --progress-every 0 --json --shard $k/$count $dpor_library >"$shards/s$k.json" &
		k=$((k + 1))
	done
	wait
	if grep -q '"complete":true' "$shards"/s*.json; then
		echo "a shard of $count claims a complete search" >"$err"
		ok 1 cli_library_shards_of_${count}_are_partial
	else
		ok 0 cli_library_shards_of_${count}_are_partial
	fi
	# shellcheck disable=SC2046
	"$KFP" merge --json $(k=0; while [ $k -lt $count ]; do echo "$shards/s$k.json"; k=$((k + 1)); done) |
		judgements >"$shards/got"
	cmp "$shards/want" "$shards/got" >"$err" 2>&1
	ok $? cli_library_merge_of_${count}_shards_is_the_whole_search
	rm -f "$shards"/s*.json
done
rm -rf "$shards"
expect_status 3 cli_random_mode_is_undecided_and_prints_its_seed "$KFP" check --random 20 --seed 7 scenarios/races/fault-vs-mprotect.kfp
grep -q 'seed 7' "$out"
ok $? cli_random_seed_is_printed

# kfp diff: only what differs, each with a replay that shows it
expect_status 0 cli_diff_same_design_is_no_difference "$KFP" diff upstream upstream \
	scenarios/races/vcpu-map-vs-munmap.kfp
tail -n 1 "$out" | grep -q '^upstream vs upstream: 1 scenarios, 0 differ$' && [ "$(wc -l <"$out")" = 1 ]
ok $? cli_diff_prints_nothing_when_nothing_differs
expect_status 1 cli_diff_injection_differs "$KFP" diff upstream upstream+vcpu-map-no-pin \
	scenarios/races/vcpu-map-vs-munmap.kfp
grep -q '^  P2: upstream never, upstream+vcpu-map-no-pin violated$' "$out" &&
	grep -q -- '--variant upstream --inject vcpu-map-no-pin --schedule ' "$out"
ok $? cli_diff_names_the_property_and_the_injected_replay
# every "R = V: only SIDE" line: the replay under it gives R = V
python3 - "$KFP" "$out" >>"$err" 2>&1 <<'PY'
import shlex, subprocess, sys, re
kfp, lines = sys.argv[1], open(sys.argv[2]).read().splitlines()
checked = 0
for i, line in enumerate(lines):
    m = re.match(r"^  (\S+) = (.*): only (\S+)$", line)
    if not m:
        continue
    cmd = shlex.split(lines[i + 1].split(": kfp ", 1)[1])
    got = subprocess.run([kfp] + cmd, capture_output=True, text=True).stdout
    text = m.group(2)
    want = (text[3:] + " (ok)") if text.startswith("ok ") else "(" + text + ")"
    line_of = [l for l in got.splitlines() if l.startswith(m.group(1) + " = ")]
    if not line_of or not line_of[0].endswith(want) or (text.startswith("ok ") and line_of[0] != m.group(1) + " = " + want):
        print("replay does not give", m.group(1), "=", text, line_of)
        sys.exit(1)
    checked += 1
sys.exit(0 if checked else 1)
PY
ok $? cli_diff_value_replays_give_the_value
expect_status 1 cli_diff_json "$KFP" diff --json upstream upstream+vcpu-map-no-pin \
	scenarios/races/vcpu-map-vs-munmap.kfp
json_ok && grep -q '"summary":{"scenarios":1,"differ":1,"bounded":0,"error":false}' "$out" &&
	grep -q '"kind":"verdict","property":"P2","a_is":"never","b_is":"violated"' "$out"
ok $? cli_diff_json_is_valid
expect_status 1 cli_diff_price "$KFP" diff --price upstream proposal \
	scenarios/races/vcpu-map-vs-munmap.kfp
grep -q '^scenario  *side  *explored  *invalidations  *marked-invalid  *revalidations  *refreshes  *access-locks$' "$out" &&
	grep -q '^vcpu-map-vs-munmap  *upstream .* 0   0.00$' "$out" &&
	grep -q '^  *proposal ' "$out"
ok $? cli_diff_price_prints_both_sides
expect_status 1 cli_diff_price_json "$KFP" diff --json --price upstream proposal \
	scenarios/races/vcpu-map-vs-munmap.kfp
json_ok && grep -q '"price":\[{"path":"scenarios/races/vcpu-map-vs-munmap.kfp","side":"a"' "$out"
ok $? cli_diff_price_json_is_valid
expect_status 2 cli_diff_unknown_variant "$KFP" diff upstream nosuch scenarios/races
expect_status 2 cli_diff_unknown_injection "$KFP" diff upstream upstream+nosuch scenarios/races
expect_status 2 cli_diff_needs_two_sides_and_a_path "$KFP" diff upstream scenarios/races
expect_status 2 cli_diff_missing_file "$KFP" diff upstream v9 no/such/file.kfp
expect_status 2 cli_diff_bad_file "$KFP" diff upstream v9 tests/scenario/bad

for bad in tests/scenario/bad/*.kfp; do
	[ -e "$bad" ] || continue
	want="$bad:$(head -n 1 "$bad" | sed -n 's/^# error: //p')"
	"$KFP" check "$bad" >"$out" 2>"$err"
	status=$?
	got=$(head -n 1 "$err")
	# a message ending in "..." is a prefix (tests/scenario/test_parser.c)
	case $want in
	*...) got_prefix=$(printf '%s' "$got" | cut -c1-$((${#want} - 3))) && want=${want%...} &&
		got=$got_prefix ;;
	esac
	if [ "$status" = 2 ] && [ "$got" = "$want" ]; then
		ok 0 "cli_bad_file $(basename "$bad")"
	else
		echo "want: $want (exit 2)" >>"$err"
		echo "exit $status" >>"$err"
		ok 1 "cli_bad_file $(basename "$bad")"
	fi
done

# --kernel-tree: the matrix names the tree's column whole, however long its
# version (cli/matrix.c column_width())
if [ -r /usr/src/linux-source-6.1.tar.xz ]; then
	tree=$(mktemp -d)
	tar -xJf /usr/src/linux-source-6.1.tar.xz -C "$tree" linux-source-6.1/Makefile \
		linux-source-6.1/virt/kvm linux-source-6.1/include/linux/kvm_host.h &&
		KFP_CACHE_DIR="$tree/cache" "$KFP" check --matrix \
			--kernel-tree "$tree/linux-source-6.1" scenarios/thread/p3-is-not-p2.kfp \
			>"$out" 2>"$err"
	sublevel=$(sed -n 's/^SUBLEVEL = //p' "$tree/linux-source-6.1/Makefile")
	head -n 1 "$out" | grep -Eq "^scenario +pre-cve .* proposal +tree:6\.1\.$sublevel\$"
	ok $? cli_matrix_names_a_kernel_tree_column_whole
	rm -rf "$tree"
else
	skip cli_matrix_names_a_kernel_tree_column_whole "linux-source-6.1 not installed"
fi

# The benchmark's scenarios (make bench) keep their expectations, as the
# library's do: a model change that moves one of their outcomes shows here,
# not only in a benchmark nobody reads
expect_status 0 cli_bench_scenarios_meet_their_expectations "$KFP" check --jobs 2 \
	--variant upstream --progress-every 0 bench/scenarios
# An independent audit's scenarios (tests/audit/README.md) keep the verdicts
# found correct, the model fixes it led to included
expect_status 0 cli_audit_scenarios_meet_their_expectations "$KFP" check --jobs 2 \
	--progress-every 0 tests/audit

# kfp hunt: bounded by counts, not time, so that every run is the same run.
hunt=$(mktemp -d)
expect_status 1 cli_hunt_finds_cve_2021_22543_at_size_1 "$KFP" hunt --variant pre-cve --objects ttm --threads 1 --ops 1 --exhaustive 1 --max-findings 1 --time 0 --seed 1 -o "$hunt/a"
head -n 1 "$out" | grep -q '^finding 1: P1+P2, set-up ttm, 1 ops in 1 threads (scenario 1, size 1)$' &&
	grep -q 'P1:reference taken on a refcount-0 page@get_page by fault' "$out"
ok $? cli_hunt_names_the_bug
found="$hunt/a/hunt-pre-cve-P1+P2-1.kfp"
grep -q '^	read gfn 1$' "$found" && grep -q '<- P1: reference taken on a refcount-0 page' "$found" &&
	grep -q '^Result: pre-cve P1+P2; legacy safe; sketch safe; v9 safe; upstream safe; proposal safe.$' "$found"
ok $? cli_hunt_writes_the_shrunk_scenario_with_its_race
# SIGTERM ends a hunt after its current scenario, with its totals (exit 143);
# the first progress line says the handler is in place.  The progress goes
# to a file of its own, empty before the hunt starts: in $err the wait could
# see the last test's progress lines and signal a kfp that had not yet
# caught SIGTERM (so it died by the signal, with no totals).
progress="$hunt/progress"
: >"$progress"
"$KFP" hunt --variant upstream --objects anon --time 0 --seed 1 >"$out" 2>"$progress" &
hunt_pid=$!
tries=0
until grep -q '^hunt: ' "$progress" || [ $tries -ge 1200 ]; do
	sleep 0.1
	tries=$((tries + 1))
done
kill -TERM "$hunt_pid"
wait "$hunt_pid"
status=$?
cp "$progress" "$err"
[ "$status" = 143 ] && tail -n 1 "$out" | grep -q '^[0-9]* scenarios tried' &&
	grep -q 'interrupted by signal 15' "$err"
ok $? cli_hunt_stops_cleanly_on_sigterm
# --cpu-time ends a hunt that no other bound would end
expect_status 0 cli_hunt_cpu_time_stops_it "$KFP" hunt --variant upstream --objects anon --threads 1 --time 0 --cpu-time 0.2 --seed 1
tail -n 1 "$out" | grep -q '^[0-9]* scenarios tried, 0 findings'
ok $? cli_hunt_cpu_time_reports_what_it_tried
expect_status 0 cli_hunt_finding_passes_kfp_check "$KFP" check "$found"
grep -q '^hunt-pre-cve-P1+P2-1  *pre-cve   P1 P2 ' "$out" && tail -n 1 "$out" | grep -q '^6 passed, 0 failed, 0 unchecked$'
ok $? cli_hunt_finding_reproduces_under_check
[ "$(round_trip "$out")" = "replays 3 failed 0" ]
ok $? cli_hunt_finding_replays
"$KFP" hunt --variant pre-cve --objects ttm --threads 1 --ops 1 --exhaustive 1 --max-findings 1 --time 0 --seed 1 -o "$hunt/b" >/dev/null 2>&1
cmp "$found" "$hunt/b/hunt-pre-cve-P1+P2-1.kfp" >"$err" 2>&1
ok $? cli_hunt_is_deterministic
# the control: the designs that fixed the CVE show nothing on the same set-ups
expect_status 0 cli_hunt_upstream_finds_nothing_at_size_1 "$KFP" hunt --variant upstream --objects ttm,anon --threads 1 --ops 1 --exhaustive 1 --time 0
grep -q '^[0-9]* scenarios tried, 0 findings' "$out"
ok $? cli_hunt_says_nothing_was_found
# --budget bounds states, not executions: no two-thread race of two ops on
# anon has 100 executions (each search is complete with a budget of 100
# executions), but many have more than 100 states, so a budget of 100 cuts them
"$KFP" hunt --variant upstream --objects anon --threads 2 --ops 2 --exhaustive 2 --budget 100 --time 0 >"$out" 2>"$err"
grep -q '^618 scenarios tried, 0 findings .*, [1-9][0-9]* searches partial (budget 100 states)$' "$out"
ok $? cli_hunt_budget_bounds_states
grep -q '^hunt: slowest search: scenario [1-9][0-9]*, [0-9.]*s CPU$' "$err"
ok $? cli_hunt_names_its_slowest_search
"$KFP" hunt --variant upstream --objects anon --threads 2 --ops 2 --exhaustive 2 --time 0 >"$out" 2>"$err"
grep -q '^618 scenarios tried, 0 findings .*, 0 searches partial (budget 20000 states)$' "$out"
ok $? cli_hunt_default_budget_cuts_none_of_them
# a hunt of a few seconds rediscovers the missing retry check, only with its injection
expect_status 1 cli_hunt_rediscovers_the_missing_retry_check "$KFP" hunt --variant upstream --inject skip-retry-check --objects anon --threads 1..2 --exhaustive 2 --max-findings 1 --time 0 -o "$hunt/r"
grep -q '^finding 1: P2+P3, set-up anon, 2 ops in 2 threads' "$out" &&
	"$KFP" check "$hunt"/r/*.kfp >"$err" 2>&1
ok $? cli_hunt_retry_check_finding_passes_check
# the narrated race shows every step a report names, with the report under it
# (the narration once parsed the printed trace by column and lost such steps)
narrated_steps_ok() { # file
	awk '/^Reports:/ { r = 1; next }
	     r && /^  step [0-9]+: / { s = $2; sub(":", "", s); want[s] = 1; next }
	     !r && /^ +[0-9]+ / { shown[$1] = 1 }
	     !r && /^        <- / { under++ }
	     END { n = 0; for (s in want) { n++; if (!(s in shown)) exit 1 }
		   exit (n && under >= n) ? 0 : 1 }' "$1"
}
narrated_steps_ok "$hunt"/r/*.kfp
ok $? cli_hunt_narration_shows_the_reported_steps
expect_status 0 cli_hunt_without_the_injection_finds_nothing "$KFP" hunt --variant upstream --objects anon --threads 1..2 --exhaustive 2 --ops 2 --time 0
# every set-up: a size's races come as early as its one-thread sequences (the
# classes share the search by work); the old order tried 5994 scenarios first
expect_status 1 cli_hunt_races_are_not_held_back_by_sequences "$KFP" hunt --variant upstream --inject skip-retry-check --exhaustive 2 --max-scenarios 1000 --max-findings 1 --time 0 -o "$hunt/o"
grep -q '^finding 1: P2+P3, set-up anon, 2 ops in 2 threads (scenario 360, size 2)$' "$out"
ok $? cli_hunt_finds_the_retry_check_race_at_scenario_360
# the one-hour hunt's SIGSEGV (shmem reclaim clearing a pte behind the PTL):
# every search of it ends, and the full one meets its expectations
expect_status 0 cli_shmem_map_vs_reclaim_does_not_crash_dpor "$KFP" check --variant upstream --stop-at-first --search dpor tests/cli/shmem-map-vs-reclaim.kfp
expect_status 0 cli_shmem_map_vs_reclaim_meets_its_expectations "$KFP" check --variant upstream tests/cli/shmem-map-vs-reclaim.kfp
expect_status 0 cli_dontneed_vs_reclaim_puts_only_the_swap_cache_reference_it_holds "$KFP" check --variant upstream tests/cli/vcpu-map-vs-dontneed-vs-reclaim.kfp
# the random phase is the same for a seed
"$KFP" hunt --variant legacy --objects anon --exhaustive 0 --ops 4 --max-scenarios 60 --time 0 --seed 7 >"$hunt/s1" 2>/dev/null
"$KFP" hunt --variant legacy --objects anon --exhaustive 0 --ops 4 --max-scenarios 60 --time 0 --seed 7 >"$hunt/s2" 2>/dev/null
cmp "$hunt/s1" "$hunt/s2" >"$err" 2>&1 && grep -q '^60 scenarios tried' "$hunt/s1"
ok $? cli_hunt_random_phase_is_deterministic_for_a_seed
expect_status 1 cli_hunt_diff_finds_a_difference "$KFP" hunt --diff legacy,upstream --objects ttm --threads 1 --ops 1 --exhaustive 1 --max-findings 1 --time 0 -o "$hunt/d"
grep -q 'vcpu0.r1 ends efault under legacy, ok under upstream.' "$hunt/d/hunt-legacy-vs-upstream-1.kfp" &&
	"$KFP" check "$hunt/d/hunt-legacy-vs-upstream-1.kfp" >"$err" 2>&1
ok $? cli_hunt_diff_finding_passes_check
for args in "" "--variant nope" "--diff legacy" "--diff legacy,legacy" "--variant legacy --threads 5" \
	"--variant legacy --threads 3..2" "--variant legacy --objects nope" "--variant legacy --inject nope" \
	"--variant legacy --time" "--variant legacy --ops 0" "--variant legacy --frobnicate 1"; do
	# shellcheck disable=SC2086
	expect_status 2 "cli_hunt_rejects '$args'" "$KFP" hunt $args
done
rm -rf "$hunt"

# ---- kfp report, --format ktap|junit, the suites' KTAP (issue 11) ----------
# Each checker first shown to catch what it claims, on documents with a
# seeded fault; then kfp's output held to it.
rep=$(mktemp -d)
ktap_rejects() { # name printf-format: the KTAP document it prints must be refused
	# shellcheck disable=SC2059
	printf "$2" >"$rep/bad.ktap"
	if python3 tests/cli/check-ktap.py --totals --closing "$rep/bad.ktap" 2>"$err"; then
		echo "the checker accepted it" >"$err"
		ok 1 "$1"
	else
		ok 0 "$1"
	fi
}
printf 'KTAP version 1\n1..2\nok 1 a\nok 2 b\n# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0\n2 passed, 0 failed\n' >"$rep/good.ktap"
python3 tests/cli/check-ktap.py --totals --closing "$rep/good.ktap" 2>"$err"
ok $? ktap_checker_accepts_a_document
ktap_rejects ktap_checker_rejects_results_before_the_header \
	'ok 1 a\nKTAP version 1\n1..1\n# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0\n1 passed, 0 failed\n'
ktap_rejects ktap_checker_rejects_a_plan_after_the_results \
	'KTAP version 1\nok 1 a\n1..1\n# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0\n1 passed, 0 failed\n'
ktap_rejects ktap_checker_rejects_a_gap_in_the_numbers \
	'KTAP version 1\n1..2\nok 1 a\nok 3 b\n# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0\n2 passed, 0 failed\n'
ktap_rejects ktap_checker_rejects_fewer_results_than_planned \
	'KTAP version 1\n1..3\nok 1 a\nok 2 b\n# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0\n2 passed, 0 failed\n'
ktap_rejects ktap_checker_rejects_an_unknown_directive \
	'KTAP version 1\n1..1\nok 1 a # SKIPPED why\n# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:1 error:0\n0 passed, 0 failed\n'
ktap_rejects ktap_checker_rejects_ok_over_a_failed_subtest \
	'KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: s\n    1..1\n    not ok 1 a\nok 1 s\n# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0\n0 passed, 1 failed\n'
ktap_rejects ktap_checker_rejects_a_subtest_closed_under_another_name \
	'KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: s\n    1..1\n    ok 1 a\nok 1 t\n# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0\n1 passed, 0 failed\n'
ktap_rejects ktap_checker_rejects_a_nest_not_indented_by_4 \
	'KTAP version 1\n1..1\n  KTAP version 1\n  1..1\n  ok 1 a\nok 1 s\n# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0\n1 passed, 0 failed\n'
ktap_rejects ktap_checker_rejects_totals_that_miscount \
	'KTAP version 1\n1..2\nok 1 a\nnot ok 2 b\n# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0\n2 passed, 0 failed\n'
ktap_rejects ktap_checker_rejects_a_document_without_totals \
	'KTAP version 1\n1..1\nok 1 a\n1 passed, 0 failed\n'
ktap_rejects ktap_checker_rejects_a_line_that_is_not_ktap \
	'KTAP version 1\n1..1\nok 1 a\nsomething else\n# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0\n1 passed, 0 failed\n'

# make check's suites: one KTAP document each, with totals, that prove reads
KFP_TEST=${KFP_TEST:-$(dirname "$KFP")/kfp-test}
"$KFP_TEST" no-test-is-named-like-this >"$out" 2>"$err"
status=$?
[ "$status" = 2 ] && [ ! -s "$out" ] && grep -q "no test name contains 'no-test-is-named-like-this'" "$err"
ok $? kfp_test_filter_that_matches_nothing_fails
"$KFP_TEST" parse_ >"$rep/suite.ktap" 2>"$err" &&
	python3 tests/cli/check-ktap.py --totals --closing "$rep/suite.ktap" 2>>"$err"
ok $? kfp_test_prints_one_ktap_document_with_totals
sh tests/layers.sh "$(dirname "$KFP")" >"$rep/layers.ktap" 2>"$err" &&
	python3 tests/cli/check-ktap.py --totals --closing "$rep/layers.ktap" 2>>"$err"
ok $? layers_prints_one_ktap_document_with_totals
if command -v prove >/dev/null 2>&1; then
	prove -e cat "$rep/suite.ktap" "$rep/layers.ktap" >"$err" 2>&1
	ok $? prove_accepts_the_suites_tap
else
	skip prove_accepts_the_suites_tap "prove (perl) is not installed"
fi

# kfp check --format ktap: a failed cell is "not ok" with its expectation and replay
cells="tests/cli/fails-an-expectation.kfp tests/cli/unchecked-for-legacy.kfp scenarios/bugs/pfn-keyed-release-of-refcount-zero-page.kfp"
expect_status 2 cli_format_rejects_an_unknown_name "$KFP" check --format tap $cells
# shellcheck disable=SC2086
expect_status 1 cli_format_ktap_exits_as_check "$KFP" check --format ktap $cells
cp "$out" "$rep/check.ktap"
python3 tests/cli/check-ktap.py --totals "$rep/check.ktap" 2>"$err"
ok $? cli_format_ktap_is_strict_ktap
grep -B3 '^    not ok 5 upstream$' "$rep/check.ktap" |
	grep -q '^    # expectation failed: tests/cli/fails-an-expectation.kfp:26:2: never P2: ' &&
	grep -q '^not ok 2 fails-an-expectation$' "$rep/check.ktap" &&
	grep -q '^    ok 1 pre-cve # SKIP unchecked: no expectation names the variant$' "$rep/check.ktap" &&
	grep -q '^# Totals: pass:7 fail:1 xfail:0 xpass:0 skip:10 error:0$' "$rep/check.ktap"
ok $? cli_format_ktap_says_what_failed_and_counts_it
# the counterexample it prints replays to the violation
cmd=$(sed -n 's/^    # counterexample: kfp replay //p' "$rep/check.ktap" | head -n 1)
eval "set -- $cmd"
[ -n "$cmd" ] && "$KFP" replay "$@" >"$err" 2>&1
[ $? = 1 ] && grep -q '^step [0-9]*: P2' "$err"
ok $? cli_format_ktap_counterexample_replays
if command -v prove >/dev/null 2>&1; then
	prove -e cat "$rep/check.ktap" >"$err" 2>&1
	grep -q 'Failed test:  2$' "$err" && ! grep -q 'Parse errors' "$err"
	ok $? prove_reads_the_ktap_of_kfp_check
else
	skip prove_reads_the_ktap_of_kfp_check "prove (perl) is not installed"
fi
# shellcheck disable=SC2086
"$KFP" check --format ktap --jobs 1 $cells 2>"$err" | cmp -s - "$rep/check.ktap"
ok $? cli_format_ktap_is_the_same_for_any_jobs
# interrupted, the document stays whole: the cells not run are skipped
"$KFP" check --format ktap scenarios >"$out" 2>"$err" &
pid=$!
sleep 1
kill -INT $pid
wait $pid
[ $? = 130 ] && python3 tests/cli/check-ktap.py --totals "$out" 2>>"$err" &&
	grep -q '# SKIP not run: the runs stopped$' "$out"
ok $? cli_format_ktap_interrupted_is_whole

# kfp check --format junit
# shellcheck disable=SC2086
expect_status 1 cli_format_junit_exits_as_check "$KFP" check --format junit $cells
cp "$out" "$rep/check.xml"
python3 tests/cli/check-junit.py "$rep/check.xml" 2>"$err"
ok $? cli_format_junit_follows_the_schema
python3 - "$rep/check.xml" >"$err" 2>&1 <<'EOF'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.get('tests') == '18' and root.get('failures') == '1', root.attrib
failure = root.find("testsuite[@name='fails-an-expectation']/testcase[@name='upstream']/failure")
assert failure is not None
assert failure.get('message').startswith('never P2: '), failure.attrib
assert 'tests/cli/fails-an-expectation.kfp:26:2: never P2' in failure.text, failure.text
assert 'counterexample: kfp replay tests/cli/fails-an-expectation.kfp --variant upstream' in failure.text
assert len(root.findall('.//testcase/skipped')) == 10
EOF
ok $? cli_format_junit_failure_carries_expectation_and_replay
printf '<testsuites tests="2"><testsuite name="s" tests="1"><testcase name="a" classname="k"/></testsuite></testsuites>' >"$rep/bad.xml"
! python3 tests/cli/check-junit.py "$rep/bad.xml" 2>"$err"
ok $? junit_checker_rejects_counts_that_disagree
printf '<testsuites><testsuite name="s" tests="1"><testcase name="a" classname="k"><failure/><skipped/></testcase></testsuite></testsuites>' >"$rep/bad.xml"
! python3 tests/cli/check-junit.py "$rep/bad.xml" 2>"$err"
ok $? junit_checker_rejects_a_case_that_failed_and_skipped
printf '<testsuites><testsuite name="s" tests="1"><testcase name="a"/></testsuite></testsuites>' >"$rep/bad.xml"
! python3 tests/cli/check-junit.py "$rep/bad.xml" 2>"$err"
ok $? junit_checker_rejects_a_case_without_classname
printf '<testsuites><testsuite name="s" tests="1"><testcase name="a" classname="k"></testsuite></testsuites>' >"$rep/bad.xml"
! python3 tests/cli/check-junit.py "$rep/bad.xml" 2>"$err"
ok $? junit_checker_rejects_xml_that_is_not_well_formed

# kfp report: the page, its links and charts, the same cells as the matrix
expect_status 2 cli_report_needs_an_output_directory "$KFP" report $cells
expect_status 2 cli_report_refuses_json "$KFP" report -o "$rep/x" --json $cells
# shellcheck disable=SC2086
"$KFP" check --matrix $cells >"$rep/matrix.txt" 2>"$err"
# shellcheck disable=SC2086
expect_status 1 cli_report_exits_as_check "$KFP" report -o "$rep/small" --no-times $cells
grep -q "^kfp report: wrote $rep/small/index.html and [0-9]* charts$" "$out"
ok $? cli_report_says_where_it_wrote
python3 tests/cli/check-report.py "$rep/small" "$rep/matrix.txt" 2>"$err"
ok $? cli_report_page_is_xhtml_linked_and_the_matrix
# shellcheck disable=SC2086
"$KFP" report -o "$rep/again" --no-times --jobs 1 $cells >/dev/null 2>"$err"
diff -r "$rep/small" "$rep/again" >"$err" 2>&1
ok $? cli_report_no_times_is_deterministic
grep -q '<h2 id="times">' "$rep/small/index.html"
[ $? = 1 ]
ok $? cli_report_no_times_has_no_times
"$KFP" report -o "$rep/lib" scenarios >"$out" 2>"$err"
[ $? = 0 ] && grep -q '<h2 id="times">Times</h2>' "$rep/lib/index.html" &&
	python3 tests/cli/check-report.py "$rep/lib" 2>"$err"
ok $? cli_report_of_the_library_links_a_marked_chart_from_every_unsafe_cell
# the checker catches a page that breaks its rules
seeded() { # name sed-script file: the checker must refuse the small page, so changed
	rm -rf "$rep/seed"
	cp -r "$rep/small" "$rep/seed"
	sed -i "$2" "$rep/seed/$3"
	if python3 tests/cli/check-report.py "$rep/seed" "$rep/matrix.txt" 2>"$err"; then
		echo "the checker accepted it" >"$err"
		ok 1 "$1"
	else
		ok 0 "$1"
	fi
}
chart=$(cd "$rep/small" && ls ./*.counterexample.svg | head -n 1)
seeded report_checker_rejects_a_chart_without_its_mark 's/id="violation-step-[0-9]*"//' "$chart"
seeded report_checker_rejects_a_changed_cell '0,/>P1</s//>P3</' index.html
seeded report_checker_rejects_a_script 's|</head>|<script src="x.js"></script></head>|' index.html
seeded report_checker_rejects_a_link_off_the_page 's|href="#matrix"|href="https://example.org/"|' index.html
seeded report_checker_rejects_html_that_is_not_xml 's|<meta charset="utf-8"/>|<meta charset="utf-8">|' index.html
seeded report_checker_rejects_a_dangling_link 's|href="#settings"|href="#nowhere"|' index.html
# a real browser engine, where there is one (CI without chromium skips it)
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -n "$browser" ]; then
	profile=$(mktemp -d)
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
		--dump-dom "file://$rep/small/index.html" >"$rep/dom.html" 2>"$err"
	rm -rf "$profile"
	want=$(grep -o '<td' "$rep/small/index.html" | wc -l)
	got=$(grep -o '<td' "$rep/dom.html" | wc -l)
	[ "$want" -gt 0 ] && [ "$got" = "$want" ] && grep -q 'fails-an-expectation under upstream' "$rep/dom.html"
	ok $? cli_report_renders_in_chromium
else
	skip cli_report_renders_in_chromium "no chromium on this machine"
fi
rm -rf "$rep"

echo "$passed $failed $skipped" >"$counts"
}

counts=$(mktemp)
results=$(mktemp)
trap 'rm -f "$out" "$err" "$counts" "$results"' EXIT
body >"$results"
read -r passed failed skipped <"$counts"
echo "KTAP version 1"
echo "1..$((passed + failed + skipped))"
cat "$results"
echo "# Totals: pass:$passed fail:$failed xfail:0 xpass:0 skip:$skipped error:0"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
