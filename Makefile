# kfp: an executable model of KVM's gfn -> hva -> pfn layer.
#
#   make run     build and run the main job
#   make check   build and run every test, plain and under ASan+UBSan
#   make bench   benchmarks
#   make verdicts  regenerate docs/verdicts.md from a run
#   make docs    regenerate every generated part of docs/ (verdicts included)
#   make install [PREFIX=/usr/local] [DESTDIR=]   kfp, its manuals, scenarios, libkfp.a
#   make clean

CC ?= cc
CFLAGS_BASE := -std=gnu11 -pthread -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Iinclude
CFLAGS_OPT := -O2
CFLAGS_SAN := -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer

LIB_DIRS := seam mm kvm kvm/design check explore scenario tree
LIB_SRCS := $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c))
TEST_SRCS := $(filter-out tests/fuzz/%,$(wildcard tests/lib/*.c tests/*/*.c))
FUZZ_SRCS := $(wildcard tests/fuzz/*.c)
CLI_SRCS := $(wildcard cli/*.c)

OUT := build
NORMAL := $(OUT)/normal
ASAN := $(OUT)/asan

objs = $(patsubst %.c,$(1)/%.o,$(2))

.PHONY: all run check check-normal check-asan bench clean format format-check verdicts docs \
	install uninstall FORCE

all: $(NORMAL)/kfp $(NORMAL)/kfp-test

$(NORMAL)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(CFLAGS_OPT) -MMD -MP -c $< -o $@

$(ASAN)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(CFLAGS_SAN) -MMD -MP -c $< -o $@

$(NORMAL)/libkfp.a: $(call objs,$(NORMAL),$(LIB_SRCS))
	@rm -f $@
	ar rcs $@ $^

$(ASAN)/libkfp.a: $(call objs,$(ASAN),$(LIB_SRCS))
	@rm -f $@
	ar rcs $@ $^

# --kernel-tree: the tree's code, loaded with dlopen(), calls back into the
# binary (tree/shim61.c, tree/tsan.c), so the binaries export their symbols
# and keep every object of libkfp's tree/ folder.
LDFLAGS_TREE := -rdynamic -Wl,--whole-archive
LDFLAGS_TREE_END := -Wl,--no-whole-archive

$(NORMAL)/kfp: $(call objs,$(NORMAL),$(CLI_SRCS)) $(NORMAL)/libkfp.a
	$(CC) $(CFLAGS_BASE) $(CFLAGS_OPT) $(filter-out %.a,$^) $(LDFLAGS_TREE) $(filter %.a,$^) \
		$(LDFLAGS_TREE_END) -o $@

$(NORMAL)/kfp-test: $(call objs,$(NORMAL),$(TEST_SRCS)) $(NORMAL)/libkfp.a
	$(CC) $(CFLAGS_BASE) $(CFLAGS_OPT) $(filter-out %.a,$^) $(LDFLAGS_TREE) $(filter %.a,$^) \
		$(LDFLAGS_TREE_END) -o $@

$(ASAN)/kfp-test: $(call objs,$(ASAN),$(TEST_SRCS)) $(ASAN)/libkfp.a
	$(CC) $(CFLAGS_BASE) $(CFLAGS_SAN) $(filter-out %.a,$^) $(LDFLAGS_TREE) $(filter %.a,$^) \
		$(LDFLAGS_TREE_END) -o $@

# the shim's kernel-side text is built into the binaries (.incbin)
$(NORMAL)/tree/shim_text.o $(ASAN)/tree/shim_text.o $(OUT)/fuzz/tree/shim_text.o: \
	$(wildcard tree/shim/*/*.h)

run: $(NORMAL)/kfp
	./$(NORMAL)/kfp

check-normal: $(NORMAL)/kfp-test
	./$(NORMAL)/kfp-test

check-asan: $(ASAN)/kfp-test
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		./$(ASAN)/kfp-test

