/* bench_train_ops.c - where a training step's time goes (issue 18 item 4).
 *
 * One SGD step of a reference network (forward, cross-entropy, backward with
 * the gradient reduction, update), as `hant bench ARCH --train` times it. The
 * phases are timed as a whole; inside forward and backward thread 0's ops are
 * timed by kind and direction (HANT_TRAIN_PROFILE; both threads run the same
 * ops on their half of the batch). Convolution rows give GFLOP/s per thread
 * and the share of one core's measured FMA peak (bench_common.h).
 *
 * usage: bench_train_ops [ARCH] [BATCH] [THREADS] [STEPS]
 *
 * BTO_AB=KNOB:A:B (environment): an in-process A/B. The steps alternate the
 * knob between A and B in ABBA order and each op's median and minimum per
 * step are printed for both. Knobs (hant.h's runtime switches): group (image
 * group KiB, hant__train_group_bytes), wpack (hant__train_wpack), strip_off
 * (hant__gemm_strip_off), tall_off (hant__gemm_tall_off), wg_transpose
 * (hant__wg_transpose), defer (hant__train_defer), scale
 * (hant__train_defer_scale).
 */
#define HANT_IMPLEMENTATION
#define HANT_TRAIN_PROFILE
#include "hant.h"
#include "bench_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void ab_set(const char *knob, long v) {
    if (!strcmp(knob, "group")) hant__train_group_bytes = (size_t)v << 10;
    else if (!strcmp(knob, "wpack")) hant__train_wpack = (int)v;
    else if (!strcmp(knob, "strip_off")) hant__gemm_strip_off = (int)v;
    else if (!strcmp(knob, "tall_off")) hant__gemm_tall_off = (int)v;
    else if (!strcmp(knob, "wg_transpose")) hant__wg_transpose = (int)v;
    else if (!strcmp(knob, "defer")) hant__train_defer = (int)v;
    else if (!strcmp(knob, "scale")) hant__train_defer_scale = (int)v;
    else { fprintf(stderr, "bench_train_ops: unknown BTO_AB knob %s\n", knob); exit(2); }
}
static int cmp_d(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }
static double med_d(double *v, int n) { qsort(v, (size_t)n, sizeof *v, cmp_d); return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]); }

static const char *tp_name[HANT__TP_COUNT] = {
    "fwd conv 1x1", "fwd depthwise", "fwd dense (stem)", "fwd BN statistics", "fwd BN apply + act", "fwd SE",
    "fwd act/pool/GAP", "fwd fake quant", "bwd residual copy", "bwd BN + act", "bwd act", "bwd bias",
    "bwd 1x1 data", "bwd 1x1 weights", "bwd depthwise (data+weights)", "bwd dense (stem)", "bwd SE", "bwd other" };

