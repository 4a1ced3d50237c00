/* One conv with its weights in cache and out of it (seventeenth session,
 * issue 18): calls alternate between weight copy 0 ("warm": the same
 * weights as two calls before) and copies 1..N-1 in turn ("cold": weights
 * last read N - 1 cold calls before, so that with N x the weight bytes past
 * the cache they come from memory, as a network's deep convs do when its
 * whole weight set, read once per forward, does not stay cached).
 *
 *   bench_conv_cache H CIN COUT K S [--wino M] [--copies N] [--threads T] [--rounds R] [--ab]
 *
 * --ab: each round also runs both calls with hant__wino_pf_off = 1 (no
 * prefetch of U's next panel), and prints those medians too ("old").
 *
 * N defaults to as many copies as make 160 MB (this machine's L3 held 64 MB
 * of a read loop at the cached speed). H x H x CIN -> COUT, kernel K, stride S, padding K/2, ReLU, batch 1, the
 * weights packed as a network packs them (--wino M: through the F(M x M)
 * Winograd weights, K 3, S 1). Prints both medians with the 10th and 90th
 * percentiles, the share of the FMA peak (direct multiply-adds, also for
 * Winograd), cold/warm, and both outputs'
 * largest difference (0: same bits). Run it under chrt -f.
 */
