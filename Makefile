# hant - build, test and benchmark.
#
#   make              build ./hant (the command-line tool)
#   make test         build and run every test; last line is "N passed, M failed"
#   make sanitize     the same tests under AddressSanitizer + UBSan
#   make demo         the main job end to end (see README.md)
#   make matrix       test with gcc and clang x {native, avx2, none}
#
# Variables: CC (gcc|clang), SIMD (native|avx2|none), OPT (default -O2).

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
TESTS   = $(B)/test_kernels $(B)/test_format $(B)/test_solver
TESTS  += $(EXTRA_TESTS)

.PHONY: all test sanitize matrix clean demo bench bench-kernels data
all: hant

$(B):
	@mkdir -p $@

# The tool is built per configuration; ./hant is the default build.
hant: $(B)/hant
	@cp $< $@
$(B)/hant: examples/hant.c examples/*.inc $(HEADERS) | $(B)
	$(CC) $(CFLAGS_BASE) -o $@ examples/hant.c $(LDLIBS) $(HANT_SOLVER_LIBS)

$(B)/test_%: tests/test_%.c tests/hant_test.h $(HEADERS) | $(B)
	$(CC) $(CFLAGS_BASE) -o $@ $< $(LDLIBS) $(HANT_SOLVER_LIBS)

test: $(TESTS) $(B)/hant
	@HANT=$(B)/hant sh tests/run.sh $(TESTS) tests/cli_*.sh

sanitize:
	@$(MAKE) --no-print-directory test OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"

matrix:
	@for cc in gcc clang; do for s in native avx2 none; do \
	  echo "### CC=$$cc SIMD=$$s"; $(MAKE) --no-print-directory test CC=$$cc SIMD=$$s EXTRA_CFLAGS=-Werror | tail -n 1 || exit 1; \
	done; done

clean:
	rm -rf build hant

-include mk/*.mk
