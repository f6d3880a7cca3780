# kfp: an executable model of KVM's gfn -> hva -> pfn layer.
#
#   make run     build and run the main job
#   make check   build and run every test, plain and under ASan+UBSan
#   make bench   benchmarks
#   make verdicts  regenerate docs/verdicts.md from a run
#   make docs    regenerate every generated part of docs/ (verdicts included)
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
CLI_SRCS := $(wildcard cli/*.c)

OUT := build
NORMAL := $(OUT)/normal
ASAN := $(OUT)/asan

objs = $(patsubst %.c,$(1)/%.o,$(2))

.PHONY: all run check check-normal check-asan bench clean format format-check verdicts docs

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
$(NORMAL)/tree/shim_text.o $(ASAN)/tree/shim_text.o: $(wildcard tree/shim/*/*.h)

run: $(NORMAL)/kfp
	./$(NORMAL)/kfp

check-normal: $(NORMAL)/kfp-test
	./$(NORMAL)/kfp-test

check-asan: $(ASAN)/kfp-test
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		./$(ASAN)/kfp-test

# Both builds, the CLI and the layering (tests/layers.sh); the last line totals them.
check: $(NORMAL)/kfp-test $(ASAN)/kfp-test $(NORMAL)/kfp
	@sh tests/run-all.sh ./$(NORMAL)/kfp-test ./$(ASAN)/kfp-test ./tests/cli/test-cli.sh \
		./tests/layers.sh

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

format:
	clang-format -i $(LIB_SRCS) $(TEST_SRCS) $(CLI_SRCS) $(wildcard include/kfp/*.h */*.h tests/lib/*.h)

format-check:
	clang-format --dry-run --Werror $(LIB_SRCS) $(TEST_SRCS) $(CLI_SRCS) $(wildcard include/kfp/*.h */*.h tests/lib/*.h)

clean:
	rm -rf $(OUT)

-include $(shell find $(OUT) -name '*.d' 2>/dev/null)

# libFuzzer on the scenario parser: make fuzz [FUZZ_SECONDS=600]
FUZZ_SECONDS ?= 600
FUZZ_CC ?= clang
FUZZ := $(OUT)/fuzz
FUZZ_CFLAGS := $(filter-out -Werror,$(CFLAGS_BASE)) -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all
FUZZ_SEEDS = $(wildcard scenarios/*.kfp scenarios/*/*.kfp tests/scenario/good/*.kfp \
	tests/scenario/bad/*.kfp)

.PHONY: fuzz

$(FUZZ)/fuzz-scenario: $(LIB_SRCS) tests/fuzz/fuzz_scenario.c $(wildcard include/kfp/*.h scenario/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(LIB_SRCS) tests/fuzz/fuzz_scenario.c -o $@

fuzz: $(FUZZ)/fuzz-scenario
	@mkdir -p $(FUZZ)/corpus
	@for f in $(FUZZ_SEEDS); do cp -f $$f $(FUZZ)/corpus/seed-$$(echo $$f | tr / _); done
	./$(FUZZ)/fuzz-scenario -max_total_time=$(FUZZ_SECONDS) -max_len=8192 \
		-artifact_prefix=$(FUZZ)/ $(FUZZ)/corpus
