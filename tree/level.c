// SPDX-License-Identifier: GPL-2.0
/*
 * Which API level a kernel tree's KVM lookup path is at, from marker
 * symbols (docs/kernel-tree.md "Levels"), and the version its Makefile
 * names.  A tree that misses a symbol its level needs, or that no level
 * fits, gets an error that names the symbol.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "level.h"

/* A marker: @name must be defined in (or, @mention, named by) the file @in. */
struct marker {
	enum { IN_KVM_MAIN, IN_KVM_HOST } in;
	bool mention;
	const char *name;
};

struct level_spec {
	enum kt_level level;
	const char *name;
	/* all of these make the level; the first missing one is the error */
	struct marker needs[16];
};

/* Newest first: a tree is at the first level whose markers it has. */
static const struct level_spec levels[] = {
	{ KT_LEVEL_6_13,
	  "6.13+ (kvm_follow_pfn with refcounted_page)",
	  { { IN_KVM_MAIN, false, "kvm_resolve_pfn" },
	    { IN_KVM_MAIN, false, "kvm_follow_pfn" },
	    { IN_KVM_MAIN, false, "hva_to_pfn" },
	    { IN_KVM_MAIN, false, "hva_to_pfn_fast" },
	    { IN_KVM_MAIN, false, "hva_to_pfn_slow" },
	    { IN_KVM_MAIN, false, "hva_to_pfn_remapped" },
	    { IN_KVM_MAIN, true, "refcounted_page" },
	    { IN_KVM_MAIN, true, "follow_pfnmap_start" },
	    { IN_KVM_MAIN, false, "kvm_release_page_clean" },
	    { IN_KVM_MAIN, false, "kvm_release_page_dirty" },
	    { IN_KVM_HOST, false, "mmu_invalidate_retry_gfn" } } },
	{ KT_LEVEL_6_12,
	  "6.12 (follow_pfnmap_start, notifier by gfn range)",
	  { { IN_KVM_MAIN, true, "follow_pfnmap_start" },
	    { IN_KVM_MAIN, false, "__gfn_to_pfn_memslot" },
	    { IN_KVM_MAIN, false, "hva_to_pfn" },
	    { IN_KVM_MAIN, false, "hva_to_pfn_fast" },
	    { IN_KVM_MAIN, false, "hva_to_pfn_slow" },
	    { IN_KVM_MAIN, false, "hva_to_pfn_remapped" },
	    { IN_KVM_MAIN, false, "kvm_try_get_pfn" },
	    { IN_KVM_MAIN, false, "kvm_pfn_to_refcounted_page" },
	    { IN_KVM_MAIN, false, "kvm_release_pfn_clean" },
	    { IN_KVM_MAIN, false, "kvm_release_pfn_dirty" },
	    { IN_KVM_MAIN, true, "follow_pfnmap_end" },
	    { IN_KVM_HOST, false, "mmu_invalidate_retry_gfn" } } },
	{ KT_LEVEL_6_1,
	  "6.1-era (follow_pte, __gfn_to_pfn_memslot, notifier by hva)",
	  { { IN_KVM_MAIN, true, "follow_pte" },
	    { IN_KVM_MAIN, false, "__gfn_to_pfn_memslot" },
	    { IN_KVM_MAIN, false, "hva_to_pfn" },
	    { IN_KVM_MAIN, false, "hva_to_pfn_fast" },
	    { IN_KVM_MAIN, false, "hva_to_pfn_slow" },
	    { IN_KVM_MAIN, false, "hva_to_pfn_remapped" },
	    { IN_KVM_MAIN, false, "kvm_try_get_pfn" },
	    { IN_KVM_MAIN, false, "kvm_pfn_to_refcounted_page" },
	    { IN_KVM_MAIN, false, "kvm_release_pfn_clean" },
	    { IN_KVM_MAIN, false, "kvm_release_pfn_dirty" },
	    { IN_KVM_MAIN, false, "kvm_vcpu_map" },
	    { IN_KVM_MAIN, false, "kvm_vcpu_unmap" },
	    { IN_KVM_HOST, false, "mmu_invalidate_retry_hva" } } },
};

const char *kt_level_name(enum kt_level level)
{
	unsigned int i;

	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (levels[i].level == level)
			return levels[i].name;
	return "unknown";
}

static bool has(const struct marker *m, const struct kt_source *kvm_main,
		const struct kt_source *kvm_host)
{
	const struct kt_source *src = m->in == IN_KVM_MAIN ? kvm_main : kvm_host;

	return m->mention ? kt_mentions(src, m->name) : kt_defines(src, m->name);
}

/* The first marker of @spec the files lack, or NULL. */
static const struct marker *missing(const struct level_spec *spec, const struct kt_source *kvm_main,
				    const struct kt_source *kvm_host)
{
	const struct marker *m;

	for (m = spec->needs; m->name; m++)
		if (!has(m, kvm_main, kvm_host))
			return m;
	return NULL;
}

/*
 * The level is the first whose distinguishing marker (its first) the
 * tree has; then every other marker of that level must be there too.
 */
int kt_detect_level(const struct kt_source *kvm_main, const struct kt_source *kvm_host,
		    enum kt_level *level, struct kt_buf *err)
{
	unsigned int i;

	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		const struct level_spec *spec = &levels[i];
		const struct marker *m;

		if (!has(&spec->needs[0], kvm_main, kvm_host))
			continue;
		m = missing(spec, kvm_main, kvm_host);
		if (m) {
			kt_buf_printf(err, "%s: looks like level %s but %s %s %s",
				      m->in == IN_KVM_MAIN ? kvm_main->path : kvm_host->path,
				      spec->name, m->mention ? "does not use" : "does not define",
				      m->name, "(unknown level)");
			return -1;
		}
		*level = spec->level;
		return 0;
	}
	kt_buf_printf(err,
		      "%s: unknown level: none of kvm_resolve_pfn (6.13+), follow_pfnmap_start "
		      "(6.12) or follow_pte (6.1-era) is used",
		      kvm_main->path);
	return -1;
}

/* "VERSION = 6" and kin from the top Makefile: "6.1.192", EXTRAVERSION appended. */
int kt_tree_version(const char *dir, char *version, size_t size, struct kt_buf *err)
{
	static const char *const keys[] = { "VERSION", "PATCHLEVEL", "SUBLEVEL", "EXTRAVERSION" };
	long value[3] = { -1, -1, -1 };
	char extra[32] = "";
	char path[4096], line[256];
	unsigned int k;
	FILE *f;

	snprintf(path, sizeof(path), "%s/Makefile", dir);
	f = fopen(path, "r");
	if (!f) {
		kt_buf_printf(err, "%s: cannot read the tree's version", path);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		for (k = 0; k < 4; k++) {
			size_t n = strlen(keys[k]);
			char *p = line + n;

			if (strncmp(line, keys[k], n) || (*p != ' ' && *p != '=' && *p != '\t'))
				continue;
			while (*p == ' ' || *p == '=' || *p == '\t')
				p++;
			if (k == 3 && !*extra)
				sscanf(p, "%31[A-Za-z0-9_.+-]", extra);
			else if (k < 3 && value[k] < 0)
				value[k] = strtol(p, NULL, 10);
		}
	}
	fclose(f);
	if (value[0] < 0 || value[1] < 0) {
		kt_buf_printf(err, "%s: no VERSION or PATCHLEVEL", path);
		return -1;
	}
	if (value[2] < 0)
		value[2] = 0;
	snprintf(version, size, "%ld.%ld.%ld%s", value[0], value[1], value[2], extra);
	return 0;
}