# Both builds, the CLI and the layering (tests/layers.sh); the last line totals them.
# The fuzz targets run where $(FUZZ_CC) links libFuzzer (tests/fuzz/run-fuzz.sh
# says SKIP where it does not).
check: $(NORMAL)/kfp-test $(ASAN)/kfp-test $(NORMAL)/kfp
	@if sh tests/fuzz/have-libfuzzer.sh $(FUZZ_CC); then \
		$(MAKE) --no-print-directory fuzz-targets; else rm -f $(FUZZ_TARGETS); fi
	@sh tests/run-all.sh ./$(NORMAL)/kfp-test ./$(ASAN)/kfp-test ./tests/cli/test-cli.sh \
		./tests/layers.sh ./tests/cli/test-install.sh ./tests/fuzz/run-fuzz.sh

$(NORMAL)/kfp-bench: $(call objs,$(NORMAL),bench/bench_explore.c tests/lib/race_programs.c tests/lib/library.c) $(NORMAL)/libkfp.a
	$(CC) $(CFLAGS_BASE) $(CFLAGS_OPT) $^ -o $@

bench: $(NORMAL)/kfp-bench $(NORMAL)/kfp
	./$(NORMAL)/kfp-bench
	@sh bench/library-wall.sh ./$(NORMAL)/kfp

# Regenerate the matrix and the not-safe cells of docs/verdicts.md from a run.
verdicts: $(NORMAL)/kfp
	./$(NORMAL)/kfp check --json scenarios | python3 docs/gen-verdicts.py docs/verdicts.md

# Regenerate every generated part of docs/: the matrix and the designs and injections.
docs: verdicts $(NORMAL)/kfp
	./$(NORMAL)/kfp list --markdown | python3 docs/gen-doc-blocks.py list docs/scenario-format.md

# ---- make install ------------------------------------------------------------
# An installed kfp finds its scenarios as BINDIR/../share/kfp/scenarios, so
# that a tree staged under DESTDIR or moved elsewhere works as it is; when
# BINDIR and DATADIR are not siblings it falls back to the SCENARIODIR it
# was built for (cli/files.c kfp_cli_library_path()).
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
SCENARIODIR ?= $(DATADIR)/kfp/scenarios
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
INSTALL ?= install
VERSION := $(shell sed -n 's/^\#define KFP_VERSION "\(.*\)"/\1/p' cli/kfp.c)
SCENARIO_DIRS := $(sort $(dir $(shell find scenarios -type f -name '*.kfp')))

# kfp.pc names directories under PREFIX as ${prefix}/..., so that
# pkg-config --define-variable=prefix=DIR finds a tree staged or moved there.
under_prefix = $(patsubst $(PREFIX)/%,$${prefix}/%,$(1))

# cli/files.c is rebuilt when the SCENARIODIR it was built for changes.
$(NORMAL)/scenariodir: FORCE
	@mkdir -p $(dir $@)
	@echo '$(SCENARIODIR)' | cmp -s - $@ || echo '$(SCENARIODIR)' >$@

$(NORMAL)/cli/files.o: $(NORMAL)/scenariodir
$(NORMAL)/cli/files.o: CFLAGS_OPT += -DKFP_SCENARIODIR='"$(SCENARIODIR)"'

$(NORMAL)/kfp.pc: cli/kfp.pc.in Makefile cli/kfp.c
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(call under_prefix,$(LIBDIR))|' \
		-e 's|@INCLUDEDIR@|$(call under_prefix,$(INCLUDEDIR))|' -e 's|@VERSION@|$(VERSION)|' \
		$< >$@

