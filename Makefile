# hant - build, test and benchmark.
#
#   make              build ./hant (the command-line tool)
#   make test         build and run every test; last line is "N passed, M failed[, K skipped]"
#   make sanitize     the same tests under AddressSanitizer + UBSan
#   make demo         the main job end to end (see README.md)
#   make matrix       test with gcc and clang x {native, avx2, none}
#   make bench-kernels  every conv/FC shape, hant vs PyTorch side by side (~5 min)
#
# Variables: CC (gcc|clang), SIMD (native|avx2|none), OPT (default -O2).
# Environment: HANT_TEST_JOBS=J runs J test programs at once (tests/run.sh; default 2, 1: one at a time).

CC    ?= cc
SIMD  ?= native
OPT   ?= -O2
ifeq ($(SIMD),native)
  ARCHFLAGS = -march=native
else ifeq ($(SIMD),avx2)
  ARCHFLAGS = -march=x86-64-v3 -mtune=native
else ifeq ($(SIMD),none)
  ARCHFLAGS = -DHANT_NO_SIMD
else
  $(error SIMD must be native, avx2 or none)
endif
SAN   ?=
CFLAGS_BASE = -std=c11 -Wall -Wextra $(OPT) $(ARCHFLAGS) -I. $(SAN) $(EXTRA_CFLAGS)
LDLIBS = -lm -lpthread
B := build/$(notdir $(CC))-$(SIMD)$(if $(SAN),-san)

HEADERS = hant.h hant_solver.h
TESTS   = $(B)/test_kernels $(B)/test_format $(B)/test_train $(B)/test_solver $(B)/test_int8
TESTS  += $(B)/test_blocks
TESTS  += $(B)/test_limits
TESTS  += $(B)/test_onnx_export
TESTS  += $(B)/test_onnx
TESTS  += $(B)/test_data
TESTS  += $(B)/test_latency
TESTS  += $(B)/test_contract
TESTS  += $(B)/test_winograd
TESTS  += $(B)/test_dense
TESTS  += $(EXTRA_TESTS)

.PHONY: all test test-run sanitize matrix clean demo demo-full teacher teacher-train bench bench-net bench-pointwise bench-kernels bench-distill data classify
all: hant classify