#define HANT_IMPLEMENTATION
#include "../hant.h"
#include "bench_common.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hant_cc_cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc < 6) {
        fprintf(stderr, "usage: bench_conv_cache H CIN COUT K S [--wino M] [--copies N] [--threads T] [--rounds R]\n");
        return 2;
    }
    int H = atoi(argv[1]), CI = atoi(argv[2]), CO = atoi(argv[3]), K = atoi(argv[4]), S = atoi(argv[5]);
    int threads = 2, rounds = 40, copies = 0, wino = 0, ab = 0; /* copies 0: as many as make 160 MB */
    for (int i = 6; i < argc; i++) {
        if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--rounds") && i + 1 < argc) rounds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--copies") && i + 1 < argc) copies = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--wino") && i + 1 < argc) wino = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--ab")) ab = 1;
        else { fprintf(stderr, "bench_conv_cache: unknown option %s\n", argv[i]); return 2; }
    }
    if (H < 1 || CI < 1 || CO < 1 || K < 1 || !(K & 1) || S < 1 || threads < 1 || threads > 64 || rounds < 2 || copies == 1 || copies < 0 ||
        (wino && (wino != 2 && wino != 4)) || (wino && (K != 3 || S != 1))) {
        fprintf(stderr, "bench_conv_cache: bad shape or counts\n");
        return 2;
    }
    hant_config cfg = { threads, 0, { 0 }, 0 };
    hant_context *ctx;
    if (hant_context_create(&cfg, &ctx)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
    hant_conv_shape s = { 1, H, H, CI, CO, K, S, 1 };
    int oh = (H + 2 * (K / 2) - K) / S + 1;
    size_t xn = (size_t)H * H * CI, wn = (size_t)K * K * CI * CO, yn = (size_t)oh * oh * CO;
    size_t pn = wino ? hant__wino_floats(wino, CI, CO) : hant__gemm_packed_b_floats(CO, K * K * CI);
    if (!copies) copies = (int)HANT__MAX(4.0, 160e6 / ((double)pn * 4));
    float *x = (float *)malloc(xn * 4), *w = (float *)malloc(wn * 4), *b = (float *)malloc((size_t)CO * 4);
    float *y[2] = { (float *)malloc(yn * 4), (float *)malloc(yn * 4) }, *pw = (float *)malloc(pn * 4 * (size_t)copies);
    float *tmp = wino ? (float *)malloc((size_t)CI * CO * 4) : NULL;
    double *t[4];
    for (int i = 0; i < 4; i++) t[i] = (double *)malloc(sizeof(double) * (size_t)rounds);
    if (!x || !w || !b || !y[0] || !y[1] || !pw || (wino && !tmp) || !t[0] || !t[1] || !t[2] || !t[3]) { fprintf(stderr, "out of memory\n"); return 1; }
    for (size_t i = 0; i < xn; i++) x[i] = (float)((i * 2654435761u) % 1000) / 500.0f - 1.0f;
    for (size_t i = 0; i < wn; i++) w[i] = (float)((i * 40503u) % 1000) / 5000.0f - 0.1f;
    for (int i = 0; i < CO; i++) b[i] = 0.01f * (float)(i % 7);
    for (int c = 0; c < copies; c++) {
        if (wino) hant__wino_pack(wino, w, CI, CO, tmp, pw + pn * (size_t)c);
        else hant__gemm_pack_b_full(0, CO, K * K * CI, w, CO, pw + pn * (size_t)c);
    }
    if (wino && hant__scratch_reserve(ctx, HANT__SCR_COL, hant__wino_scratch_floats(CI, CO) * sizeof(float))) {
        fprintf(stderr, "%s\n", hant_last_error());
        return 1;
    }
    float *yo = (float *)malloc(yn * 4);
    double mdo = 0;
    for (int r = -3; r < rounds; r++)
        for (int call = 0; call < (ab ? 4 : 2); call++) {
            int cold = call & 1, old = (call >> 1) ^ (r & 1 && ab); /* the pair order alternates by round */
            hant__wino_pf_off = old;
            if (old && yo && r >= 0) memcpy(yo, y[cold], yn * 4);
            const float *u = pw + pn * (size_t)(cold ? 1 + (r + 3) % (copies - 1) : 0);
            double t0 = hant_time_ms();
            if (wino) {
                if (!hant__wino_forward(ctx, &s, wino, x, u, b, HANT_ACT_RELU, NULL, y[cold])) { fprintf(stderr, "Winograd scratch too small\n"); return 1; }
            } else hant__conv_forward_packed_x(ctx, &s, x, w, u, b, HANT_ACT_RELU, NULL, y[cold], 1);
            if (r >= 0) t[old * 2 + cold][r] = hant_time_ms() - t0;
            if (old && yo && r >= 0) for (size_t i = 0; i < yn; i++) mdo = fmax(mdo, fabs((double)yo[i] - y[cold][i]));
        }
    hant__wino_pf_off = 0;
    double peak = hant_bench_fma_peak(threads), macs = (double)oh * oh * CO * K * K * CI, md = 0, med[4];
    for (size_t i = 0; i < yn; i++) md = fmax(md, fabs((double)y[0][i] - y[1][i]));
    for (int c = 0; c < (ab ? 4 : 2); c++) {
        qsort(t[c], (size_t)rounds, sizeof(double), hant_cc_cmp);
        med[c] = t[c][rounds / 2];
    }
    printf("%dx%dx%d->%d k%d s%d%s%s T%d: warm %.4f ms (p10 %.4f p90 %.4f) %.1f%% of peak, cold %.4f (p10 %.4f p90 %.4f) %.1f%%, cold/warm %.2f, "
           "weights %.2f MB, %d copies, max|diff| %.2g\n",
           H, H, CI, CO, K, S, wino ? " F" : "", wino ? (wino == 4 ? "(4x4)" : "(2x2)") : "", threads, med[0], t[0][rounds / 10],
           t[0][rounds * 9 / 10], 200 * macs / (med[0] * 1e6) / peak, med[1], t[1][rounds / 10], t[1][rounds * 9 / 10],
           200 * macs / (med[1] * 1e6) / peak, med[1] / med[0], (double)pn * 4 / 1e6, copies, md);
    if (ab)
        printf("  old (hant__wino_pf_off 1): warm %.4f ms (p10 %.4f p90 %.4f), cold %.4f (p10 %.4f p90 %.4f); old/new warm %.3f, cold %.3f; "
               "max|diff| new vs old %.2g\n", med[2], t[2][rounds / 10], t[2][rounds * 9 / 10], med[3], t[3][rounds / 10],
               t[3][rounds * 9 / 10], med[2] / med[0], med[3] / med[1], mdo);
    hant_context_destroy(ctx);
    free(x); free(w); free(b); free(y[0]); free(y[1]); free(pw); free(tmp); free(yo); for (int i = 0; i < 4; i++) free(t[i]);
    return 0;
}
