# Fuzzing (issue 15): a libFuzzer target per parser a user can feed, built
# with clang, AddressSanitizer and UBSan.
#   make fuzz [FUZZ_SECONDS=30]   each target for FUZZ_SECONDS from its seeds
#   make fuzz-seeds               rewrite the binary seed files of tests/fuzz/corpus
# Targets (tests/fuzz/fuzz_NAME.c): hant (.hant load + inference), onnx, npy, idx
# (IDX + dataset pair), lut (latency tables), sig (block signatures), solver
# (hant solve's input), scores and choices (the tool's tables), report (runs.tsv
# through hant report). make test replays every seed and every file of
# tests/fuzz/regress/NAME/ through a plain build of the same code (fuzz_replay).
# All targets live in one binary (tests/fuzz/fuzz_all.c; HANT_FUZZ_TARGET picks
# one), so the sanitized hant.h is compiled once; build/fuzz/fuzz_NAME builds one alone.
# A crash leaves its input in build/fuzz/crashes/NAME/: fix it, then add the
# file to tests/fuzz/regress/NAME/.
.PHONY: fuzz fuzz-seeds
FUZZ_TARGETS = hant onnx npy idx lut sig solver scores choices report
FUZZ_SECONDS ?= 30
FUZZ_CC ?= clang
# -O0: with clang 14, fuzz_all builds in about 30 s on the project's 2-core machine; at -O1 the grown
# header had not finished after 50 minutes (RESULTS.md, "The twenty-seventh session"). FUZZ_CFLAGS=... overrides
FUZZ_CFLAGS = -std=c11 -g -O0 -march=native -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I.
FUZZ_DEPS = tests/fuzz/fuzz_common.h $(HEADERS) examples/hant.c $(wildcard examples/*.inc)

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_DEPS)
	@mkdir -p build/fuzz
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< -lm -lpthread

build/fuzz/fuzz_all: tests/fuzz/fuzz_all.c $(FUZZ_TARGETS:%=tests/fuzz/fuzz_%.c) $(FUZZ_DEPS)
	@mkdir -p build/fuzz
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< -lm -lpthread

fuzz: build/fuzz/fuzz_all
	@mkdir -p build/fuzz/tmp; fail=0; \
	for t in $(FUZZ_TARGETS); do \
	  mkdir -p build/fuzz/corpus/$$t build/fuzz/crashes/$$t; \
	  HANT_FUZZ_TARGET=$$t HANT_FUZZ_DIR=build/fuzz/tmp build/fuzz/fuzz_all -max_total_time=$(FUZZ_SECONDS) -close_fd_mask=3 -max_len=65536 \
	    -timeout=10 -rss_limit_mb=2048 -artifact_prefix=build/fuzz/crashes/$$t/ build/fuzz/corpus/$$t tests/fuzz/corpus/$$t \
	    >build/fuzz/$$t.log 2>&1; rc=$$?; \
	  runs=$$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 runs in \2 s/p' build/fuzz/$$t.log); \
	  if [ $$rc -eq 0 ]; then echo "fuzz $$t: $$runs, no crash"; \
	  else fail=1; echo "fuzz $$t: CRASH (exit $$rc); input in build/fuzz/crashes/$$t/, log build/fuzz/$$t.log"; \
	    grep -m 3 -E "ERROR|runtime error|SUMMARY" build/fuzz/$$t.log; fi; \
	done; exit $$fail

fuzz-seeds: build/fuzz/make_seeds
	@mkdir -p tests/fuzz/corpus/hant tests/fuzz/corpus/onnx tests/fuzz/corpus/npy tests/fuzz/corpus/idx
	build/fuzz/make_seeds tests/fuzz/corpus
build/fuzz/make_seeds: tests/fuzz/make_seeds.c hant.h
	@mkdir -p build/fuzz
	$(CC) -std=c11 -O1 -I. -o $@ $< -lm -lpthread

# the replay program joins make test, built at -O0 (after OPT, so it wins): it replays a few dozen
# small inputs, and all of hant.h and the tool at -O2 was the fourth compile that make test waits for
# (on the issue's Zen 3: 23 s at -O0 against about 140 s of one core at -O2; the replay itself well under a second)
EXTRA_TESTS += $(B)/fuzz_replay
$(B)/fuzz_replay: tests/fuzz/fuzz_all.c $(FUZZ_TARGETS:%=tests/fuzz/fuzz_%.c) $(FUZZ_DEPS) | $(B)
	$(CC) $(CFLAGS_BASE) -O0 -DFZ_REPLAY -o $@ tests/fuzz/fuzz_all.c $(LDLIBS) $(HANT_SOLVER_LIBS)
