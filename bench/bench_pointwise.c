/* Peak FP32 FMA throughput of this machine (measured, per ISA) and hant's
 * pointwise 1x1 convolutions on every distinct b0-224 shape at batch 1
 * (Cout >= 32) as a percentage of it. Network: b0-224 (docs/networks.md).
 * Beside each shape, its memory floor: the same threads reading its input
 * once and writing its output once (no arithmetic), in the same buffers and
 * cache state, with the bytes moved and the bandwidth that pass reached.
 * Where the floor is most of the conv's time the shape is bound by memory.
 *
 *   make bench-pointwise   [THREADS=2]
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

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 2;
    if (threads < 1 || threads > 64) { fprintf(stderr, "usage: bench_pointwise [THREADS 1..64]\n"); return 2; }
    hant_config cfg = { threads, 0, { 0 }, 0 };
    hant_context *ctx;
    if (hant_context_create(&cfg, &ctx)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
    double peak = hant_bench_fma_peak(threads);
    printf("isa %s threads %d measured_fma_peak_gflops %.1f (best of 5)\n\n", hant_isa(), threads, peak);
    hant_arch a;
    hant_arch_builtin("b0-224", &a);
    hant_net *net;
    hant_net_create(ctx, &a, 1, &net);
    printf("| b0-224 pointwise (batch 1) | M x K x N | median ms | GFLOP/s | %% of peak | MB moved | memory floor ms (GB/s) | floor / ms |\n"
           "|---|---|---|---|---|---|---|---|\n");
    int seen[256][3], nseen = 0;
    double sum_pct = 0, min_pct = 1e9, total_flop = 0, total_ms = 0;
    int count = 0;
    for (int i = 0; i < net->nunits; i++) {
        const hant__unit *u = &net->units[i];
        if (u->s.kernel != 1 || u->s.groups != 1 || !u->has_bn || u->s.cout < 32) continue;
        int M = u->s.h * u->s.w, K = u->s.cin, N = u->s.cout, dup = 0;
        for (int j = 0; j < nseen; j++) if (seen[j][0] == M && seen[j][1] == K && seen[j][2] == N) dup = 1;
        if (dup) continue;
        seen[nseen][0] = M; seen[nseen][1] = K; seen[nseen][2] = N; nseen++;
        float *x = hant_alloc(ctx, sizeof(float) * (size_t)M * K), *w = hant_alloc(ctx, sizeof(float) * (size_t)K * N);
        float *y = hant_alloc(ctx, sizeof(float) * (size_t)M * N), *packed = hant_alloc(ctx, sizeof(float) * hant__gemm_packed_b_floats(N, K));
        for (size_t k = 0; k < (size_t)M * K; k++) x[k] = (float)(k % 17) * 0.01f;
        for (size_t k = 0; k < (size_t)K * N; k++) w[k] = (float)(k % 13) * 0.01f;
        hant__gemm_pack_b_full(0, N, K, w, N, packed);
        hant_conv_shape s = u->s;
        s.n = 1;
        double t[41];
        int reps = (int)HANT__MAX(11, HANT__MIN(41, 2e9 / (2.0 * M * K * N)));
        for (int r = 0; r < 3; r++) hant__conv_forward_packed(ctx, &s, x, w, packed, NULL, HANT_ACT_NONE, NULL, y);
        for (int r = 0; r < reps; r++) {
            double t0 = hant_time_ms();
            for (int q = 0; q < 10; q++) hant__conv_forward_packed(ctx, &s, x, w, packed, NULL, HANT_ACT_NONE, NULL, y);
            t[r] = (hant_time_ms() - t0) / 10;
        }
        qsort(t, (size_t)reps, sizeof(double), hant_bench_cmpd);
        double g = 2.0 * M * K * N / (t[reps / 2] * 1e6), pct = 100 * g / peak;
        pw_stream st = { x, y, M, K, N };
        double ts[41];
        for (int r = 0; r < reps; r++) {
            double t0 = hant_time_ms();
            for (int q = 0; q < 10; q++) hant__run(ctx, pw_stream_task, &st);
            ts[r] = (hant_time_ms() - t0) / 10;
        }
        qsort(ts, (size_t)reps, sizeof(double), hant_bench_cmpd);
        double mb = 4.0 * ((double)M * K + (double)M * N + (double)K * N) / 1e6, fl = ts[reps / 2];
        printf("| %dx%dx%d -> %d | %d x %d x %d | %.4f | %.1f | %.1f | %.2f | %.4f (%.0f) | %.0f%% |\n", u->s.h, u->s.w, K, N, M, K, N, t[reps / 2], g, pct,
               mb, fl, mb / fl, 100 * fl / t[reps / 2]);
        sum_pct += pct; count++;
        if (pct < min_pct) min_pct = pct;
        total_flop += 2.0 * M * K * N; total_ms += t[reps / 2];
        hant_free(ctx, x); hant_free(ctx, w); hant_free(ctx, y); hant_free(ctx, packed);
    }
    printf("\n%d shapes: mean %.1f%% of peak, min %.1f%%, FLOP-weighted %.1f%% (%.1f GFLOP/s)\n", count, sum_pct / count, min_pct,
           100 * total_flop / (total_ms * 1e6) / peak, total_flop / (total_ms * 1e6));
    hant_net_destroy(net);
    hant_context_destroy(ctx);
    return 0;
}
