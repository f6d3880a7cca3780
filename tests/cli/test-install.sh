#!/bin/sh
# make install into a temporary DESTDIR, then use what it installed as a
# user would, from outside the source tree: the installed kfp finds its
# bundled scenarios, checks one, and runs the default matrix over them; a
# C program compiles and links against kfp.pc (pkg-config) and runs; the
# public headers compile as C++ and link from C++; the man pages render
# and name every option the commands' --help lists; bash completion
# completes.  KTAP output, closing with "N passed, N failed".
# $1: make (default: make); run from the source tree.
MAKE=${1:-make}
src=$(pwd)
n=0
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
err="$tmp/err"
: >"$err"

ok() { # status name
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		passed=$((passed + 1))
		echo "ok $n $2"
	else
		failed=$((failed + 1))
		echo "not ok $n $2"
		sed 's/^/# /' "$err" | head -n 20
	fi
	: >"$err"
}

skip() { # name reason
	n=$((n + 1))
	echo "ok $n $1 # SKIP $2"
}

body() {
stage="$tmp/stage"
prefix=/usr/local
root="$stage$prefix"
# the default PREFIX, the one the binary was built for: nothing is rebuilt
# while other tests run it
$MAKE -s install DESTDIR="$stage" >"$tmp/install.out" 2>"$err"
ok $? install_into_destdir

missing=
for f in bin/kfp lib/libkfp.a lib/pkgconfig/kfp.pc share/man/man1/kfp.1 \
	share/man/man5/kfp-scenario.5 share/bash-completion/completions/kfp; do
	[ -f "$root/$f" ] || missing="$missing $f"
done
for h in include/kfp/*.h; do
	[ -f "$root/$h" ] || missing="$missing $h"
done
echo "missing:$missing" >"$err"
[ -z "$missing" ] && [ -x "$root/bin/kfp" ]
ok $? install_puts_every_file_in_place

want=$(find scenarios -name '*.kfp' | wc -l)
got=$(find "$root/share/kfp/scenarios" -name '*.kfp' | wc -l)
echo "scenarios: $want in the tree, $got installed" >"$err"
[ "$want" -gt 0 ] && [ "$want" = "$got" ]
ok $? install_puts_the_bundled_scenarios_under_share_kfp

# the installed binary, run far from the source tree
cd "$tmp" || exit 1
kfp="$root/bin/kfp"
"$kfp" list >"$tmp/list" 2>"$err"
listed=$(grep -c "$root/bin/../share/kfp/scenarios/" "$tmp/list")
echo "kfp list names $listed installed scenario files of $want" >>"$err"
[ "$listed" = "$want" ] && ! grep -q warning "$err"
ok $? installed_kfp_lists_its_own_scenarios

"$kfp" check --variant upstream --progress-every 0 \
	"$root/share/kfp/scenarios/bugs/gpc-double-put.kfp" >"$tmp/check" 2>"$err"
status=$?
cat "$tmp/check" >>"$err"
[ $status = 0 ] && tail -n 1 "$tmp/check" | grep -q '^1 passed, 0 failed'
ok $? installed_kfp_checks_a_bundled_scenario

# the default matrix (no paths): each search cut at one execution, so the
# cells are undecided (exit 3), but every bundled scenario has its row
"$kfp" --variant upstream --max-executions 1 --progress-every 0 >"$tmp/matrix" 2>"$err"
status=$?
rows=0
for f in $(find "$root/share/kfp/scenarios" -name '*.kfp'); do
	name=$(sed -n 's/^name[ 	][ 	]*\([^ 	#]*\).*/\1/p' "$f" | head -n 1)
	grep -q "^ *\*\{0,1\} *$name\( \|\*\)" "$tmp/matrix" && rows=$((rows + 1))
done
echo "default matrix: exit $status, $rows of $want scenarios have a row" >>"$err"
[ $status = 3 ] && [ "$rows" = "$want" ]
ok $? installed_kfp_default_matrix_finds_its_scenarios

# a C program built against kfp.pc: load an installed scenario, search it
cat >"$tmp/probe.c" <<'EOF'
#include <stdio.h>

#include <kfp/scenario.h>

int main(int argc, char **argv)
{
	static struct kfp_scenario scenario;
	static struct kfp_scenario_run run;
	struct kfp_explore_options options = { 0 };
	char error[KFP_ERROR_LEN];
	int design, met;

	if (argc != 3 || (design = kfp_design_index(argv[2])) < 0)
		return 2;
	if (kfp_scenario_load(argv[1], &scenario, error, sizeof(error))) {
		fprintf(stderr, "%s\n", error);
		return 2;
	}
	options.preemption_bound = -1;
	options.stateful = true;
	options.minimize = true;
	if (kfp_scenario_run(&scenario, (unsigned int)design, &options, &run))
		return 2;
	met = run.expectations_met && run.explore.complete;
	printf("%s %s %s\n", scenario.name, argv[2], met ? "met" : "failed");
	kfp_scenario_run_release(&run);
	return !met;
}
EOF
pcdir="$root/lib/pkgconfig"
if command -v pkg-config >/dev/null 2>&1; then
	pc() { PKG_CONFIG_PATH="$pcdir" pkg-config --define-variable=prefix="$root" "$@" kfp; }
	echo "pkg-config: $(pc --cflags --libs)" >"$err"
	pc --exists && pc --cflags | grep -q "^-I$root/include" &&
		pc --libs | grep -q -- "-L$root/lib -lkfp"
	ok $? kfp_pc_gives_the_installed_flags
	cflags=$(pc --cflags)
	libs=$(pc --libs)
else
	skip kfp_pc_gives_the_installed_flags "pkg-config is not installed"
	cflags="-I$root/include"
	libs="-L$root/lib -lkfp -pthread"
fi
# shellcheck disable=SC2086
${CC:-cc} -std=c11 -Wall -Wextra -Werror $cflags "$tmp/probe.c" $libs -o "$tmp/probe" 2>"$err" &&
	"$tmp/probe" "$root/share/kfp/scenarios/bugs/gpc-double-put.kfp" upstream >"$tmp/probe.out" 2>>"$err"
status=$?
cat "$tmp/probe.out" >>"$err"
[ $status = 0 ] && grep -qx 'gpc-double-put upstream met' "$tmp/probe.out"
ok $? c_program_links_against_kfp_pc_and_runs

# the public headers as C++: each alone, strictly, then a C++ program that
# calls into libkfp.a (the extern "C" guards give it C linkage)
cxx=${CXX:-c++}
if command -v "$cxx" >/dev/null 2>&1; then
	bad=
	for h in "$root"/include/kfp/*.h; do
		echo "#include <kfp/$(basename "$h")>" >"$tmp/one.cc"
		"$cxx" -std=c++11 -Wall -Wextra -Werror -pedantic -fsyntax-only -I"$root/include" \
			"$tmp/one.cc" >>"$err" 2>&1 || bad="$bad $(basename "$h")"
	done
	echo "do not compile as C++:$bad" >>"$err"
	[ -z "$bad" ]
	ok $? public_headers_compile_as_cxx
	cat >"$tmp/probe.cc" <<'EOF'
#include <cstdio>

#include <kfp/scenario.h>

int main()
{
	int d = kfp_design_index("upstream");

	std::printf("%s\n", d < 0 ? "none" : kfp_designs[d]->name);
	return d < 0;
}
EOF
	# shellcheck disable=SC2086
	"$cxx" -std=c++11 -Wall -Wextra -Werror $cflags "$tmp/probe.cc" $libs -o "$tmp/probe++" \
		2>"$err" && "$tmp/probe++" >"$tmp/probe++.out" 2>>"$err"
	status=$?
	cat "$tmp/probe++.out" >>"$err" 2>/dev/null
	[ $status = 0 ] && grep -qx upstream "$tmp/probe++.out"
	ok $? cxx_program_links_against_libkfp
else
	skip public_headers_compile_as_cxx "no C++ compiler ($cxx)"
	skip cxx_program_links_against_libkfp "no C++ compiler ($cxx)"
fi

# the manuals: render without a warning, and kfp(1) names every option and
# command that the commands' --help texts list
if command -v groff >/dev/null 2>&1; then
	groff -man -ww -z "$root/share/man/man1/kfp.1" "$root/share/man/man5/kfp-scenario.5" \
		>"$err" 2>&1 && [ ! -s "$err" ]
	ok $? man_pages_render_without_warnings
else
	skip man_pages_render_without_warnings "groff is not installed"
fi
sed 's/\\-/-/g' "$root/share/man/man1/kfp.1" >"$tmp/kfp.1.txt"
for c in "" check replay merge diff list report hunt; do
	# shellcheck disable=SC2086
	"$kfp" $c --help 2>/dev/null | grep -o -- '--[a-z][a-z-]*' | grep -vx -- --name | sort -u | while read -r o; do
		grep -q -- "$o\b" "$tmp/kfp.1.txt" || echo "kfp${c:+ $c} --help lists $o; kfp(1) does not"
	done
	[ -z "$c" ] || grep -q "^\.B $c\$" "$tmp/kfp.1.txt" || echo "kfp(1) has no command $c"
done >"$err"
[ ! -s "$err" ]
ok $? man_page_names_every_option_of_every_command

# bash completion: options of a command, and variant and injection names
complete_words() { # words... (the last one is completed)
	PATH="$root/bin:$PATH" bash -c '
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _kfp; echo "${COMPREPLY[*]}"' \
		sh "$root/share/bash-completion/completions/kfp" "$@"
}
if command -v bash >/dev/null 2>&1; then
	{
		[ "$(complete_words kfp check --wit)" = "--witness" ] &&
			[ "$(complete_words kfp check --variant upst)" = "upstream" ] &&
			[ "$(complete_words kfp check --inject gpc-double)" = "gpc-double-put" ] &&
			[ "$(complete_words kfp rep)" = "replay" ]
	} >"$err" 2>&1
	ok $? bash_completion_completes_options_and_names
else
	skip bash_completion_completes_options_and_names "bash is not installed"
fi

cd "$src" || exit 1
echo "$n $passed $failed" >"$tmp/counts"
}

body >"$tmp/results"
read -r n passed failed <"$tmp/counts"
echo "KTAP version 1"
echo "1..$n"
cat "$tmp/results"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
