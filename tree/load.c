// SPDX-License-Identifier: GPL-2.0
/*
 * --kernel-tree DIR: open the tree, detect its level, generate one
 * translation unit (kfp's constants, the level's kernel-shaped shim, the
 * tree's definitions behind their #line, the entry points), compile it
 * with -fsanitize=thread into a shared object in a cache directory (no
 * libtsan: kfp's tree/tsan.c is the runtime), load it and register the
 * design "tree:VERSION": the closest hand-rendered design's caller
 * policies with the tree's own lookup and release in place of kfp's.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <kfp/kvm.h>
#include <kfp/tree.h>

#include "gpc.h"
#include "level.h"
#include "shim61.h"
#include "shim613.h"
#include "shim_text.h"
#include "tree.h"
#include "vcpu_map.h"

extern char **environ;

/* What the 6.1-era shim extracts, in this order within each file. */
struct wanted {
	const char *file; /* under the tree */
	enum kt_kind kind;
	const char *name;
};

static const struct wanted wanted61[] = {
	{ "include/linux/kvm_host.h", KT_MACRO, "KVM_MEMSLOT_INVALID" },
	{ "include/linux/kvm_host.h", KT_MACRO, "KVM_PFN_ERR_MASK" },
	{ "include/linux/kvm_host.h", KT_MACRO, "KVM_PFN_ERR_NOSLOT_MASK" },
	{ "include/linux/kvm_host.h", KT_MACRO, "KVM_PFN_NOSLOT" },
	{ "include/linux/kvm_host.h", KT_MACRO, "KVM_PFN_ERR_FAULT" },
	{ "include/linux/kvm_host.h", KT_MACRO, "KVM_PFN_ERR_HWPOISON" },
	{ "include/linux/kvm_host.h", KT_MACRO, "KVM_PFN_ERR_RO_FAULT" },
	{ "include/linux/kvm_host.h", KT_FUNCTION, "is_error_pfn" },
	{ "include/linux/kvm_host.h", KT_FUNCTION, "is_error_noslot_pfn" },
	{ "include/linux/kvm_host.h", KT_MACRO, "KVM_HVA_ERR_BAD" },
	{ "include/linux/kvm_host.h", KT_MACRO, "KVM_HVA_ERR_RO_BAD" },
	{ "include/linux/kvm_host.h", KT_FUNCTION, "kvm_is_error_hva" },
	{ "include/linux/kvm_host.h", KT_FUNCTION, "is_error_page" },
	{ "include/linux/kvm_host.h", KT_FUNCTION, "__gfn_to_hva_memslot" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "kvm_is_zone_device_page" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "kvm_pfn_to_refcounted_page" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "memslot_is_readonly" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "__gfn_to_hva_many" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "check_user_page_hwpoison" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "hva_to_pfn_fast" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "hva_to_pfn_slow" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "vma_is_valid" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "kvm_try_get_pfn" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "hva_to_pfn_remapped" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "hva_to_pfn" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "__gfn_to_pfn_memslot" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "kvm_is_ad_tracked_page" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "kvm_set_page_dirty" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "kvm_set_page_accessed" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "kvm_release_page_clean" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "kvm_release_page_dirty" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "kvm_release_pfn_clean" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "kvm_release_pfn_dirty" },
};

/* What 6.1 needs beyond the lookup path: the fault's retry check, by hva (6.1 .. 6.7) */
static const struct wanted more61[] = {
	{ "include/linux/kvm_host.h", KT_FUNCTION, "mmu_invalidate_retry_hva" },
	/* kvm_vcpu_map() and kvm_vcpu_unmap() (tree/vcpu_map.c) */
	{ "include/linux/kvm_host.h", KT_MACRO, "KVM_UNMAPPED_PAGE" },
	{ "include/linux/kvm_host.h", KT_STRUCT, "kvm_host_map" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "gfn_to_pfn_memslot" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "gfn_to_pfn" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "kvm_release_pfn" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "kvm_vcpu_map" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "kvm_vcpu_unmap" },
};

/*
 * What 6.12 needs beyond 6.1's list (follow_pfnmap_start() is in mm/, not
 * KVM): the fault's retry check, by gfn (6.8+)
 */
static const struct wanted more612[] = {
	{ "include/linux/kvm_host.h", KT_MACRO, "KVM_PFN_ERR_SIGPENDING" },
	{ "include/linux/kvm_host.h", KT_FUNCTION, "mmu_invalidate_retry_gfn" },
	/* kvm_vcpu_map() and kvm_vcpu_unmap() (tree/vcpu_map.c), as 6.1's */
	{ "include/linux/kvm_host.h", KT_MACRO, "KVM_UNMAPPED_PAGE" },
	{ "include/linux/kvm_host.h", KT_STRUCT, "kvm_host_map" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "gfn_to_pfn_memslot" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "gfn_to_pfn" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "kvm_release_pfn" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "kvm_vcpu_map" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "kvm_vcpu_unmap" },
};

/*
 * 6.13+ (kvm_follow_pfn with refcounted_page): the pfn-based helpers are
 * gone; the lookup takes a struct kvm_follow_pfn (virt/kvm/kvm_mm.h) and
 * hands back the struct page it holds, which the caller releases.
 */
