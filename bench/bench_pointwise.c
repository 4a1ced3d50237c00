/* Peak FP32 FMA throughput of this machine (measured, per ISA) and hant's
 * pointwise 1x1 convolutions on every distinct b0-224 shape at batch 1
 * (Cout >= 32) as a percentage of it. Network: b0-224 (docs/networks.md).
 * Beside each shape, its memory floor: the same threads reading its input
 * once and writing its output once (no arithmetic), in the same buffers and
 * cache state, with the bytes moved and the bandwidth that pass reached.
 * Where the floor is most of the conv's time the shape is bound by memory.
 *
 * On a shared host the machine's speed moves by tens of percent within
 * minutes, so the peak is measured again beside every shape (just before and
 * just after it) and each shape's share is taken against its own pair; the
 * whole is repeated ROUNDS times, interleaved, and the tables give medians
 * over the rounds with their range.
 *
 *   make bench-pointwise   [THREADS=2]   or   bench_pointwise [THREADS [ROUNDS]]
 *
 * Blocking knobs, to tune on a new CPU (the defaults are hant's): PW_KC_ONE=n
 * packs the weights in K blocks of at most n (0: 256 always), PW_PF=0 skips
 * the next-panel prefetch.
 */
#define HANT_IMPLEMENTATION
#include "../hant.h"
#include "bench_common.h"
#include <stdio.h>
#include <stdlib.h>

typedef struct { const float *x; float *y; int M, K, N; } pw_stream;

/* Rows split as the conv splits them; x summed (so the loads stay), y stored. */
static void pw_stream_task(void *arg, int tid, int nt) {
    const pw_stream *a = (const pw_stream *)arg;
    int64_t b, e;
    hant__split(a->M, HANT__MR, tid, nt, &b, &e);
    hant__vf acc = hant__v_zero();
    for (int64_t m = b; m < e; m++) {
        const float *xr = a->x + (size_t)m * a->K;
        for (int k = 0; k < a->K; k += HANT__VL) acc = hant__v_add(acc, hant__v_loadp(xr + k, a->K - k));
        float *yr = a->y + (size_t)m * a->N;
        for (int n = 0; n < a->N; n += HANT__VL) hant__v_storep(yr + n, acc, a->N - n);
    }
}

#define PW_MAX_SHAPES 64
#define PW_MAX_ROUNDS 21

typedef struct {
    int M, K, N, h, w, reps;
    hant_conv_shape s;
    float *x, *w_, *y, *packed;
    double ms[PW_MAX_ROUNDS], pct[PW_MAX_ROUNDS], floor_ms[PW_MAX_ROUNDS];
} pw_shape;

/* A short peak (best of 3 bursts of about 5 ms): taken beside every shape. */
static double pw_peak_now(int threads) { return hant_bench_fma_peak_of(threads, 2000000, 3); }

/* One shape's conv as hant runs it, and its memory floor: the two timed calls. */
typedef struct { hant_context *ctx; const pw_shape *p; pw_stream st; } pw_call;
static void pw_conv_call(void *arg) {
    const pw_call *c = (const pw_call *)arg;
    hant__conv_forward_packed(c->ctx, &c->p->s, c->p->x, c->p->w_, c->p->packed, NULL, HANT_ACT_NONE, NULL, c->p->y);
}
static void pw_floor_call(void *arg) {
    pw_call *c = (pw_call *)arg;
    hant__run(c->ctx, pw_stream_task, &c->st);
}

/* Median over reps samples of the time per call of fn, each sample 10 calls back to back. */
static double pw_time_ms(void (*fn)(void *), void *arg, int reps) {
    double t[41];
    for (int k = 0; k < reps; k++) {
        double t0 = hant_time_ms();
        for (int q = 0; q < 10; q++) fn(arg);
        t[k] = (hant_time_ms() - t0) / 10;
    }
    return hant_bench_median(t, reps);
}

