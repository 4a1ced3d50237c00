/* In-process A/B of one of hant.h's internal switches (sixteenth session):
 * whole forwards alternate between the switch at its default ("new") and
 * at the other value ("old"), which of the two goes first alternating every
 * pair, so that both see the same minutes of a noisy host.
 *
 *   bench_ab MODEL SWITCH [--old V] [--threads T] [--batch B] [--pairs P]
 *
 * MODEL: .hant or .onnx. SWITCH: se_fold (hant__se_fold), se_fold_solo
 * (hant__se_fold_solo: the fold for a thread alone on several images), mb_l2
 * (hant__infer_mb_l2: micro-batches within L2 before a late cut), mb_cap (--old V:
 * V images in place of mb_l2's), dw_ref (hant__dw_ref), gemv_off
 * (hant__gemm_gemv_off), wino_pf_off (hant__wino_pf_off), kc_one (hant__kc_one, --old V up to HANT__KC_ONE: the
 * packed weights' K blocks, so the model is loaded twice, once packed each way), kc_split
 * (hant__kc_split: K past hant__kc_one in equal blocks, not HANT__KC; loaded twice too), fuse_solo
 * (hant__fuse_solo: the larger bands of a thread alone), fuse_rowsplit (hant__fuse_rowsplit: tiled
 * blocks without SE split by output rows between threads, not by whole bands), fuse_small_mt
 * (hant__fuse_small_mt: the small blocks without SE (autof 2) tiled at batch 1 on several threads,
 * --old V: the rule's ratio in tenths, 0 op by op), fuse_batch_on (hant__fuse_batch_on: autof 2 blocks
 * tiled at batch on a thread alone), w3_off (hant__gemm_w3_off: AVX2's 17-24 column tails in MR x NR
 * and tall tiles, not hant__md_w3), bal_off (hant__gemm_bal_off: MR-row tiles and a short tail, not tiles of MR
 * and MR - 1 rows), dw_s2_rows (hant__dw_s2_rows: stride-2 depthwise convs with few rows split by rows
 * between threads, not channels);
 * "old" sets it to V (default: !its default). Prints the medians, the
 * 10th and 90th percentiles, old/new and the pairs the new side won, and
 * whether both gave the same bits; then per part of the network (the stem, each
 * block, the head: bench_op_clock.h) the two medians. Run it under chrt -f.
 */
