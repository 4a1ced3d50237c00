/* Batch-1 inference with and without the next-op weight prefetch (hant__pf),
 * alternated pass by pass in one process so that both see the same machine:
 * whole-forward medians, and per-op medians grouped by kind and map size.
 *
 *   bench_prefetch MODEL [--threads T] [--reps R] [--batch B]
 *
 * Run it under chrt -f on a shared machine.
 */
#define HANT_IMPLEMENTATION
#include "../hant.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmpd(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}
static double med(double *v, int n) { qsort(v, (size_t)n, sizeof *v, cmpd); return v[n / 2]; }

int main(int argc, char **argv) {
    const char *path = NULL;
    int threads = 2, reps = 100, batch = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc) reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--batch") && i + 1 < argc) batch = atoi(argv[++i]);
        else if (argv[i][0] != '-' && !path) path = argv[i];
        else { fprintf(stderr, "usage: bench_prefetch MODEL [--threads T] [--reps R] [--batch B]\n"); return 2; }
    }
    if (!path || threads < 1 || reps < 1 || batch < 1) { fprintf(stderr, "usage: bench_prefetch MODEL [--threads T] [--reps R] [--batch B]\n"); return 2; }
    if (getenv("PF_NOGEMM")) hant__pf_next_gemm = 0;
    hant_config cfg = { threads, 0, { 0 }, 0 };
    hant_context *ctx;
    hant_net *net = NULL;
    if (hant_context_create(&cfg, &ctx)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
    size_t pl = strlen(path);
    hant_status st = pl > 5 && !strcmp(path + pl - 5, ".onnx") ? hant_onnx_load(ctx, path, NULL, &net) : hant_net_load(ctx, path, &net);
    if (st) { fprintf(stderr, "%s: %s\n", path, hant_last_error()); return 1; }
    size_t insz = (size_t)net->slot_size[0] * batch;
    float *x = (float *)malloc(insz * sizeof(float)), *out = (float *)malloc(sizeof(float) * net->slot_size[net->out_slot] * batch);
    for (size_t i = 0; i < insz; i++) x[i] = (float)((i * 2654435761u) % 1000) / 500.0f - 1.0f;
    if (hant_net_forward(net, x, batch, out)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
    hant__exec *e = &net->infer_exec[0];
    e->slot[0] = x;
    int nops = net->nops;
    double *t = (double *)calloc((size_t)2 * nops * reps, sizeof(double)), *tot = (double *)calloc((size_t)2 * reps, sizeof(double));
    for (int r = -4; r < 2 * reps; r++) {
        int mode = (r & 1) ^ ((r >> 1) & 1); /* on off off on ...: neither side always first */
        int k = r < 0 ? 0 : r / 2;
        hant__pf_on = mode;
        double t0 = hant_time_ms();
        for (int i = 0; i < nops; i++) {
            double a = hant_time_ms();
            int last = hant__exec_infer_op(net, e, i, batch);
            if (r >= 0) t[((size_t)mode * nops + i) * reps + k] = hant_time_ms() - a;
            i = last;
        }
        if (r >= 0) tot[(size_t)mode * reps + k] = hant_time_ms() - t0;
    }
    printf("# %s threads %d batch %d reps %d isa %s\n", path, threads, batch, reps, hant_isa());
    double on = med(tot + reps, reps), off = med(tot, reps);
    printf("whole forward: prefetch %.4f ms, without %.4f ms, %.3fx\n", on, off, off / on);
    /* per op kind and input map: sums of per-op medians */
    char keys[64][32];
    double sum[64][2];
    int nk = 0;
    for (int i = 0; i < nops; i++) {
        const hant__op *o = &net->ops[i];
        char key[32];
        const char *kind = o->type == HANT__OP_SE ? "se" : o->type == HANT__OP_UNIT ? (net->units[o->idx].s.kernel == 1 ? "pw" : hant__conv_is_depthwise(&net->units[o->idx].s) ? "dw" : "dense") : "other";
        if (o->fused && hant__fuse_on(net, o, batch) && !net->fuses[o->fused - 1].autof) kind = "fused";
        snprintf(key, sizeof key, "%s@%d", kind, net->slot_h[o->in]);
        int j = 0;
        while (j < nk && strcmp(keys[j], key)) j++;
        if (j == nk) { if (nk == 64) continue; strcpy(keys[nk], key); sum[nk][0] = sum[nk][1] = 0; nk++; }
        for (int m = 0; m < 2; m++) sum[j][m] += med(t + ((size_t)m * nops + i) * reps, reps);
    }
    for (int j = 0; j < nk; j++) if (sum[j][1] > 0 || sum[j][0] > 0) printf("%-12s prefetch %.4f without %.4f  %.3fx\n", keys[j], sum[j][1], sum[j][0], sum[j][0] / (sum[j][1] > 0 ? sum[j][1] : 1));
    return 0;
}
