/* test_all.c - the test programs that share one build of hant.h, in one
 * translation unit, so that make test compiles the library once for them
 * instead of once per program (each compile of hant.h at -O2 takes over a
 * minute; see bench/RESULTS.md, "make test in 8 minutes").
 *
 * Each tests/test_NAME.c stays a complete program of its own (its main is
 * renamed here); the binary runs the suite its name says: the Makefile links
 * build/.../test_NAME to test_all, so build/cc-native/test_kernels [filter]
 * works as before. A suite can also be named: test_all NAME [filter].
 * Not here: test_solver (hant_solver.h only, a program of its own). A static
 * name or a macro that two suites define is renamed or undefined between them
 * below; a new clash is a compile error here. */
#define HT_ALL
#define _GNU_SOURCE 1 /* as hant.h would: before the first system header */
/* test_contract's HANT_ASSERT records a failed precondition and returns (the
   kernel must then leave its outputs untouched); for every other suite it is
   assert's: the message, then abort. */
#include <stdio.h>
#include <stdlib.h>
static int asserts_fired, ht_asserts_counted;
static void ht_assert_failed(const char *cond, const char *file, int line) {
    if (ht_asserts_counted) { asserts_fired++; return; }
    fprintf(stderr, "%s:%d: assertion failed: %s\n", file, line, cond);
    abort();
}
#define HANT_ASSERT(x) ((x) ? (void)0 : ht_assert_failed(#x, __FILE__, __LINE__))
#define HANT_IMPLEMENTATION
#include "hant.h"
#define HANT_SOLVER_IMPLEMENTATION
#include "hant_solver.h"

#define main ht_main_kernels
#include "test_kernels.c"
#undef main
#undef NSHAPES

#define main ht_main_format
#include "test_format.c"
#undef main

#define N train_N
#define main ht_main_train
#include "test_train.c"
#undef main
#undef N

#define main ht_main_int8
#include "test_int8.c"
#undef main
#undef Q8_NSPECS

#define test_block_backward_fd blocks_test_block_backward_fd
#define main ht_main_blocks
#include "test_blocks.c"
#undef main
#undef test_block_backward_fd
#undef SPEC

#define main ht_main_limits
#include "test_limits.c"
#undef main

#define main ht_main_onnx_export
#include "test_onnx_export.c"
#undef main
#undef MAXN
#undef Q8
#undef NNETS
#undef NB

#define pb onnx_pb
#define pb_varint onnx_pb_varint
#define pb_str onnx_pb_str
#define main ht_main_onnx
#include "test_onnx.c"
#undef main
#undef pb
#undef pb_varint
#undef pb_str
#undef H

#define write_idx data_write_idx
#define expect_fail data_expect_fail
#define test_hostile data_test_hostile
#define main ht_main_data
#include "test_data.c"
#undef main
#undef write_idx
#undef expect_fail
#undef test_hostile

#define dir latency_dir
#define main ht_main_latency
#include "test_latency.c"
#undef main
#undef dir

#define main ht_main_winograd
#include "test_winograd.c"
#undef main
#undef WINO_TOL

#define main ht_main_dense
#include "test_dense.c"
#undef main

#define main ht_main_fuse
#include "test_fuse.c"
#undef main

#define main ht_main_contract
#define ctx contract_ctx
#include "test_contract.c"
#undef main
#undef ctx
#undef BIG
static int ht_main_contract_counted(int argc, char **argv) { ht_asserts_counted = 1; return ht_main_contract(argc, argv); }

static const struct { const char *name; int (*main)(int, char **); } ht_suites[] = {
    { "kernels", ht_main_kernels }, { "format", ht_main_format }, { "train", ht_main_train },
    { "int8", ht_main_int8 }, { "blocks", ht_main_blocks }, { "limits", ht_main_limits },
    { "onnx_export", ht_main_onnx_export }, { "onnx", ht_main_onnx }, { "data", ht_main_data },
    { "latency", ht_main_latency }, { "winograd", ht_main_winograd }, { "dense", ht_main_dense },
    { "fuse", ht_main_fuse }, { "contract", ht_main_contract_counted },
};

int main(int argc, char **argv) {
    const char *base = strrchr(argv[0], '/');
    base = base ? base + 1 : argv[0];
    int named = strncmp(base, "test_", 5) != 0 || strcmp(base, "test_all") == 0;
    const char *want = named ? (argc > 1 ? argv[1] : "") : base + 5;
    for (size_t i = 0; i < sizeof ht_suites / sizeof ht_suites[0]; i++)
        if (strcmp(want, ht_suites[i].name) == 0) {
            if (named) { argv[1] = argv[0]; return ht_suites[i].main(argc - 1, argv + 1); }
            return ht_suites[i].main(argc, argv);
        }
    fprintf(stderr, "usage: test_NAME [filter] (a link to test_all) or test_all NAME [filter]; NAME:");
    for (size_t i = 0; i < sizeof ht_suites / sizeof ht_suites[0]; i++) fprintf(stderr, " %s", ht_suites[i].name);
    fputc('\n', stderr);
    return 2;
}