static const struct wanted wanted613[] = {
	{ "include/linux/kvm_host.h", KT_MACRO, "KVM_MEMSLOT_INVALID" },
	{ "include/linux/kvm_host.h", KT_MACRO, "KVM_PFN_ERR_MASK" },
	{ "include/linux/kvm_host.h", KT_MACRO, "KVM_PFN_ERR_NOSLOT_MASK" },
	{ "include/linux/kvm_host.h", KT_MACRO, "KVM_PFN_NOSLOT" },
	{ "include/linux/kvm_host.h", KT_MACRO, "KVM_PFN_ERR_FAULT" },
	{ "include/linux/kvm_host.h", KT_MACRO, "KVM_PFN_ERR_HWPOISON" },
	{ "include/linux/kvm_host.h", KT_MACRO, "KVM_PFN_ERR_RO_FAULT" },
	{ "include/linux/kvm_host.h", KT_MACRO, "KVM_PFN_ERR_SIGPENDING" },
	{ "include/linux/kvm_host.h", KT_MACRO, "KVM_PFN_ERR_NEEDS_IO" },
	{ "include/linux/kvm_host.h", KT_FUNCTION, "is_error_pfn" },
	{ "include/linux/kvm_host.h", KT_FUNCTION, "is_error_noslot_pfn" },
	{ "include/linux/kvm_host.h", KT_MACRO, "KVM_HVA_ERR_BAD" },
	{ "include/linux/kvm_host.h", KT_MACRO, "KVM_HVA_ERR_RO_BAD" },
	{ "include/linux/kvm_host.h", KT_FUNCTION, "kvm_is_error_hva" },
	{ "include/linux/kvm_host.h", KT_FUNCTION, "__gfn_to_hva_memslot" },
	{ "include/linux/kvm_host.h", KT_FUNCTION, "mmu_invalidate_retry_gfn" },
	{ "virt/kvm/kvm_mm.h", KT_STRUCT, "kvm_follow_pfn" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "memslot_is_readonly" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "__gfn_to_hva_many" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "kvm_is_ad_tracked_page" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "kvm_set_page_dirty" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "kvm_set_page_accessed" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "kvm_release_page_clean" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "kvm_release_page_dirty" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "kvm_resolve_pfn" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "hva_to_pfn_fast" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "hva_to_pfn_slow" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "vma_is_valid" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "hva_to_pfn_remapped" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "hva_to_pfn" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "kvm_follow_pfn" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "__kvm_faultin_pfn" },
	/* __kvm_vcpu_map() and kvm_vcpu_unmap() (tree/vcpu_map.c) */
	{ "include/linux/kvm_host.h", KT_STRUCT, "kvm_host_map" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "__kvm_vcpu_map" },
	{ "virt/kvm/kvm_main.c", KT_FUNCTION, "kvm_vcpu_unmap" },
};

/* The shim of each level kfp handles: what to extract, its text, its entry points. */
struct level_shim {
	enum kt_level level;
	const char *dir; /* tree/shim/DIR/ */
	const struct wanted *wanted, *more; /* 6.1's list, then what the level adds */
	unsigned int nr_wanted, nr_more;
	const char *kernel_h, *entry_h;
	const char *prefix; /* of the entry points */
	unsigned int nr_constants; /* that kts*_constants() reports */
};

#define KT_NR(w) (sizeof(w) / sizeof(w[0]))
static const struct level_shim shims[] = {
	{ KT_LEVEL_6_1, "6.1", wanted61, more61, KT_NR(wanted61), KT_NR(more61),
	  kts_shim61_kernel_h, kts_shim61_entry_h, "kts61_", 7 },
	{ KT_LEVEL_6_12, "6.12", wanted61, more612, KT_NR(wanted61), KT_NR(more612),
	  kts_shim612_kernel_h, kts_shim612_entry_h, "kts612_", 8 },
	{ KT_LEVEL_6_13, "6.13", wanted613, NULL, KT_NR(wanted613), 0, kts_shim613_kernel_h,
	  kts_shim613_entry_h, "kts613_", 9 },
};

static const struct wanted *wanted_at(const struct level_shim *shim, unsigned int i)
{
	return i < shim->nr_wanted ? &shim->wanted[i] : &shim->more[i - shim->nr_wanted];
}

static const struct level_shim *shim_of(enum kt_level level)
{
	unsigned int i;

	for (i = 0; i < sizeof(shims) / sizeof(shims[0]); i++)
		if (shims[i].level == level)
			return &shims[i];
	return NULL;
}

/* tree/shim/6.1/kernel.h struct kvm_memory_slot, as kfp fills it */
struct kts61_slot {
	u64 base_gfn;
	unsigned long npages;
	unsigned long userspace_addr;
	u32 flags;
	short id;
	u16 as_id;
};

/* One loaded tree: its design first, so that kvm->design finds the rest. */
struct tree61 {
	struct kvm_design design;
	char name[64], renders[160], dir[4096];
	u64 (*gfn_to_pfn_memslot)(const struct kts61_slot *slot, u64 gfn, bool want_async,
				  bool *async, bool write_fault, bool *writable,
				  unsigned long *hva);
	/* 6.12: with @interruptible */
	u64 (*gfn_to_pfn_memslot612)(const struct kts61_slot *slot, u64 gfn, bool interruptible,
				     bool want_async, bool *async, bool write_fault, bool *writable,
				     unsigned long *hva);
	u64 (*hva_to_pfn)(unsigned long addr, bool want_async, bool *async, bool write_fault,
			  bool *writable);
	void (*release_pfn)(u64 pfn, bool dirty);
	bool (*pfn_is_refcounted)(u64 pfn);
	int (*mmu_invalidate_retry_hva)(void *kvm, unsigned long mmu_seq, unsigned long hva);
	/* 6.12, 6.13+: the fault's check under mmu_lock, by gfn */
	int (*mmu_invalidate_retry_gfn)(void *kvm, unsigned long mmu_seq, u64 gfn);
	/* 6.13+: kvm_follow_pfn()/hva_to_pfn() on a struct kvm_follow_pfn, release by page */
	u64 (*follow_pfn613)(const struct kts61_slot *slot, u64 gfn, unsigned int flags, bool pin,
			     bool *map_writable, u64 *refcounted_page, unsigned long *hva);
	u64 (*hva_to_pfn613)(unsigned long addr, unsigned int flags, bool pin, bool *map_writable,
			     u64 *refcounted_page);
	void (*release_page)(u64 page, bool dirty);
	u64 (*faultin_pfn613)(const struct kts61_slot *slot, u64 gfn, unsigned int foll,
			      bool *writable, u64 *refcounted_page);
	void (*constants)(u64 *v);
	void (*kvm_layout)(u64 *v);
};

