/* bench_common.h - shared by the C benchmarks in bench/: the measured FMA peak
 * of this machine and a time-capped median timer. Include it after hant.h in
 * the file that defines HANT_IMPLEMENTATION: the peak loop uses hant's SIMD
 * wrappers, so it measures the ISA that hant_isa() names. (static inline: a
 * benchmark that uses only some of these gets no unused-function warning.)
 */
#ifndef HANT_BENCH_COMMON_H
#define HANT_BENCH_COMMON_H

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { int iters; double flops; } hant_bench_peak_arg;

/* 12 independent FMA chains hide the 4-cycle latency on every current core.
 * hant's own vector wrappers, so the peak is that of the ISA hant_isa() names
 * (AVX-512, AVX2, NEON; the scalar build's a * b + c, as its kernels do). */
static inline void *hant_bench_peak_worker(void *p) {
    hant_bench_peak_arg *a = (hant_bench_peak_arg *)p;
    hant__vf acc[12], x = hant__v_set1(0.999999f), y = hant__v_set1(1e-7f);
    for (int i = 0; i < 12; i++) acc[i] = hant__v_set1((float)i);
    for (int it = 0; it < a->iters; it++)
        HANT__UNROLL for (int i = 0; i < 12; i++) acc[i] = hant__v_fmadd(acc[i], x, y);
    float s = 0;
    for (int i = 0; i < 12; i++) s += hant__v_sum(acc[i]);
    a->flops = (double)a->iters * 12 * HANT__VL * 2 + (s == 12345.0f);
    return NULL;
}

/* FP32 GFLOP/s of `threads` threads running FMAs only, the best of `bursts`
 * runs of `iters` iterations each. threads <= 64. */
static inline double hant_bench_fma_peak_of(int threads, int iters, int bursts) {
    double best = 0;
    for (int rep = 0; rep < bursts; rep++) {
        pthread_t th[64];
        hant_bench_peak_arg args[64];
        double t0 = hant_time_ms();
        for (int t = 0; t < threads; t++) { args[t].iters = iters; pthread_create(&th[t], NULL, hant_bench_peak_worker, &args[t]); }
        double flops = 0;
        for (int t = 0; t < threads; t++) { pthread_join(th[t], NULL); flops += args[t].flops; }
        double g = flops / ((hant_time_ms() - t0) * 1e6);
        if (g > best) best = g;
    }
    return best;
}

/* The denominator of every "% of peak" the benchmarks print: best of 5 runs
 * of about 40 ms. */
static inline double hant_bench_fma_peak(int threads) { return hant_bench_fma_peak_of(threads, 20000000, 5); }

