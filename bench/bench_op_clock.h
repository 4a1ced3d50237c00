/* A clock around every op of hant's inference loop (HANT_INFER_OP_HOOK),
   summed per part while bench_clock_on: bench_clock_t[0] the stem, [1 + b]
   block b, and the head in [0] too, or in [num_blocks + 1] with
   bench_clock_split_head; bench_clock_d the pool's dispatches per part.
   Include it instead of hant.h in one benchmark .c file: it includes the
   implementation. */
#ifndef BENCH_OP_CLOCK_H
#define BENCH_OP_CLOCK_H
#include <stdint.h>
#include <time.h>
struct hant_net;
static void bench_op_clock(struct hant_net *net, int op, int begin);
#define HANT_INFER_OP_HOOK(net, op, begin) bench_op_clock((net), (op), (begin))
#define HANT_IMPLEMENTATION
#include "hant.h"

static int bench_clock_on, bench_clock_split_head;
static double bench_clock_t[64];
static int bench_clock_d[64];

static void bench_op_clock(hant_net *net, int op, int begin) {
    static struct timespec q0;
    static uint64_t d0;
    static int in_head;
    if (!bench_clock_on) return;
    if (begin) { d0 = net->ctx->dispatches; clock_gettime(CLOCK_MONOTONIC, &q0); return; }
    struct timespec q1;
    clock_gettime(CLOCK_MONOTONIC, &q1);
    int bk = net->ops[op].block;
    if (bk < 0) in_head = op > 0 && (in_head || net->ops[op - 1].block >= 0); /* ops past the blocks: the head */
    int k = bk >= 0 ? bk + 1 : (in_head && bench_clock_split_head ? net->arch.num_blocks + 1 : 0);
    if (k >= 64) return;
    bench_clock_t[k] += (double)(q1.tv_sec - q0.tv_sec) * 1e3 + (double)(q1.tv_nsec - q0.tv_nsec) * 1e-6;
    bench_clock_d[k] += (int)(net->ctx->dispatches - d0);
}

/* One forward with the per-part clocks zeroed and on; returns its wall time in ms. */
static inline double bench_clocked_forward(hant_net *net, const float *x, int batch, float *out) {
    memset(bench_clock_t, 0, sizeof bench_clock_t);
    memset(bench_clock_d, 0, sizeof bench_clock_d);
    bench_clock_on = 1;
    double t0 = hant_time_ms();
    hant_net_forward(net, x, batch, out);
    double ms = hant_time_ms() - t0;
    bench_clock_on = 0;
    return ms;
}
#endif