#define _GNU_SOURCE /* pread, clock_gettime: hant.h before any system header */
#include "bench_op_clock.h"
#include "bench_common.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    int threads = 2, batch = 1, pairs = 100, old = -1;
    if (argc < 3) { fprintf(stderr, "usage: bench_ab MODEL SWITCH [--threads T] [--batch B] [--pairs P]\n"); return 2; }
    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--batch") && i + 1 < argc) batch = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--pairs") && i + 1 < argc) pairs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--old") && i + 1 < argc) old = atoi(argv[++i]);
        else { fprintf(stderr, "bench_ab: unknown option %s\n", argv[i]); return 2; }
    }
    static const struct { const char *name; int *flag; } switches[] = {
        { "se_fold", &hant__se_fold }, { "se_fold_solo", &hant__se_fold_solo }, { "mb_cap", &hant__infer_mb_cap },
        { "mb_l2", &hant__infer_mb_l2 }, { "dw_ref", &hant__dw_ref }, { "gemv_off", &hant__gemm_gemv_off },
        { "wino_pf_off", &hant__wino_pf_off }, { "kc_one", &hant__kc_one }, { "kc_split", &hant__kc_split },
        { "fuse_solo", &hant__fuse_solo }, { "fuse_rowsplit", &hant__fuse_rowsplit },
        { "fuse_small_mt", &hant__fuse_small_mt }, { "fuse_batch_on", &hant__fuse_batch_on },
        { "w3_off", &hant__gemm_w3_off }, { "bal_off", &hant__gemm_bal_off }, { "dw_s2_rows", &hant__dw_s2_rows },
    };
    int *sw = NULL;
    for (size_t i = 0; i < sizeof switches / sizeof switches[0]; i++)
        if (!strcmp(argv[2], switches[i].name)) sw = switches[i].flag;
    if (!sw || threads < 1 || batch < 1 || pairs < 2) { fprintf(stderr, "bench_ab: bad switch or counts\n"); return 2; }
    int def = *sw;
    if (old < 0) old = !def;
    hant_config cfg = { threads, 0, { 0 }, 0 };
    hant_context *ctx;
    hant_net *net;
    if (hant_context_create(&cfg, &ctx)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
    const char *p = argv[1];
    size_t pl = strlen(p);
    hant_net *nets[2];
    int twice = sw == &hant__kc_one || sw == &hant__kc_split; /* the switch picks the weights' layout at packing */
    for (int v = 0; v < 1 + twice; v++) {
        *sw = v ? old : def;
        if (pl > 5 && !strcmp(p + pl - 5, ".onnx") ? hant_onnx_load(ctx, p, NULL, &nets[v]) : hant_net_load(ctx, p, &nets[v])) {
            fprintf(stderr, "%s: %s\n", p, hant_last_error());
            return 1;
        }
    }
    *sw = def;
    net = nets[0];
    if (!twice) nets[1] = net;
    size_t insz = (size_t)net->slot_size[0] * batch, osz = hant_net_output_size(net) * batch;
    float *x = (float *)malloc(insz * 4), *o[2] = { (float *)malloc(osz * 4), (float *)malloc(osz * 4) };
    double *t[2] = { (double *)malloc(8 * (size_t)pairs), (double *)malloc(8 * (size_t)pairs) }, wins = 0, maxd = 0;
    int np = HANT__MIN(net->arch.num_blocks + 2, 64);
    double *pt = (double *)malloc(sizeof(double) * 2 * 64 * (size_t)pairs); /* [side][part][pair] */
    bench_clock_split_head = 1;
    for (size_t i = 0; i < insz; i++) x[i] = (float)((i * 2654435761u) % 1000) / 500.0f - 1.0f;
    for (int r = -3; r < pairs; r++)
        for (int v = 0; v < 2; v++) {
            int m = (r + v) & 1; /* 0: new (the default), 1: old */
            *sw = m ? old : def;
            memset(bench_clock_t, 0, sizeof bench_clock_t);
            bench_clock_on = batch == 1; /* the clock sees one image's ops only where no task splits the batch */
            double t0 = hant_time_ms();
            if (hant_net_forward(nets[m], x, batch, o[m])) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
            double w = hant_time_ms() - t0;
            bench_clock_on = 0;
            if (r >= 0) {
                t[m][r] = w;
                for (int k = 0; k < np; k++) pt[((size_t)m * 64 + k) * pairs + r] = bench_clock_t[k];
            }
        }
    *sw = def;
    for (int r = 0; r < pairs; r++) wins += t[1][r] > t[0][r];
    for (size_t i = 0; i < osz; i++) {
        double d = fabs((double)o[0][i] - o[1][i]) / (1e-3 + fabs((double)o[1][i]));
        if (d > maxd) maxd = d;
    }
    int same = !memcmp(o[0], o[1], osz * 4);
    double m0 = hant_bench_median(t[0], pairs), m1 = hant_bench_median(t[1], pairs); /* sorts */
    printf("%s %s=%d vs %d, threads %d batch %d: new %.3f ms (p10 %.3f p90 %.3f), old %.3f (p10 %.3f p90 %.3f), old/new %.3f, new faster in %.0f/%d pairs, same bits %d (max rel diff %.2g)\n",
           p, argv[2], def, old, threads, batch, m0, t[0][pairs / 10], t[0][pairs * 9 / 10], m1, t[1][pairs / 10], t[1][pairs * 9 / 10], m1 / m0, wins, pairs, same, maxd);
    if (batch == 1) {
        printf("part\tnew_ms\told_ms\told/new\n");
        for (int k = 0; k < np; k++) {
            double a = hant_bench_median(pt + (size_t)k * pairs, pairs), b = hant_bench_median(pt + (size_t)(64 + k) * pairs, pairs);
            printf("%s%d\t%.4f\t%.4f\t%.3f\n", k == 0 ? "stem" : k == np - 1 ? "head" : "block", k == 0 || k == np - 1 ? 0 : k - 1, a, b, a > 0 ? b / a : 0);
        }
    }
    hant_net_destroy(net);
    if (twice) hant_net_destroy(nets[1]);
    hant_context_destroy(ctx);
    free(pt);
    free(x); free(o[0]); free(o[1]); free(t[0]); free(t[1]);
    return 0;
}
