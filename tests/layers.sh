#!/bin/sh
# The layering rules, checked on the object files (nm): a layer may use the
# symbols of the layers below it, never those of a layer above.
#   folders: seam <- mm <- kvm <- kvm/design <- check <- explore <- scenario
#   kvm/ (docs/model.md): memslots <- follow_pfn <- mmu, pfncache, vcpu_map
#                         <- kvm_main
# KTAP output (the plan first, kselftest's "# Totals:" last), closing with
# "N passed, N failed".  $1: the build directory.
OBJ=${1:-build/normal}
n=0
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

defined() { # objects... -> the global symbols they define
	nm -g --defined-only "$@" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u
}

undefined() { # objects... -> the symbols they use from elsewhere
	nm -u "$@" 2>/dev/null | awk 'NF == 2 { print $2 }' | sort -u
}

# check NAME "lower objects" "higher objects": nothing in lower uses higher
check() {
	n=$((n + 1))
	defined $3 >"$tmp/up"
	undefined $2 >"$tmp/down"
	comm -12 "$tmp/up" "$tmp/down" >"$tmp/bad"
	if [ -s "$tmp/up" ] && [ ! -s "$tmp/bad" ]; then
		passed=$((passed + 1))
		echo "ok $n $1"
	else
		failed=$((failed + 1))
		echo "not ok $n $1"
		sed 's/^/# uses a higher layer: /' "$tmp/bad" | head -n 10
	fi
}

objs() { # dirs... -> their objects (one level), of sources that exist
	for d in "$@"; do
		for o in "$OBJ/$d"/*.o; do
			src=${o#"$OBJ"/}
			[ -f "${src%.o}.c" ] && echo "$o"
		done
	done
}

# the results first, so that the plan can head them
layers() {
	check layers_seam_uses_nothing_above "$(objs seam)" \
		"$(objs mm kvm kvm/design check explore scenario)"
	check layers_mm_uses_nothing_above "$(objs mm)" "$(objs kvm kvm/design check explore scenario)"
	check layers_kvm_uses_nothing_above "$(objs kvm)" "$(objs kvm/design check explore scenario)"
	check layers_kvm_design_uses_nothing_above "$(objs kvm/design)" "$(objs check explore scenario)"
	check layers_check_uses_nothing_above "$(objs check)" "$(objs explore scenario)"
	check layers_explore_uses_nothing_above "$(objs explore)" "$(objs scenario)"
	K=$OBJ/kvm
	check layers_kvm_memslots_is_the_bottom "$K/memslots.o" \
		"$K/follow_pfn.o $K/mmu.o $K/pfncache.o $K/vcpu_map.o $K/kvm_main.o"
	check layers_kvm_follow_pfn_is_below_its_users "$K/follow_pfn.o" \
		"$K/mmu.o $K/pfncache.o $K/vcpu_map.o $K/kvm_main.o"
	check layers_kvm_mmu_is_below_kvm_main "$K/mmu.o" "$K/pfncache.o $K/vcpu_map.o $K/kvm_main.o"
	check layers_kvm_pfncache_is_below_kvm_main "$K/pfncache.o" "$K/mmu.o $K/vcpu_map.o $K/kvm_main.o"
	check layers_kvm_vcpu_map_is_below_kvm_main "$K/vcpu_map.o" "$K/mmu.o $K/pfncache.o $K/kvm_main.o"
}

layers >"$tmp/results"
echo "KTAP version 1"
echo "1..$n"
cat "$tmp/results"
echo "# Totals: pass:$passed fail:$failed xfail:0 xpass:0 skip:0 error:0"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
