# int8 kernels (issue 7): the benchmark, and test_int8 on every int8 path.
#   make bench-int8 [THREADS=2]   int8 vs fp32 on the b0-224 1x1 and depthwise shapes
#   make int8-matrix              test_int8 with gcc and clang on each int8 path; the
#                                 AVX-VNNI build runs only where /proc/cpuinfo has avx_vnni
.PHONY: bench-int8 int8-matrix
bench: bench-int8
bench-int8: $(B)/bench_int8
	$(B)/bench_int8 $(THREADS)

INT8_CONFIGS = native:-march=native avx2:-march=x86-64-v3 avxvnni:-march=x86-64-v3+-mavxvnni \
  avxvnni-evex:-march=x86-64-v3+-mavx512vnni+-mavx512vl+-mavx512bw+-DHANT_INT8_VNNI256 none:-DHANT_NO_SIMD
int8-matrix:
	@mkdir -p build/int8
	@for cc in gcc clang; do for c in $(INT8_CONFIGS); do n=$${c%%:*}; f=$$(echo $${c#*:} | tr + ' '); \
	  t=build/int8/test_int8-$$cc-$$n; \
	  $$cc -std=c11 -Wall -Wextra -Werror $(OPT) $$f -I. -o $$t tests/test_int8.c -lm -lpthread || exit 1; \
	  if [ $$n = avxvnni ] && ! grep -qw avx_vnni /proc/cpuinfo; then echo "### $$cc $$n: built; not run (no avx_vnni on this CPU)"; continue; fi; \
	  out=$$($$t 2>&1); rc=$$?; echo "### $$cc $$n: $$(echo "$$out" | grep -E '^isa|passed' | tr '\n' ' ')"; \
	  [ $$rc -eq 0 ] || { echo "$$out" | grep FAIL; exit 1; }; \
	done; done

# int8 MBConv blocks against their fp32 twins (issue 18): make bench-q8blocks [THREADS=2]
.PHONY: bench-q8blocks
bench: bench-q8blocks
bench-q8blocks: $(B)/bench_q8blocks
	$(B)/bench_q8blocks $(THREADS)
$(B)/bench_q8blocks: bench/bench_common.h
# One int8 MBConv block step by step beside its fp32 twin (issue 18): build/$(CC)-avx2/bench_q8ops [THREADS [ROUNDS [ARCH]]]
$(B)/bench_q8ops: bench/bench_common.h
# The int8 depthwise alone, tap-pointer kernels against row runs, beside fp32 (issue 18 item 3):
# build/$(CC)-avx2/bench_q8dw [THREADS [ROUNDS [INNER]]] [--u8] [--match S]
$(B)/bench_q8dw: bench/bench_common.h