# mk/*.mk add tests (EXTRA_TESTS), benchmarks and options; included before any
# rule that lists $(TESTS) as prerequisites, which make expands as it reads them.
-include mk/*.mk

DATA_SRC ?= /usr/share/datasets/fashion-mnist
DATA = build/data
DATA_FILES = $(DATA)/train-images-idx3-ubyte $(DATA)/train-labels-idx1-ubyte $(DATA)/t10k-images-idx3-ubyte $(DATA)/t10k-labels-idx1-ubyte

$(B):
	@mkdir -p $@

# The tool is built per configuration; ./hant is the default build.
hant: $(B)/hant
	@cp $< $@
$(B)/hant: examples/hant.c examples/*.inc $(HEADERS) | $(B)
	$(CC) $(CFLAGS_BASE) -DHANT_BUILD_FLAGS='"$(notdir $(CC)) $(OPT) $(ARCHFLAGS)"' -o $@ examples/hant.c $(LDLIBS) $(HANT_SOLVER_LIBS)

classify: build/classify
build/classify: examples/classify.c hant.h
	@mkdir -p build
	$(CC) -std=c11 -O2 -march=native -Wall -Wextra -o $@ examples/classify.c -lm -lpthread

# Fashion-MNIST from Debian's dataset-fashion-mnist, unpacked under build/data.
# No rule here targets a path outside the repository: a rule that "made" the
# package's .gz files let make delete them as intermediates after the build.
# The install step is phony; it only ever adds files, through apt-get
# (--reinstall: the package may be installed with its files gone).
DATA_NAMES = train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte
data: $(DATA_FILES)
$(DATA_FILES): | data-source
	@mkdir -p $(DATA)
	gunzip -c $(DATA_SRC)/$(notdir $@).gz > $@.tmp && mv $@.tmp $@
.PHONY: data-source
data-source:
	@for f in $(DATA_NAMES); do [ -f $(DATA_SRC)/$$f.gz ] || m=1; done; [ -z "$$m" ] && exit 0; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing dataset-fashion-mnist"; apt-get install -y --reinstall dataset-fashion-mnist >/dev/null || \
	  { apt-get update >/dev/null && apt-get install -y --reinstall dataset-fashion-mnist >/dev/null; }; \
	else echo "Fashion-MNIST is missing: run 'sudo apt-get install -y dataset-fashion-mnist'"; exit 1; fi

# The reference teacher (README: recipe and wall time). The trained file ships
# in models/ (55 min to retrain on 2 cores); 'make teacher-train' retrains it.
TEACHER = build/teacher-b0-fm.hant
TEACHER_ARGS = --epochs 20 --batch 128 --lr 0.1 --wd 1e-4 --label-smoothing 0.1 --warmup-epochs 1 --seed 1 --bn-calibrate 100
teacher: $(TEACHER)
$(TEACHER): | hant data
	@mkdir -p build
	@if [ -f models/teacher-b0-fm.hant ]; then cp models/teacher-b0-fm.hant $@; echo "teacher: models/teacher-b0-fm.hant (make teacher-train retrains it)"; \
	else $(MAKE) --no-print-directory teacher-train; fi
teacher-train: | hant data
	@if [ -f $(TEACHER).ckpt ]; then r=--resume; else r=; fi; \
	./hant train b0-fm -o $(TEACHER) $(TEACHER_ARGS) $$r 2>&1 | tee build/teacher.log
	./hant eval $(TEACHER)

# The main job: HANT on the b0-fm teacher for three speed-up targets, then the
# report (build/demo/report.md). Tables in build/demo are reused by later runs.
DEMO_WORK = build/demo
DEMO_TARGETS ?= 2 3 3.6
DEMO_ARGS ?= --work $(DEMO_WORK) --pool quick+q8+tiled --images 4096 --epochs 1 --subset 20000$(if $(filter 1,$(INPLACE)), --inplace)
# INPLACE=1: the latency table with per-candidate in-place corrections (hant profile --inplace;
# off by default: measured no gain on this pool, 3-5 min more; docs/PIPELINE.md)
# REALTIME=1: the demo's timings (profile, validation, side-by-side) under SCHED_FIFO
DEMO_HANT = ./hant$(if $(filter 1,$(REALTIME)), --realtime)
demo: hant data teacher
	@for s in $(DEMO_TARGETS); do \
	  echo "=== hant transform --speedup $$s"; \
	  $(DEMO_HANT) transform $(TEACHER) --speedup $$s -o $(DEMO_WORK)/s$$s.hant $(DEMO_ARGS) || exit 1; \
	done
	@cat $(DEMO_WORK)/report.md
# The paper-scale run: the full pool (115 candidates per block), more data and epochs.
DEMO_FULL_ARGS ?= --work build/demo-full --pool full --images 20480 --epochs 5
demo-full: hant data teacher
	@for s in $(DEMO_TARGETS); do \
	  ./hant transform $(TEACHER) --speedup $$s -o build/demo-full/s$$s.hant $(DEMO_FULL_ARGS) || exit 1; \
	done
	@cat build/demo-full/report.md

# Benchmarks (not tests): ratios measured side by side; see bench/RESULTS.md.
THREADS ?= 2
bench: bench-net bench-pointwise bench-solver bench-distill
bench-net: hant $(B)/bench_layers
	sh bench/bench_net.sh $(THREADS) 3
	sh bench/setup_venv.sh >/dev/null
	PEAK=$(B)/bench_layers sh bench/bench_torchvision.sh $(THREADS) 3 1
	PEAK=$(B)/bench_layers sh bench/bench_torchvision.sh $(THREADS) 3 32
bench-pointwise: $(B)/bench_pointwise
	$(B)/bench_pointwise $(THREADS)
# phase-1 distillation step against PyTorch (issue 6)
bench-distill: $(B)/bench_distill
	BENCH_DISTILL=$(B)/bench_distill sh bench/bench_distill.sh $(THREADS) 3
$(B)/bench_%: bench/bench_%.c hant.h | $(B)
	$(CC) $(CFLAGS_BASE) -o $@ $< $(LDLIBS)
$(B)/bench_pointwise $(B)/bench_kernels $(B)/bench_distill $(B)/bench_layers: bench/bench_common.h
$(B)/bench_dw $(B)/bench_conv_cache $(B)/bench_pw_state: bench/bench_common.h
$(B)/bench_ab: bench/bench_common.h bench/bench_op_clock.h
$(B)/bench_train_ops: bench/bench_common.h

# Kernel microbenchmarks (issue 5): every conv/FC shape of b0-fm@1, b0-fm@256 and
# b0-224@1, hant and PyTorch timed shape by shape in one run; report in
# build/bench_kernels.md (see bench/RESULTS.md). KERNEL_TARGET_MS caps each row;
# up to KERNEL_QUIET_WAIT s go to waiting for other jobs on the machine to go idle.
TORCH_PY ?= /usr/bin/python3
KERNEL_TARGET_MS ?= 150
KERNEL_QUIET_WAIT ?= 300
bench-kernels: $(B)/bench_kernels
	$(TORCH_PY) bench/kernel_shapes.py --where > build/kernel_shapes.tsv.tmp && mv build/kernel_shapes.tsv.tmp build/kernel_shapes.tsv
	$(TORCH_PY) bench/bench_kernels_torch.py --hant $(B)/bench_kernels --shapes build/kernel_shapes.tsv \
	  --threads $(THREADS) --target-ms $(KERNEL_TARGET_MS) --quiet-wait $(KERNEL_QUIET_WAIT) --cflags "$(CC) $(OPT) $(ARCHFLAGS)" \
	  --md build/bench_kernels.md --tsv build/bench_kernels.tsv

$(B)/test_%: tests/test_%.c tests/hant_test.h $(HEADERS) | $(B)
	$(CC) $(CFLAGS_BASE) -o $@ $< $(LDLIBS) $(HANT_SOLVER_LIBS)

# These suites are one program, tests/test_all.c, so hant.h is compiled once for
# all of them (it takes over a minute at -O2); build/.../test_NAME is a hard link
# to it and runs suite NAME. test_solver (no hant.h) stays a program of its own.
ALL_SUITES = kernels format train int8 blocks limits onnx_export onnx data latency winograd dense fuse contract
$(B)/test_all: tests/test_all.c $(ALL_SUITES:%=tests/test_%.c) tests/hant_test.h $(HEADERS) | $(B)
	$(CC) $(CFLAGS_BASE) -o $@ $< $(LDLIBS) $(HANT_SOLVER_LIBS)
$(ALL_SUITES:%=$(B)/test_%): $(B)/test_all
	@ln -f $< $@

# tests/deps.sh installs what the tests need (root + apt-get) before anything is
# compiled (GLPK is found at parse time), or says what to run; test-run then runs them.
# The test programs compile in parallel (test_all and the tool each compile all of hant.h at -O2,
# fuzz_replay at -O0; the longest first) while build/venv is set up (pip, mostly waiting on downloads
# and disk: outside the -j slots), and then run two at a time (HANT_TEST_JOBS=1: one at a time).
# examples/transform.c, the third -O2 compile of hant.h, builds beside the first suites: in the
# compile phase it left a core idle for two minutes (its own round; tests/cli_api.sh waits for it).
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
test:
	@sh tests/deps.sh system
	@mkdir -p build && { sh tests/deps.sh venv >build/deps-venv.log 2>&1 & v=$$!; \
	$(MAKE) --no-print-directory -j$(JOBS) $(B)/test_all $(B)/hant $(TESTS); r=$$?; \
	wait $$v; cat build/deps-venv.log; [ $$r -eq 0 ]; }
	@$(MAKE) --no-print-directory $(B)/transform >/dev/null 2>&1 & $(MAKE) --no-print-directory test-run
test-run: $(TESTS) $(B)/hant
	@$(MAKE) --no-print-directory data >/dev/null 2>&1 || echo "note: Fashion-MNIST unavailable; the tests that need it are skipped (run: make data)"
	@HANT=$(B)/hant HANT_CC='$(CC)' HANT_ARCHFLAGS='$(ARCHFLAGS)' sh tests/run.sh $(TESTS) tests/cli_*.sh

# examples/transform.c built as a user would (tests/cli_api.sh checks it): the two headers copied
# next to it in a folder of its own, the README's command with this build's compiler and ISA flags.
# make test compiles it beside the first suites (two minutes of one core, which the suite spent alone);
# the outcome (command, log, exit status) is left in $(B)/transform.app for cli_api.sh to judge, and
# the building shell's pid, for cli_api.sh to wait on while there is no exit status yet.
# No make error here: a failed build is that suite's failure. Run alone, the suite builds it itself.
$(B)/transform: examples/transform.c $(HEADERS) | $(B)
	@rm -rf $@ $@.app && mkdir -p $@.app/src && echo $$$$ > $@.app/pid && cp $(HEADERS) $@.app/ && cp examples/transform.c $@.app/src/ && \
	c='$(CC) -std=c11 -O2 $(ARCHFLAGS) src/transform.c -o ../transform -lm -lpthread' && echo "$$c" > $@.app/cmd && \
	echo "$$c (in $@.app)" && { (cd $@.app && $$c) > $@.app/log 2>&1; echo $$? > $@.app/rc; }

# Its own profile lock: sanitized timings mean nothing, so they never hold up real profiles.
sanitize:
	@HANT_PROFILE_LOCK_NAME=hant-profile-lock-san $(MAKE) --no-print-directory test OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -DHANT_PROFILE_LOCK='\"@hant-profile-lock-san\"'"

matrix:
	@for cc in gcc clang; do for s in native avx2 none; do \
	  echo "### CC=$$cc SIMD=$$s"; $(MAKE) --no-print-directory test CC=$$cc SIMD=$$s EXTRA_CFLAGS=-Werror | tail -n 1 || exit 1; \
	done; done

clean:
	rm -rf build hant