int main(int argc, char **argv) {
    const char *arch_name = argc > 1 ? argv[1] : "b0-fm";
    int batch = argc > 2 ? atoi(argv[2]) : 128, threads = argc > 3 ? atoi(argv[3]) : 2, steps = argc > 4 ? atoi(argv[4]) : 8;
    hant_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.threads = threads;
    hant_context *ctx;
    hant_arch arch;
    hant_net *net;
    hant_optim *opt;
    if (hant_context_create(&cfg, &ctx) || hant_arch_builtin(arch_name, &arch) || hant_net_create(ctx, &arch, 1, &net) ||
        hant_optim_create(net, NULL, &opt)) {
        fprintf(stderr, "bench_train_ops: %s\n", hant_last_error());
        return 1;
    }
    size_t nx = (size_t)batch * arch.in_h * arch.in_w * arch.in_c, ny = (size_t)batch * hant_net_output_size(net);
    float *x = (float *)malloc(nx * sizeof(float)), *y = (float *)malloc(ny * sizeof(float)), *dy = (float *)malloc(ny * sizeof(float));
    int *lab = (int *)malloc(sizeof(int) * (size_t)batch);
    uint64_t s = 12345;
    for (size_t i = 0; i < nx; i++) { s = s * 6364136223846793005ull + 1442695040888963407ull; x[i] = (float)((s >> 40) * (1.0 / 16777216.0)) * 2.0f - 1.0f; }
    for (int i = 0; i < batch; i++) lab[i] = i % arch.num_classes;
    double ph[5] = { 0 }, total = 0;
    /* BTO_AB: per-step op times of each variant (index HANT__TP_COUNT: the step) */
    char knob[32] = "";
    long abv[2] = { 0, 0 };
    const char *ab = getenv("BTO_AB");
    if (ab && sscanf(ab, "%31[^:]:%ld:%ld", knob, &abv[0], &abv[1]) != 3) { fprintf(stderr, "BTO_AB=KNOB:A:B\n"); return 2; }
    double (*abt)[HANT__TP_COUNT + 1] = (double (*)[HANT__TP_COUNT + 1])calloc((size_t)steps + 2, sizeof *abt);
    int abn[2] = { 0, 0 };
    for (int it = -2; it < steps; it++) {
        if (it == 0) { memset(hant__tp_ms, 0, sizeof hant__tp_ms); memset(hant__tp_flops, 0, sizeof hant__tp_flops); memset(hant__tp_unit_ms, 0, sizeof hant__tp_unit_ms); }
        int var = ((it + 2) & 3) == 1 || ((it + 2) & 3) == 2; /* ABBA */
        if (knob[0]) ab_set(knob, abv[var]);
        double tp0[HANT__TP_COUNT];
        memcpy(tp0, hant__tp_ms, sizeof tp0);
        double t[6];
        t[0] = hant_time_ms();
        if (hant_net_train_forward(net, x, batch, y)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
        t[1] = hant_time_ms();
        hant_loss_cross_entropy(y, lab, batch, arch.num_classes, 0.0f, dy);
        t[2] = hant_time_ms();
        hant_net_zero_grad(net);
        t[3] = hant_time_ms();
        if (hant_net_train_backward(net, dy)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
        t[4] = hant_time_ms();
        hant_optim_step(opt);
        t[5] = hant_time_ms();
        if (it >= 0) { for (int k = 0; k < 5; k++) ph[k] += t[k + 1] - t[k]; total += t[5] - t[0]; }
        if (it >= 0 && knob[0]) {
            double *r = abt[it];
            for (int c = 0; c < HANT__TP_COUNT; c++) r[c] = hant__tp_ms[c] - tp0[c];
            r[HANT__TP_COUNT] = t[5] - t[0];
            abn[var]++;
        }
    }
    if (knob[0]) {
        printf("A/B %s: A = %ld, B = %ld, %d / %d steps (ABBA); ms per step, median (min)\n", knob, abv[0], abv[1], abn[0], abn[1]);
        for (int c = 0; c <= HANT__TP_COUNT; c++) {
            double va[2][256];
            int na[2] = { 0, 0 };
            for (int it = 0; it < steps && it < 256; it++) { int v = ((it + 2) & 3) == 1 || ((it + 2) & 3) == 2; va[v][na[v]++] = abt[it][c]; }
            if (!na[0] || !na[1]) continue;
            double ma = med_d(va[0], na[0]), mb = med_d(va[1], na[1]);
            if (ma <= 0 && mb <= 0) continue;
            printf("  %-28s A %8.2f (%7.2f)  B %8.2f (%7.2f)  B/A %.3f\n", c < HANT__TP_COUNT ? tp_name[c] : "step", ma, va[0][0], mb, va[1][0], mb / ma);
        }
    }
    free(abt);
    double peak = hant_bench_fma_peak(1);
    printf("arch %s batch %d threads %d isa %s steps %d; one core's FMA peak %.1f GFLOP/s\n", arch_name, batch, threads, hant_isa(), steps, peak);
    printf("%-30s %9s %6s %8s %7s\n", "part", "ms/step", "share", "GFLOP/s", "%peak");
    const char *pn[5] = { "forward (whole)", "loss", "zero grad", "backward + reduce (whole)", "optimizer" };
    for (int k = 0; k < 5; k++) printf("%-30s %9.2f %5.1f%%\n", pn[k], ph[k] / steps, 100 * ph[k] / total);
    printf("%-30s %9.2f\n", "step", total / steps);
    double fsum = 0, bsum = 0;
    for (int c = 0; c < HANT__TP_COUNT; c++) {
        double ms = hant__tp_ms[c] / steps;
        if (c < HANT__TP_BRES) fsum += ms; else bsum += ms;
        if (ms <= 0) continue;
        double gf = hant__tp_flops[c] / steps / (ms * 1e6);
        if (hant__tp_flops[c] > 0) printf("  %-28s %9.2f %5.1f%% %8.1f %6.1f%%\n", tp_name[c], ms, 100 * hant__tp_ms[c] / total, gf, 100 * gf / peak);
        else printf("  %-28s %9.2f %5.1f%%\n", tp_name[c], ms, 100 * hant__tp_ms[c] / total);
    }
    printf("  %-28s %9.2f %5.1f%%\n", "fwd untimed (thread 0)", ph[0] / steps - fsum, 100 * (ph[0] / steps - fsum) / (total / steps));
    printf("  %-28s %9.2f %5.1f%%\n", "bwd untimed (+ reduce)", ph[3] / steps - bsum, 100 * (ph[3] / steps - bsum) / (total / steps));
    if (getenv("BTO_UNITS")) { /* thread 0's forward conv per unit: shape, ms per step, GFLOP/s, images per group */
        printf("forward conv per unit (thread 0, %d images): unit  n h w cin -> cout k s  ms/step  GFLOP/s  %%peak\n", net->train_n[0]);
        for (int i = 0; i < net->nunits && i < HANT__TP_UNITS; i++) {
            const hant__unit *u = &net->units[i];
            double ms = hant__tp_unit_ms[i] / steps, gf = hant__tp_conv_flops(u, net->train_n[0]) / (ms * 1e6);
            if (ms > 0) printf("  %3d %2dx%-2d %4d -> %4d k%d s%d g%d %8.3f %8.1f %6.1f%%\n", i, u->s.h, u->s.w, u->s.cin, u->s.cout, u->s.kernel, u->s.stride,
                               u->s.groups, ms, gf, 100 * gf / peak);
        }
    }
    hant_optim_destroy(opt);
    hant_net_destroy(net);
    hant_context_destroy(ctx);
    free(x); free(y); free(dy); free(lab);
    return 0;
}
