/* Per-layer inference profile of one network (a .hant file, an ONNX file or
 * a built-in arch): every op of the inference path timed on its own, in
 * network order, on the activations the previous op left, with each conv's
 * multiply-adds, GFLOP/s and share of this machine's FMA peak (measured first
 * for the ISA compiled in). Fused groups (tiled MBConv) are one row.
 *
 *   bench_layers MODEL [--batch B] [--threads T] [--reps R]
 *   bench_layers --peak-only [--threads T]   (the FMA peak alone: bench_export.sh)
 *
 * A row is the median of R timed passes (after 3 warm-up passes); the last
 * line sums the rows and times the whole forward the same way. Run it under
 * chrt -f on a shared machine (the times are those of one process alone).
 */
#define HANT_IMPLEMENTATION
#include "../hant.h"
#include "bench_common.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hant_bl_cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}


int main(int argc, char **argv) {
    const char *path = NULL;
    int batch = 1, threads = 2, reps = 20, peak_only = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--batch") && i + 1 < argc) batch = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc) reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--peak-only")) peak_only = 1;
        else if (argv[i][0] != '-' && !path) path = argv[i];
        else { fprintf(stderr, "usage: bench_layers MODEL [--batch B] [--threads T] [--reps R]\n"); return 2; }
    }
    if (peak_only && threads >= 1 && threads <= 64) {
        printf("isa %s threads %d fma_peak_gflops %.1f\n", hant_isa(), threads, hant_bench_fma_peak(threads));
        return 0;
    }
    if (!path || batch < 1 || threads < 1 || threads > 64 || reps < 1) { fprintf(stderr, "usage: bench_layers MODEL [--batch B] [--threads T] [--reps R]\n"); return 2; }
    hant_config cfg = { threads, 0, { 0 }, 0 };
    hant_context *ctx;
    hant_net *net = NULL;
    if (hant_context_create(&cfg, &ctx)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
    size_t pl = strlen(path);
    hant_arch arch;
    hant_status st;
    if (pl > 5 && !strcmp(path + pl - 5, ".onnx")) st = hant_onnx_load(ctx, path, NULL, &net);
    else if (pl > 5 && !strcmp(path + pl - 5, ".hant")) st = hant_net_load(ctx, path, &net);
    else st = hant_arch_builtin(path, &arch) ? hant_arch_builtin(path, &arch) : hant_net_create(ctx, &arch, 1, &net);
    if (st) { fprintf(stderr, "%s: %s\n", path, hant_last_error()); return 1; }
    if (batch >= 2 * threads && !getenv("HANT_BL_ANY_BATCH")) { fprintf(stderr, "batch %d >= 2 x threads: hant runs whole images per thread; profile batch < %d\n", batch, 2 * threads); return 1; }
    size_t insz = (size_t)net->slot_size[0] * batch;
    float *x = (float *)malloc(insz * sizeof(float)), *out = (float *)malloc(sizeof(float) * net->slot_size[net->out_slot] * batch);
    for (size_t i = 0; i < insz; i++) x[i] = (float)((i * 2654435761u) % 1000) / 500.0f - 1.0f;
    if (getenv("HANT_SE_FOLD")) hant__se_fold = atoi(getenv("HANT_SE_FOLD")); /* 0: SE gates as x * gate (hant__se_fold_unit) */
    if (hant_net_forward(net, x, batch, out)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
    double peak = hant_bench_fma_peak(threads);
    printf("# isa %s threads %d batch %d reps %d fma_peak_gflops %.1f\n", hant_isa(), threads, batch, reps, peak);
    hant__exec *e = &net->infer_exec[0];
    /* a batch the forward split among threads left exec 0 sized for one thread's share */
    if (e->cap < batch && hant__exec_prepare(net, e, batch, 0)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
    e->slot[0] = x;
    int nops = net->nops;
    double *t = (double *)calloc((size_t)nops * reps, sizeof(double)), *tot = (double *)calloc((size_t)reps, sizeof(double));
    for (int r = -3; r < reps; r++) {
        double t0 = hant_time_ms();
        for (int i = 0; i < nops; i++) {
            double a = hant_time_ms();
            int last = hant__exec_infer_op(net, e, i, batch, net->nops);
            if (r >= 0) t[(size_t)i * reps + r] = hant_time_ms() - a;
            i = last;
        }
        if (r >= 0) tot[r] = hant_time_ms() - t0;
    }
    printf("op\tkind\th\tw\tcin\tcout\tk\ts\tg\tmmacs\tms\tgflops\tpct_peak\n");
    double sum = 0;
    for (int i = 0; i < nops; i++) {
        const hant__op *o = &net->ops[i];
        double *ti = t + (size_t)i * reps;
        const hant__fuse *f = hant__fuse_on(net, o, batch);
        int last = f ? f->op1 : i;
        qsort(ti, (size_t)reps, sizeof(double), hant_bl_cmp);
        double ms = ti[reps / 2];
        sum += ms;
        if (o->type == HANT__OP_UNIT && !f) {
            const hant__unit *u = &net->units[o->idx];
            int g = u->s.groups ? u->s.groups : 1;
            double macs = (double)batch * u->oh * u->ow * u->s.cout * u->s.kernel * u->s.kernel * (u->s.cin / g);
            const char *kind = g == u->s.cin && g > 1 ? "dw" : u->s.kernel == 1 ? "pw" : "dense";
            printf("%d\t%s%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%.2f\t%.4f\t%.1f\t%.1f\n", i, kind, u->q8 ? "-q8" : "", u->s.h, u->s.w, u->s.cin,
                   u->s.cout, u->s.kernel, u->s.stride, g, macs / 1e6, ms, 2 * macs / (ms * 1e6), 200 * macs / (ms * 1e6) / peak);
        } else {
            static const char *names[] = { "unit", "se", "gap", "act", "maxpool" };
            const char *kind = f ? "fused" : (unsigned)o->type < 5 ? names[o->type] : "op";
            printf("%d\t%s\t\t\t\t\t\t\t\t\t%.4f\t\t\n", i, kind, ms);
        }
        i = last;
    }
    qsort(tot, (size_t)reps, sizeof(double), hant_bl_cmp);
    printf("# sum of op medians %.3f ms; whole forward median %.3f ms\n", sum, tot[reps / 2]);
    free(t); free(tot); free(x); free(out);
    hant_net_destroy(net);
    hant_context_destroy(ctx);
    return 0;
}