/* Median of t[0..n) (sorts a copy) and its range. */
static double pw_median(const double *t, int n, double *lo, double *hi) {
    double c[PW_MAX_ROUNDS];
    memcpy(c, t, sizeof(double) * (size_t)n);
    if (lo) { *lo = c[0]; *hi = c[0]; for (int i = 1; i < n; i++) { if (c[i] < *lo) *lo = c[i]; if (c[i] > *hi) *hi = c[i]; } }
    return hant_bench_median(c, n);
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 2, rounds = argc > 2 ? atoi(argv[2]) : 5;
    if (threads < 1 || threads > 64 || rounds < 1 || rounds > PW_MAX_ROUNDS) {
        fprintf(stderr, "usage: bench_pointwise [THREADS 1..64 [ROUNDS 1..%d]]\n", PW_MAX_ROUNDS);
        return 2;
    }
    hant_config cfg = { threads, 0, { 0 }, 0 };
    hant_context *ctx;
    if (hant_context_create(&cfg, &ctx)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
    if (getenv("PW_KC_ONE")) hant__kc_one = atoi(getenv("PW_KC_ONE"));
    if (getenv("PW_PF")) hant__gemm_pf_off = !atoi(getenv("PW_PF"));
    hant_arch a;
    hant_arch_builtin("b0-224", &a);
    hant_net *net;
    if (hant_net_create(ctx, &a, 1, &net)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
    static pw_shape sh[PW_MAX_SHAPES];
    int ns = 0;
    for (int i = 0; i < net->nunits && ns < PW_MAX_SHAPES; i++) {
        const hant__unit *u = &net->units[i];
        if (u->s.kernel != 1 || u->s.groups != 1 || !u->has_bn || u->s.cout < 32) continue;
        int M = u->s.h * u->s.w, K = u->s.cin, N = u->s.cout, dup = 0;
        for (int j = 0; j < ns; j++) dup |= sh[j].M == M && sh[j].K == K && sh[j].N == N;
        if (dup) continue;
        pw_shape *p = &sh[ns++];
        p->M = M; p->K = K; p->N = N; p->h = u->s.h; p->w = u->s.w; p->s = u->s; p->s.n = 1;
        p->reps = (int)HANT__MAX(11, HANT__MIN(41, 2e9 / (2.0 * M * K * N)));
        p->x = hant_alloc(ctx, sizeof(float) * (size_t)M * K); p->w_ = hant_alloc(ctx, sizeof(float) * (size_t)K * N);
        p->y = hant_alloc(ctx, sizeof(float) * (size_t)M * N); p->packed = hant_alloc(ctx, sizeof(float) * hant__gemm_packed_b_floats(N, K));
        for (size_t k = 0; k < (size_t)M * K; k++) p->x[k] = (float)(k % 17) * 0.01f;
        for (size_t k = 0; k < (size_t)K * N; k++) p->w_[k] = (float)(k % 13) * 0.01f;
        hant__gemm_pack_b_full(0, N, K, p->w_, N, p->packed);
    }
    double peak_all[PW_MAX_ROUNDS * PW_MAX_SHAPES * 2], weighted[PW_MAX_ROUNDS];
    int npk = 0;
    for (int r = 0; r < rounds; r++) {
        double flop_sum = 0, peak_ms_sum = 0; /* the round's FLOPs, and its shapes' times each in its own peak's units */
        for (int i = 0; i < ns; i++) {
            pw_shape *p = &sh[i];
            double flop = 2.0 * p->M * p->K * p->N;
            pw_call call = { ctx, p, { p->x, p->y, p->M, p->K, p->N } };
            double pk0 = pw_peak_now(threads);
            for (int q = 0; q < 3; q++) pw_conv_call(&call);
            p->ms[r] = pw_time_ms(pw_conv_call, &call, p->reps);
            double pk1 = pw_peak_now(threads), pk = 0.5 * (pk0 + pk1);
            p->floor_ms[r] = pw_time_ms(pw_floor_call, &call, p->reps);
            p->pct[r] = 100 * flop / (p->ms[r] * 1e6) / pk;
            flop_sum += flop; peak_ms_sum += p->ms[r] * pk;
            peak_all[npk++] = pk0; peak_all[npk++] = pk1;
        }
        weighted[r] = 100 * flop_sum / (peak_ms_sum * 1e6);
        fprintf(stderr, "round %d of %d: FLOP-weighted %.1f%% of peak\n", r + 1, rounds, weighted[r]);
    }
    double pmed = hant_bench_median(peak_all, npk), plo = peak_all[0], phi = peak_all[npk - 1]; /* sorted by the median */
    printf("kc_one %d (K blocks: %s) prefetch %s\n", hant__kc_one, hant__kc_split ? "equal" : "256 past it", hant__gemm_pf_off ? "off" : "on");
    printf("isa %s threads %d rounds %d measured_fma_peak_gflops %.1f (median of %d, beside every shape; range %.1f-%.1f)\n\n", hant_isa(),
           threads, rounds, pmed, npk, plo, phi);
    printf("| b0-224 pointwise (batch 1) | M x K x N | median ms | %% of peak (median, range) | MB moved | memory floor ms (GB/s) | floor / ms |\n"
           "|---|---|---|---|---|---|---|\n");
    double sum_pct = 0, min_pct = 1e9;
    for (int i = 0; i < ns; i++) {
        pw_shape *p = &sh[i];
        double lo, hi, ms = pw_median(p->ms, rounds, NULL, NULL), pct = pw_median(p->pct, rounds, &lo, &hi), fl = pw_median(p->floor_ms, rounds, NULL, NULL);
        double mb = 4.0 * ((double)p->M * p->K + (double)p->M * p->N + (double)p->K * p->N) / 1e6;
        printf("| %dx%dx%d -> %d | %d x %d x %d | %.4f | %.1f (%.1f-%.1f) | %.2f | %.4f (%.0f) | %.0f%% |\n", p->h, p->w, p->K, p->N, p->M, p->K,
               p->N, ms, pct, lo, hi, mb, fl, mb / fl, 100 * fl / ms);
        sum_pct += pct;
        if (pct < min_pct) min_pct = pct;
        hant_free(ctx, p->x); hant_free(ctx, p->w_); hant_free(ctx, p->y); hant_free(ctx, p->packed);
    }
    double wlo, whi, wmed = pw_median(weighted, rounds, &wlo, &whi);
    printf("\n%d shapes: mean %.1f%% of peak, min %.1f%%, FLOP-weighted %.1f%% (rounds %.1f-%.1f)\n", ns, sum_pct / ns, min_pct, wmed, wlo, whi);
    hant_net_destroy(net);
    hant_context_destroy(ctx);
    return 0;
}