static inline int hant_bench_cmpd(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

#define HANT_BENCH_MAX_SAMPLES 201

typedef struct { double median_ms, mad_ms; int samples, inner; } hant_bench_stats;

/* Median and MAD (unscaled) of the time per call of fn(arg). Warm-up until at
 * least 2 calls and 20 ms; then samples of `inner` back-to-back calls (inner
 * chosen so a sample lasts about 1 ms, which keeps the clock's resolution out
 * of sub-microsecond kernels), at least 5 and at most 201 of them, until
 * target_ms of sampling. bench/bench_kernels_torch.py mirrors this protocol
 * for PyTorch, so both sides are timed the same way. */
static inline hant_bench_stats hant_bench_time(void (*fn)(void *), void *arg, double target_ms) {
    hant_bench_stats st = { 0, 0, 0, 1 };
    double t0 = hant_time_ms(), el;
    int calls = 0;
    do { fn(arg); calls++; el = hant_time_ms() - t0; } while (calls < 2 || el < 20.0);
    double est = el / calls;
    st.inner = est >= 1.0 ? 1 : (int)ceil(1.0 / est);
    double t[HANT_BENCH_MAX_SAMPLES], dev[HANT_BENCH_MAX_SAMPLES], start = hant_time_ms();
    int n = 0;
    while (n < 5 || (n < HANT_BENCH_MAX_SAMPLES && hant_time_ms() - start < target_ms)) {
        double s0 = hant_time_ms();
        for (int i = 0; i < st.inner; i++) fn(arg);
        t[n++] = (hant_time_ms() - s0) / st.inner;
    }
    qsort(t, (size_t)n, sizeof(double), hant_bench_cmpd);
    st.median_ms = n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
    for (int i = 0; i < n; i++) dev[i] = fabs(t[i] - st.median_ms);
    qsort(dev, (size_t)n, sizeof(double), hant_bench_cmpd);
    st.mad_ms = n % 2 ? dev[n / 2] : 0.5 * (dev[n / 2 - 1] + dev[n / 2]);
    st.samples = n;
    return st;
}

static inline double hant_bench_median(double *t, int n) { /* sorts t */
    qsort(t, (size_t)n, sizeof(double), hant_bench_cmpd);
    return n & 1 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
}

/* One block of a reference network at its input size. */
typedef struct { const char *arch; int block, h, w; hant_block_spec b; } hant_bench_block_shape;

/* Appends to sh[0..ns) the blocks of builtin network `arch` not there yet (the
 * same spec at the same size counts once), squeeze-excite removed if no_se;
 * returns the new count (at most max). */
static inline int hant_bench_distinct_blocks(hant_bench_block_shape *sh, int ns, int max, const char *arch, int no_se) {
    hant_arch a;
    hant_arch_builtin(arch, &a);
    for (int i = 0; i < a.num_blocks && ns < max; i++) {
        hant_bench_block_shape s = { arch, i, 0, 0, a.blocks[i] };
        hant_arch_block_input(&a, i, &s.h, &s.w, NULL);
        if (no_se) s.b.se_ratio = 0;
        int dup = 0;
        for (int k = 0; k < ns && !dup; k++) dup = sh[k].arch == s.arch && sh[k].h == s.h && !memcmp(&sh[k].b, &s.b, sizeof s.b);
        if (!dup) sh[ns++] = s;
    }
    return ns;
}

/* A network of the one block b at h x w (the reference networks' BN epsilon). */
static inline int hant_bench_block_net(hant_context *ctx, int h, int w, const hant_block_spec *b, hant_net **out) {
    hant_arch a;
    memset(&a, 0, sizeof a);
    a.in_h = h; a.in_w = w; a.in_c = b->cin; a.bn_eps = 1e-3f; a.num_blocks = 1; a.blocks[0] = *b;
    if (hant_net_create(ctx, &a, 1, out)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
    return 0;
}

/* x[0..n) from a fixed xorshift sequence, in [-1, 1). */
static inline void hant_bench_fill(float *x, size_t n) {
    uint64_t r = 0x9E3779B97F4A7C15ull;
    for (size_t i = 0; i < n; i++) { r ^= r << 13; r ^= r >> 7; r ^= r << 17; x[i] = (float)(r % 2000) * 0.001f - 1.0f; }
}

/* ms per batch-1 forward, over `inner` back-to-back calls */
static inline double hant_bench_forward_ms(hant_net *net, const float *x, float *y, int inner) {
    double t0 = hant_time_ms();
    for (int i = 0; i < inner; i++) hant_net_forward(net, x, 1, y);
    return (hant_time_ms() - t0) / inner;
}

/* Two one-block networks at h x w, base and its twin (int8, tiled, ...) with
 * the same parameters, and an input x (filled) and output y for batch 1. */
static inline int hant_bench_twin_nets(hant_context *ctx, int h, int w, const hant_block_spec *base, const hant_block_spec *twin, hant_net **p,
                                       hant_net **q, float **x, float **y) {
    if (hant_bench_block_net(ctx, h, w, base, p) || hant_bench_block_net(ctx, h, w, twin, q)) return 1;
    size_t np = 0, nq = 0;
    memcpy(hant_net_param_data(*q, &nq), hant_net_param_data(*p, &np), np * sizeof(float));
    size_t nx = (size_t)h * w * base->cin, ny = (size_t)hant_net_output_size(*p);
    *x = (float *)malloc(nx * sizeof(float));
    *y = (float *)malloc(ny * sizeof(float));
    if (!*x || !*y) { fprintf(stderr, "out of memory\n"); return 1; }
    hant_bench_fill(*x, nx);
    return 0;
}

/* Two networks of one input shape side by side: both warmed up, then `rounds`
 * rounds of one ~2 ms sample each, the order alternating from round to round
 * so that drift hits both alike. t[k][0..rounds) come back sorted, m[k] is
 * their median. rounds <= HANT_BENCH_MAX_SAMPLES. */
static inline void hant_bench_twins(hant_net *p, hant_net *q, const float *x, float *y, int rounds, double t[2][HANT_BENCH_MAX_SAMPLES],
                                    double m[2]) {
    int calls = 0;
    for (double t0 = hant_time_ms(); calls < 4 || hant_time_ms() - t0 < 30; calls++) { hant_net_forward(p, x, 1, y); hant_net_forward(q, x, 1, y); }
    double warm = hant_bench_forward_ms(p, x, y, 3);
    int inner = warm >= 2.0 ? 1 : (int)(2.0 / warm) + 1;
    for (int rd = 0; rd < rounds; rd++)
        for (int v = 0; v < 2; v++) {
            int which = (rd & 1) ? 1 - v : v;
            t[which][rd] = hant_bench_forward_ms(which ? q : p, x, y, inner);
        }
    m[0] = hant_bench_median(t[0], rounds);
    m[1] = hant_bench_median(t[1], rounds);
}

#endif
