# Fused (tiled) MBConv inference (issue 7, item 3).
#   test_fuse joins 'make test'
#   make bench-fusion [THREADS=2]   untiled vs tiled for every MBConv shape of b0-fm and b0-224
.PHONY: bench-fusion
EXTRA_TESTS += $(B)/test_fuse
bench: bench-fusion
bench-fusion: $(B)/bench_fusion
	$(B)/bench_fusion $(THREADS)
$(B)/bench_fusion: bench/bench_common.h