install: $(NORMAL)/kfp $(NORMAL)/libkfp.a $(NORMAL)/kfp.pc
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR)/kfp \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(PKGCONFIGDIR) \
		$(DESTDIR)$(BASHCOMPDIR)
	$(INSTALL) -m 755 $(NORMAL)/kfp $(DESTDIR)$(BINDIR)/kfp
	$(INSTALL) -m 644 $(NORMAL)/libkfp.a $(DESTDIR)$(LIBDIR)/libkfp.a
	$(INSTALL) -m 644 include/kfp/*.h $(DESTDIR)$(INCLUDEDIR)/kfp/
	$(INSTALL) -m 644 docs/kfp.1 $(DESTDIR)$(MANDIR)/man1/kfp.1
	$(INSTALL) -m 644 docs/kfp-scenario.5 $(DESTDIR)$(MANDIR)/man5/kfp-scenario.5
	$(INSTALL) -m 644 $(NORMAL)/kfp.pc $(DESTDIR)$(PKGCONFIGDIR)/kfp.pc
	$(INSTALL) -m 644 cli/kfp.bash-completion $(DESTDIR)$(BASHCOMPDIR)/kfp
	@for d in $(SCENARIO_DIRS:scenarios/%=%); do \
		$(INSTALL) -d $(DESTDIR)$(SCENARIODIR)/$$d && \
		$(INSTALL) -m 644 $$(ls scenarios/$$d*.kfp scenarios/$$d*.md 2>/dev/null) \
			$(DESTDIR)$(SCENARIODIR)/$$d || exit 1; \
	done
	@echo "installed kfp $(VERSION) under $(DESTDIR)$(PREFIX)"

FORCE:

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/kfp $(DESTDIR)$(LIBDIR)/libkfp.a \
		$(DESTDIR)$(MANDIR)/man1/kfp.1 $(DESTDIR)$(MANDIR)/man5/kfp-scenario.5 \
		$(DESTDIR)$(PKGCONFIGDIR)/kfp.pc $(DESTDIR)$(BASHCOMPDIR)/kfp
	rm -rf $(DESTDIR)$(INCLUDEDIR)/kfp $(DESTDIR)$(DATADIR)/kfp

format:
	clang-format -i $(LIB_SRCS) $(TEST_SRCS) $(FUZZ_SRCS) $(CLI_SRCS) $(wildcard include/kfp/*.h */*.h tests/lib/*.h)

format-check:
	clang-format --dry-run --Werror $(LIB_SRCS) $(TEST_SRCS) $(FUZZ_SRCS) $(CLI_SRCS) $(wildcard include/kfp/*.h */*.h tests/lib/*.h)

clean:
	rm -rf $(OUT)

-include $(shell find $(OUT) -name '*.d' 2>/dev/null)

# libFuzzer: fuzz-scenario feeds the parser, fuzz-explore explores what
# parses under every design with a small bound and replays every schedule
# it hands out.  make fuzz [FUZZ_SECONDS=600] runs both in turn; make check
# runs each for a fixed number of runs (tests/fuzz/run-fuzz.sh) where $(FUZZ_CC)
# links -fsanitize=fuzzer, and says SKIP where it does not.
FUZZ_SECONDS ?= 600
FUZZ_CC ?= clang
FUZZ := $(OUT)/fuzz
FUZZ_CFLAGS := $(filter-out -Werror,$(CFLAGS_BASE)) -O1 -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=all
FUZZ_LDFLAGS := -fsanitize=fuzzer,address,undefined
FUZZ_TARGETS := $(FUZZ)/fuzz-scenario $(FUZZ)/fuzz-explore
FUZZ_SEEDS = $(wildcard scenarios/*.kfp scenarios/*/*.kfp tests/scenario/good/*.kfp \
	tests/scenario/bad/*.kfp)

.PHONY: fuzz fuzz-targets

$(FUZZ)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@

$(FUZZ)/libkfp.a: $(call objs,$(FUZZ),$(LIB_SRCS))
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_TARGETS): $(FUZZ)/fuzz-%: $(FUZZ)/tests/fuzz/fuzz_%.o $(FUZZ)/libkfp.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_LDFLAGS) $^ -o $@

fuzz-targets: $(FUZZ_TARGETS)

$(FUZZ)/corpus: $(FUZZ_SEEDS)
	@rm -rf $@ && mkdir -p $@
	@for f in $(FUZZ_SEEDS); do cp -f $$f $@/seed-$$(echo $$f | tr / _); done

fuzz: $(FUZZ_TARGETS) $(FUZZ)/corpus
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $$t.corpus && \
		./$$t -max_total_time=$(FUZZ_SECONDS) -max_len=8192 -artifact_prefix=$$t- \
			$$t.corpus $(FUZZ)/corpus || exit 1; \
	done