/* Patched copies beside the trees they came from (6.1, 6.12, 6.13+): the tests load 17 */
#define KT_MAX_TREES 24
static struct tree61 trees[KT_MAX_TREES];
static unsigned int nr_trees;

static const struct tree61 *tree_of(const struct kvm *kvm)
{
	return (const struct tree61 *)kvm->design;
}

/* ---- the tree's files ---- */

int kt_tree_open(struct kt_tree *t, const char *dir, struct kt_buf *err)
{
	char path[4096];
	unsigned int n;

	memset(t, 0, sizeof(*t));
	t->dir = dir;
	snprintf(path, sizeof(path), "%s/virt/kvm/kvm_main.c", dir);
	if (kt_source_load(&t->kvm_main, path, err))
		return -1;
	snprintf(path, sizeof(path), "%s/include/linux/kvm_host.h", dir);
	if (kt_source_load(&t->kvm_host, path, err))
		goto out_kvm_main;
	if (kt_tree_version(dir, t->version, sizeof(t->version), err))
		goto out_kvm_host;
	if (kt_detect_level(&t->kvm_main, &t->kvm_host, &t->level, err))
		goto out_kvm_host;
	snprintf(path, sizeof(path), "%s/virt/kvm/kvm_mm.h", dir);
	if (t->level == KT_LEVEL_6_13 && kt_source_load(&t->kvm_mm, path, err))
		goto out_kvm_host;
	/* the gfn->pfn cache is the tree's too where kfp has its shim and the tree the file */
	snprintf(path, sizeof(path), "%s/virt/kvm/pfncache.c", dir);
	if (kt_gpc_wanted(t->level, &n) && !access(path, R_OK) &&
	    kt_source_load(&t->pfncache, path, err))
		goto out_kvm_mm;
	return 0;
out_kvm_mm:
	kt_source_free(&t->kvm_mm);
out_kvm_host:
	kt_source_free(&t->kvm_host);
out_kvm_main:
	kt_source_free(&t->kvm_main);
	return -1;
}

void kt_tree_close(struct kt_tree *t)
{
	kt_source_free(&t->kvm_main);
	kt_source_free(&t->kvm_host);
	kt_source_free(&t->kvm_mm);
	kt_source_free(&t->pfncache);
}

/* ---- the translation unit ---- */

/*
 * The configuration the extractor chooses #if branches with (x86-64 KVM;
 * arch/x86/include/asm/kvm_host.h defines KVM_ARCH_WANT_MMU_NOTIFIER).
 */
static const char *const config61[] = {
	"CONFIG_KVM",
	"CONFIG_MMU_NOTIFIER",
	"CONFIG_64BIT",
	"CONFIG_X86",
	"CONFIG_X86_64",
	"CONFIG_HAS_IOMEM",
	"CONFIG_MMU",
	"KVM_ARCH_WANT_MMU_NOTIFIER",
	"CONFIG_KVM_GENERIC_MMU_NOTIFIER", /* 6.8+: x86 selects it */
	NULL,
};

/* The model's values the tree's code must use: the shim passes its flags through. */
static void prelude(struct kt_buf *tu)
{
	const char *const *c;

	kt_buf_printf(tu, "/* generated by kfp --kernel-tree: kfp's constants */\n");
	/* the #if inside a definition (kvm_vcpu_map()'s CONFIG_HAS_IOMEM) sees what the extractor saw */
	for (c = config61; *c; c++)
		kt_buf_printf(tu, "#define %s 1\n", *c);
	kt_buf_printf(tu, "#define PAGE_SHIFT %d\n", PAGE_SHIFT);
	kt_buf_printf(tu, "#define PAGE_OFFSET 0x%llxUL\n", (unsigned long long)KFP_PAGE_OFFSET);
#define KT_CONST(name) kt_buf_printf(tu, "#define " #name " 0x%lxUL\n", (unsigned long)(name))
	KT_CONST(FOLL_WRITE);
	KT_CONST(FOLL_GET);
	KT_CONST(FOLL_FORCE);
	KT_CONST(FOLL_NOWAIT);
	KT_CONST(FOLL_HWPOISON);
	KT_CONST(FOLL_PIN);
	KT_CONST(FOLL_INTERRUPTIBLE);
	KT_CONST(FOLL_HONOR_NUMA_FAULT);
	KT_CONST(FAULT_FLAG_WRITE);
	KT_CONST(VM_READ);
	KT_CONST(VM_WRITE);
	KT_CONST(VM_SHARED);
	KT_CONST(VM_IO);
	KT_CONST(VM_PFNMAP);
	KT_CONST(VM_MIXEDMAP);
	KT_CONST(KVM_MEM_READONLY);
#undef KT_CONST
	/* include/linux/kvm_types.h (not among the tree's files kfp reads): the model's */
	kt_buf_printf(tu, "#define INVALID_GPA 0x%llxULL\n", (unsigned long long)INVALID_GPA);
}

static const struct kt_source *source_of(const struct kt_tree *t, const char *file)
{
	if (strstr(file, "pfncache.c"))
		return &t->pfncache;
	if (strstr(file, "kvm_mm.h"))
		return &t->kvm_mm;
	return strstr(file, "kvm_host.h") ? &t->kvm_host : &t->kvm_main;
}

struct piece {
	const struct kt_source *src;
	int rank; /* kvm_host.h, then kvm_mm.h, then kvm_main.c, then pfncache.c */
	size_t line;
	struct kt_buf text;
};

static int by_source_then_line(const void *a, const void *b)
{
	const struct piece *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank - y->rank;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* The gfn->pfn cache's shim texts (tree/gpc.c), each behind its #line */
static void gpc_texts(struct kt_buf *tu, enum kt_level level, bool entry)
{
	const struct kt_gpc_text *texts;
	unsigned int i, n;

	texts = kt_gpc_texts(level, entry, &n);
	for (i = 0; i < n; i++) {
		kt_buf_printf(tu, "#line 1 \"<kfp>/tree/shim/%s\"\n", texts[i].name);
		kt_buf_add(tu, texts[i].text, strlen(texts[i].text));
	}
}

int kt_generate(const struct kt_tree *t, struct kt_buf *tu, struct kt_buf *err)
{
	const struct level_shim *shim = shim_of(t->level);
	const struct kt_wanted *gpc = NULL;
	struct piece *pieces;
	unsigned int i, n, nr_gpc = 0;
	int r = -1;

	if (!shim) {
		kt_buf_printf(
			err,
			"%s: level %s: kfp has no shim for it yet (6.1-era, 6.12 and 6.13+ only)",
			t->dir, kt_level_name(t->level));
		return -1;
	}
	n = shim->nr_wanted + shim->nr_more;
	if (t->pfncache.text)
		gpc = kt_gpc_wanted(t->level, &nr_gpc);
	n += nr_gpc;
	pieces = calloc(n, sizeof(*pieces));
	if (!pieces) {
		perror("kfp");
		exit(4);
	}
	for (i = 0; i < n; i++) {
		const struct wanted *w = i < n - nr_gpc ? wanted_at(shim, i) : NULL;
		const char *file = w ? w->file : gpc[i - (n - nr_gpc)].file;
		enum kt_kind kind = w ? w->kind : gpc[i - (n - nr_gpc)].kind;
		const char *name = w ? w->name : gpc[i - (n - nr_gpc)].name;

		pieces[i].src = source_of(t, file);
		pieces[i].rank = pieces[i].src == &t->pfncache ? 3 :
				 pieces[i].src == &t->kvm_main ? 2 :
								 pieces[i].src == &t->kvm_mm;
		if (kt_extract(pieces[i].src, kind, name, config61, &pieces[i].text, err))
			goto out_free;
		pieces[i].line = strtoul(pieces[i].text.s + strlen("#line "), NULL, 10);
	}
	/* a file's definitions in the file's order: each uses only those above it */
	qsort(pieces, n, sizeof(*pieces), by_source_then_line);
	prelude(tu);
	kt_buf_printf(tu, "#line 1 \"<kfp>/tree/shim/%s/kernel.h\"\n", shim->dir);
	kt_buf_add(tu, shim->kernel_h, strlen(shim->kernel_h));
	if (nr_gpc)
		gpc_texts(tu, t->level, false);
	for (i = 0; i < n; i++)
		kt_buf_add(tu, pieces[i].text.s, pieces[i].text.len);
	kt_buf_printf(tu, "#line 1 \"<kfp>/tree/shim/%s/entry.h\"\n", shim->dir);
	kt_buf_add(tu, shim->entry_h, strlen(shim->entry_h));
	if (nr_gpc)
		gpc_texts(tu, t->level, true);
	r = 0;
out_free:
	for (i = 0; i < n; i++)
		kt_buf_free(&pieces[i].text);
	free(pieces);
	return r;
}

/* ---- compiling ---- */

static u64 fnv1a(const char *s, size_t n, u64 h)
{
	while (n--) {
		h ^= (unsigned char)*s++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Run @argv with stderr (and stdout) into @log; its exit status, or -1. */
static int run(char *const argv[], const char *log)
{
	posix_spawn_file_actions_t fa;
	int status, r;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 2, log, O_WRONLY | O_CREAT | O_APPEND, 0644);
	posix_spawn_file_actions_adddup2(&fa, 2, 1);
	r = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r)
		return -1;
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int mkdir_p(const char *dir)
{
	char path[4096], *p;

	snprintf(path, sizeof(path), "%s", dir);
	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(path, 0755) && errno != EEXIST ? -1 : 0;
}

void kt_cache_dir(char *dir, size_t size)
{
	const char *env = getenv("KFP_CACHE_DIR"), *xdg = getenv("XDG_CACHE_HOME"),
		   *home = getenv("HOME");

	if (env && *env)
		snprintf(dir, size, "%s", env);
	else if (xdg && *xdg)
		snprintf(dir, size, "%s/kfp", xdg);
	else if (home && *home)
		snprintf(dir, size, "%s/.cache/kfp", home);
	else
		snprintf(dir, size, "/tmp/kfp-cache-%u", (unsigned int)getuid());
}

static void append_log(struct kt_buf *err, const char *log)
{
	struct kt_source text;
	struct kt_buf ignore = { 0 };

	if (kt_source_load(&text, log, &ignore)) {
		kt_buf_free(&ignore);
		return;
	}
	kt_buf_printf(err, "\n%.*s", (int)(text.len > 6000 ? 6000 : text.len), text.text);
	kt_source_free(&text);
}

/* @src -> @obj -> @so (through a name of this process's); -1 with @err quoting @log. */
static int compile_and_link(const char *cc, char *src, char *obj, const char *log, const char *so,
			    struct kt_buf *err)
{
	char *compile[] = { (char *)cc,
			    "-std=gnu11",
			    "-O1",
			    "-g",
			    "-fPIC",
			    "-fvisibility=hidden",
			    "-fsanitize=thread",
			    "-fno-strict-aliasing",
			    "-w",
			    "-c",
			    src,
			    "-o",
			    obj,
			    NULL };
	char tmp[4200];
	char *link[] = { (char *)cc, "-shared", obj, "-o", tmp, NULL };

	snprintf(tmp, sizeof(tmp), "%s.%d", so, (int)getpid());
	if (run(compile, log)) {
		kt_buf_printf(err, "the tree's code did not compile (%s):", log);
		append_log(err, log);
		return -1;
	}
	if (run(link, log) || rename(tmp, so)) {
		kt_buf_printf(err, "the tree's code did not link (%s):", log);
		append_log(err, log);
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* Keep the unit under its final name for whoever wants to read it; drop the rest. */
static int rename_in(const char *src, const char *final_src, const char *obj, const char *log)
{
	rename(src, final_src);
	unlink(obj);
	unlink(log);
	return 0;
}

int kt_compile(const char *tu, const char *cache_dir, const char *version, char *so, size_t so_size,
	       struct kt_buf *err)
{
	const char *cc = getenv("KFP_TREE_CC");
	char src[4096], obj[4200], log[4200], final_src[4096];
	u64 h;
	FILE *f;

	if (!cc || !*cc)
		cc = "cc";
	h = fnv1a(cc, strlen(cc), fnv1a(tu, strlen(tu), 0xcbf29ce484222325ULL));
	if (mkdir_p(cache_dir)) {
		kt_buf_printf(err, "%s: %s", cache_dir, strerror(errno));
		return -1;
	}
	/* this process's own files until the .so is renamed in: kfp runs may race */
	snprintf(final_src, sizeof(final_src), "%s/tree-%s-%016llx.c", cache_dir, version,
		 (unsigned long long)h);
	snprintf(src, sizeof(src), "%s/tree-%s-%016llx.%d.c", cache_dir, version,
		 (unsigned long long)h, (int)getpid());
	snprintf(obj, sizeof(obj), "%s.o", src);
	snprintf(log, sizeof(log), "%s.log", src);
	snprintf(so, so_size, "%s/tree-%s-%016llx.so", cache_dir, version, (unsigned long long)h);
	if (!access(so, R_OK))
		return 0;
	f = fopen(src, "w");
	if (!f || fputs(tu, f) < 0 || fclose(f)) {
		kt_buf_printf(err, "%s: cannot write", src);
		return -1;
	}
	return compile_and_link(cc, src, obj, log, so, err) ? -1 :
							      rename_in(src, final_src, obj, log);
}

/* ---- the design ---- */

static kfp_pfn_t tree61_finish(struct kvm_follow_pfn *kfp, kfp_pfn_t pfn, bool async,
			       struct kts_saved saved)
{
	bool remapped = kts_remapped();

	kts_leave(saved);
	/* hva_to_pfn() (6.1): a valid VMA GUP would not fault in without waiting */
	if (async)
		return KVM_PFN_ERR_NEEDS_IO;
	if (is_error_noslot_pfn(pfn))
		return pfn;
	kfp->remapped = remapped;
	/* a GUP'd page is referenced; a remapped pfn is what kvm_try_get_pfn() made it */
	if (!remapped) {
		kfp->is_refcounted_page = true;
		*kfp->refcounted_page = pfn;
	}
	return pfn;
}

static void slot_of(const struct kvm_memory_slot *slot, struct kts61_slot *s)
{
	s->base_gfn = slot->base_gfn;
	s->npages = slot->npages;
	s->userspace_addr = slot->userspace_addr;
	s->flags = slot->flags;
	s->id = (short)slot->id;
	s->as_id = slot->as_id;
}

/* virt/kvm/kvm_main.c __gfn_to_pfn_memslot() of the tree, for kvm_follow_pfn() */
static kfp_pfn_t tree61_follow_pfn(struct kvm *kvm, struct kvm_follow_pfn *kfp)
{
	struct kts61_slot slot;
	struct kts_saved saved;
	unsigned long hva = 0;
	bool async = false;
	kfp_pfn_t pfn;

	if (kfp->slot)
		slot_of(kfp->slot, &slot);
	saved = kts_enter(kvm, kfp->owner);
	if (tree_of(kvm)->gfn_to_pfn_memslot612)
		pfn = tree_of(kvm)->gfn_to_pfn_memslot612(
			kfp->slot ? &slot : NULL, kfp->gfn, kfp->flags & FOLL_INTERRUPTIBLE,
			kfp->flags & FOLL_NOWAIT, &async, kfp->flags & FOLL_WRITE,
			kfp->map_writable, &hva);
	else
		pfn = tree_of(kvm)->gfn_to_pfn_memslot(
			kfp->slot ? &slot : NULL, kfp->gfn, kfp->flags & FOLL_NOWAIT, &async,
			kfp->flags & FOLL_WRITE, kfp->map_writable, &hva);
	kfp->hva = hva;
	return tree61_finish(kfp, pfn, async, saved);
}

/* virt/kvm/kvm_main.c hva_to_pfn() of the tree, for the gfn->pfn cache */
static kfp_pfn_t tree61_hva_to_pfn(struct kvm *kvm, struct kvm_follow_pfn *kfp)
{
	struct kts_saved saved;
	bool async = false;
	kfp_pfn_t pfn;

	saved = kts_enter(kvm, kfp->owner);
	pfn = tree_of(kvm)->hva_to_pfn(kfp->hva, kfp->flags & FOLL_NOWAIT, &async,
				       kfp->flags & FOLL_WRITE, kfp->map_writable);
	return tree61_finish(kfp, pfn, async, saved);
}

/* virt/kvm/kvm_main.c kvm_release_pfn_clean()/_dirty() of the tree */
static void tree61_release_pfn(struct kvm *kvm, kfp_pfn_t pfn, bool dirty, kfp_owner_t owner)
{
	struct kts_saved saved = kts_enter(kvm, owner);

	tree_of(kvm)->release_pfn(pfn, dirty);
	kts_leave(saved);
}

/* virt/kvm/kvm_main.c kvm_pfn_to_refcounted_page() of the tree */
static bool tree61_pfn_is_refcounted(const struct kvm *kvm, kfp_pfn_t pfn)
{
	struct kts_saved saved = kts_enter((struct kvm *)kvm, KFP_OWNER_NONE);
	bool r;

	r = tree_of(kvm)->pfn_is_refcounted(pfn);
	kts_leave(saved);
	return r;
}

/* include/linux/kvm_host.h mmu_invalidate_retry_hva() of the tree, under mmu_lock */
static bool tree61_mmu_invalidate_retry_hva(struct kvm *kvm, long mmu_seq, u64 hva)
{
	struct kts_saved saved = kts_enter(kvm, KFP_OWNER_NONE);
	int r;

	r = tree_of(kvm)->mmu_invalidate_retry_hva(kts_kvm_of(), (unsigned long)mmu_seq, hva);
	kts_leave(saved);
	return r != 0;
}

/* include/linux/kvm_host.h mmu_invalidate_retry_gfn() of the tree (6.8+), under mmu_lock */
static bool tree_mmu_invalidate_retry_gfn(struct kvm *kvm, long mmu_seq, gfn_t gfn)
{
	struct kts_saved saved = kts_enter(kvm, KFP_OWNER_NONE);
	int r;

	r = tree_of(kvm)->mmu_invalidate_retry_gfn(kts_kvm_of(), (unsigned long)mmu_seq, gfn);
	kts_leave(saved);
	return r != 0;
}

/*
 * 6.13+: the tree's kvm_follow_pfn() fills kfp's struct kvm_follow_pfn's
 * outputs itself (kvm_resolve_pfn()); the model's extras are read back:
 * remapped from the shim's follow_pfnmap_start(), is_refcounted_page from
 * whether a page was handed out.
 */
static kfp_pfn_t tree613_finish(struct kvm_follow_pfn *kfp, kfp_pfn_t pfn, u64 page,
				struct kts_saved saved)
{
	bool remapped = kts_remapped();

	kts_leave(saved);
	*kfp->refcounted_page = page;
	if (is_error_noslot_pfn(pfn))
		return pfn;
	kfp->remapped = remapped;
	kfp->is_refcounted_page = page != KFP_PFN_NONE;
	return pfn;
}

/* virt/kvm/kvm_main.c kvm_follow_pfn() of the tree (6.13+) */
static kfp_pfn_t tree613_follow_pfn(struct kvm *kvm, struct kvm_follow_pfn *kfp)
{
	struct kts61_slot slot;
	struct kts_saved saved;
	unsigned long hva = 0;
	u64 page = KFP_PFN_NONE;
	kfp_pfn_t pfn;

	if (kfp->slot)
		slot_of(kfp->slot, &slot);
	saved = kts_enter(kvm, kfp->owner);
	pfn = tree_of(kvm)->follow_pfn613(kfp->slot ? &slot : NULL, kfp->gfn, kfp->flags, kfp->pin,
					  kfp->map_writable, &page, &hva);
	kfp->hva = hva;
	return tree613_finish(kfp, pfn, page, saved);
}

/* virt/kvm/kvm_main.c __kvm_faultin_pfn() of the tree (6.13+), for x86's fault */
static kfp_pfn_t tree613_faultin_pfn(struct kvm *kvm, struct kvm_follow_pfn *kfp)
{
	struct kts61_slot slot;
	struct kts_saved saved;
	u64 page = KFP_PFN_NONE;
	kfp_pfn_t pfn;

	if (kfp->slot)
		slot_of(kfp->slot, &slot);
	saved = kts_enter(kvm, kfp->owner);
	pfn = tree_of(kvm)->faultin_pfn613(kfp->slot ? &slot : NULL, kfp->gfn, kfp->flags,
					   kfp->map_writable, &page);
	return tree613_finish(kfp, pfn, page, saved);
}

/* virt/kvm/kvm_main.c hva_to_pfn() of the tree (6.13+), for the gfn->pfn cache */
static kfp_pfn_t tree613_hva_to_pfn(struct kvm *kvm, struct kvm_follow_pfn *kfp)
{
	struct kts_saved saved;
	u64 page = KFP_PFN_NONE;
	kfp_pfn_t pfn;

	saved = kts_enter(kvm, kfp->owner);
	pfn = tree_of(kvm)->hva_to_pfn613(kfp->hva, kfp->flags, kfp->pin, kfp->map_writable, &page);
	return tree613_finish(kfp, pfn, page, saved);
}

/* virt/kvm/kvm_main.c kvm_release_page_clean()/_dirty() of the tree (6.13+) */
static void tree613_release_page(struct kvm *kvm, kfp_pfn_t page, bool dirty, kfp_owner_t owner)
{
	struct kts_saved saved = kts_enter(kvm, owner);

	tree_of(kvm)->release_page(page, dirty);
	kts_leave(saved);
}

/* The tree's struct kvm must be the shape kfp's mirror has (tree/shim61.c). */
static int check_kvm_layout(struct tree61 *tree, const char *version, struct kt_buf *err)
{
	u64 theirs[5], ours[5];

	tree->kvm_layout(theirs);
	kts_kvm_layout(ours);
	if (memcmp(theirs, ours, sizeof(ours))) {
		kt_buf_printf(err, "%s: the shim's struct kvm differs from kfp's mirror", version);
		return -1;
	}
	return 0;
}

/* The entry point @name of @shim's level in @h. */
static void *entry(void *h, const struct level_shim *shim, const char *name)
{
	char symbol[64];

	snprintf(symbol, sizeof(symbol), "%s%s", shim->prefix, name);
	return dlsym(h, symbol);
}

/* The error pfns, hvas and memslot flag, in the order of kts*_constants() */
static const u64 kfp_values[] = {
	KVM_PFN_ERR_FAULT,   KVM_PFN_ERR_HWPOISON,   KVM_PFN_ERR_RO_FAULT,
	KVM_PFN_NOSLOT,	     KVM_HVA_ERR_BAD,	     KVM_HVA_ERR_RO_BAD,
	KVM_MEMSLOT_INVALID, KVM_PFN_ERR_SIGPENDING, KVM_PFN_ERR_NEEDS_IO
};

/* The tree's encodings must be kfp's: the first @n of kfp_values. */
static int check_constants(struct tree61 *tree, unsigned int n, const char *version,
			   struct kt_buf *err)
{
	u64 values[9];
	unsigned int i;

	tree->constants(values);
	for (i = 0; i < n; i++) {
		if (values[i] != kfp_values[i]) {
			kt_buf_printf(err,
				      "%s: the tree encodes an error pfn, hva or memslot flag "
				      "(#%u: 0x%llx) unlike kfp (0x%llx)",
				      version, i, (unsigned long long)values[i],
				      (unsigned long long)kfp_values[i]);
			return -1;
		}
	}
	return 0;
}

/* The gfn retry check and its struct kvm (6.12, 6.13+) */
static int load_retry_gfn(struct tree61 *tree, const struct level_shim *shim, void *h,
			  const char *version, struct kt_buf *err)
{
	*(void **)&tree->mmu_invalidate_retry_gfn = entry(h, shim, "mmu_invalidate_retry_gfn");
	*(void **)&tree->kvm_layout = entry(h, shim, "kvm_layout");
	if (!tree->mmu_invalidate_retry_gfn || !tree->kvm_layout) {
		kt_buf_printf(err, "%s: an entry point of the retry check is missing", version);
		return -1;
	}
	return check_kvm_layout(tree, version, err);
}

/* A design of a 6.8+ tree runs the tree's retry check by gfn in kfp's fault, under mmu_lock. */
static void design_retry_gfn(struct kvm_design *d, const struct tree61 *tree)
{
	if (!tree->mmu_invalidate_retry_gfn)
		return;
	d->mmu_invalidate_retry_gfn = tree_mmu_invalidate_retry_gfn;
}

/* 6.13+: the lookup on a struct kvm_follow_pfn, the release by page */
static int load613(struct tree61 *tree, const struct level_shim *shim, void *h, const char *version,
		   struct kt_buf *err)
{
	*(void **)&tree->follow_pfn613 = entry(h, shim, "follow_pfn");
	*(void **)&tree->hva_to_pfn613 = entry(h, shim, "hva_to_pfn");
	*(void **)&tree->release_page = entry(h, shim, "release_page");
	*(void **)&tree->faultin_pfn613 = entry(h, shim, "faultin_pfn");
	*(void **)&tree->constants = entry(h, shim, "constants");
	if (!tree->follow_pfn613 || !tree->hva_to_pfn613 || !tree->release_page ||
	    !tree->faultin_pfn613 || !tree->constants) {
		kt_buf_printf(err, "%s: an entry point is missing", version);
		return -1;
	}
	if (check_constants(tree, shim->nr_constants, version, err) ||
	    kt_vcpu_map_load(&tree->design, h, shim->prefix, version, err))
		return -1;
	return load_retry_gfn(tree, shim, h, version, err);
}

static int load61(struct tree61 *tree, const struct level_shim *shim, const char *so,
		  const char *version, struct kt_buf *err)
{
	void *h = dlopen(so, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		kt_buf_printf(err, "%s: %s", so, dlerror());
		return -1;
	}
	if (shim->level == KT_LEVEL_6_13)
		return load613(tree, shim, h, version, err);
	if (shim->level == KT_LEVEL_6_12)
		*(void **)&tree->gfn_to_pfn_memslot612 = entry(h, shim, "gfn_to_pfn_memslot");
	else
		*(void **)&tree->gfn_to_pfn_memslot = entry(h, shim, "gfn_to_pfn_memslot");
	*(void **)&tree->hva_to_pfn = entry(h, shim, "hva_to_pfn");
	*(void **)&tree->release_pfn = entry(h, shim, "release_pfn");
	*(void **)&tree->pfn_is_refcounted = entry(h, shim, "pfn_is_refcounted");
	*(void **)&tree->constants = entry(h, shim, "constants");
	if ((!tree->gfn_to_pfn_memslot && !tree->gfn_to_pfn_memslot612) || !tree->hva_to_pfn ||
	    !tree->release_pfn || !tree->pfn_is_refcounted || !tree->constants) {
		kt_buf_printf(err, "%s: an entry point is missing", so);
		return -1;
	}
	if (check_constants(tree, shim->nr_constants, version, err) ||
	    kt_vcpu_map_load(&tree->design, h, shim->prefix, version, err))
		return -1;
	if (shim->level == KT_LEVEL_6_12)
		return load_retry_gfn(tree, shim, h, version, err);
	/* 6.1 .. 6.7: the hva retry check and its struct kvm */
	*(void **)&tree->mmu_invalidate_retry_hva = entry(h, shim, "mmu_invalidate_retry_hva");
	*(void **)&tree->kvm_layout = entry(h, shim, "kvm_layout");
	if (!tree->mmu_invalidate_retry_hva || !tree->kvm_layout) {
		kt_buf_printf(err, "%s: an entry point of the retry check is missing", so);
		return -1;
	}
	return check_kvm_layout(tree, version, err);
}

/* The caller policies are legacy's: 6.1, ~6.5 and 6.12 share the pfn-only API (docs/kernel-tree.md). */
static const struct kvm_design *make_design61(struct tree61 *tree, const char *dir,
					      const char *version)
{
	struct kvm_design *d = &tree->design;

	snprintf(tree->name, sizeof(tree->name), "tree:%s", version);
	snprintf(tree->renders, sizeof(tree->renders),
		 "Linux %s, its own lookup and release (--kernel-tree)", version);
	*d = kvm_design_legacy;
	d->name = tree->name;
	d->summary = "the tree's hva_to_pfn*, __gfn_to_pfn_memslot, release by pfn; "
		     "legacy's callers";
	d->renders = tree->renders;
	d->follow_pfn = tree61_follow_pfn;
	d->hva_to_pfn = tree61_hva_to_pfn;
	d->release_pfn = tree61_release_pfn;
	d->pfn_is_refcounted = tree61_pfn_is_refcounted;
	/*
	 * A unit with the hva retry check (6.1 .. 6.7) runs it under mmu_lock;
	 * one without it retries by gfn, with the model's check.
	 */
	d->mmu_invalidate_by_hva = tree->mmu_invalidate_retry_hva != NULL;
	d->mmu_invalidate_retry_hva =
		d->mmu_invalidate_by_hva ? tree61_mmu_invalidate_retry_hva : NULL;
	design_retry_gfn(d, tree);
	kt_vcpu_map_design(d);
	snprintf(tree->dir, sizeof(tree->dir), "%s", dir);
	d->kernel_tree = tree->dir;
	return d;
}

/*
 * 6.13+: the caller policies are upstream's (kvm/design/upstream.c renders
 * 6.13+): kvm_vcpu_map() pins, a pin of remapped memory needs
 * allow_unsafe_mappings, every caller releases the refcounted_page.
 */
static const struct kvm_design *make_design613(struct tree61 *tree, const char *dir,
					       const char *version)
{
	struct kvm_design *d = &tree->design;

	snprintf(tree->name, sizeof(tree->name), "tree:%s", version);
	snprintf(tree->renders, sizeof(tree->renders),
		 "Linux %s, its own lookup and release (--kernel-tree)", version);
	*d = kvm_design_upstream;
	d->name = tree->name;
	d->summary = "the tree's kvm_follow_pfn, hva_to_pfn*, kvm_release_page_*; "
		     "upstream's callers";
	d->renders = tree->renders;
	d->follow_pfn = tree613_follow_pfn;
	d->hva_to_pfn = tree613_hva_to_pfn;
	d->release_page = tree613_release_page;
	d->faultin_pfn = tree613_faultin_pfn;
	design_retry_gfn(d, tree);
	kt_vcpu_map_design(d);
	snprintf(tree->dir, sizeof(tree->dir), "%s", dir);
	d->kernel_tree = tree->dir;
	return d;
}

int kfp_kernel_tree_load(const char *dir, const char *cache_dir, char *msg, size_t msg_size)
{
	struct kt_buf tu = { 0 }, err = { 0 };
	char so[4096], cache[4096], name[96];
	const struct kvm_design *design;
	struct kt_tree t;
	int r = -1;

	if (!cache_dir) {
		kt_cache_dir(cache, sizeof(cache));
		cache_dir = cache;
	}
	if (kt_tree_open(&t, dir, &err))
		goto out;
	if (kt_generate(&t, &tu, &err) ||
	    kt_compile(tu.s, cache_dir, t.version, so, sizeof(so), &err))
		goto out_close;
	if (nr_trees == KT_MAX_TREES) {
		kt_buf_printf(&err, "%s: at most %d kernel trees at a time", dir, KT_MAX_TREES);
		goto out_close;
	}
	if (load61(&trees[nr_trees], shim_of(t.level), so, t.version, &err))
		goto out_close;
	snprintf(name, sizeof(name), "tree:%s", t.version);
	if (kfp_design_index(name) >= 0) {
		kt_buf_printf(&err, "%s: a design named %s is already loaded", dir, name);
		goto out_close;
	}
	design = t.level == KT_LEVEL_6_13 ? make_design613(&trees[nr_trees], dir, t.version) :
					    make_design61(&trees[nr_trees], dir, t.version);
	/* the tree's gfn->pfn cache, when the unit has it (tree/gpc.c) */
	if (kt_gpc_load(&trees[nr_trees].design, t.level, so, t.version, &err))
		goto out_close;
	r = kfp_design_add(design);
	if (r < 0)
		kt_buf_printf(&err, "%s: no room for another design", dir);
	else
		nr_trees++;
out_close:
	kt_tree_close(&t);
out:
	snprintf(msg, msg_size, "%s", err.s ? err.s : "");
	kt_buf_free(&tu);
	kt_buf_free(&err);
	return r;
}

/*
 * The command line's hook: take every "--kernel-tree DIR" (or =DIR) out of
 * argv, load the tree, and leave the rest to the command's own parser.
 */
int kfp_kernel_tree_option(int *argc, char **argv, const char *program)
{
	char msg[8192];
	int i, j;

	for (i = j = 0; i < *argc; i++) {
		const char *dir = NULL;

		if (!strcmp(argv[i], "--kernel-tree")) {
			if (i + 1 >= *argc) {
				fprintf(stderr, "%s: --kernel-tree needs a directory\n", program);
				return 2;
			}
			dir = argv[++i];
		} else if (!strncmp(argv[i], "--kernel-tree=", 14)) {
			dir = argv[i] + 14;
		}
		if (!dir) {
			argv[j++] = argv[i];
			continue;
		}
		if (kfp_kernel_tree_load(dir, NULL, msg, sizeof(msg)) < 0) {
			fprintf(stderr, "%s: --kernel-tree %s: %s\n", program, dir, msg);
			return 2;
		}
	}
	*argc = j;
	argv[j] = NULL;
	return 0;
}
