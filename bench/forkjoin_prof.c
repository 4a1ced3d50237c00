/* Per-thread profile of each fork-join of a forward (batch 1, 2 threads):
 * built and run by bench/forkjoin_prof.sh against its instrumented copy of
 * hant.h. Columns: the dispatch's task (dw: hant__dwconv_forward_task with
 * its shape; gemm: hant__gemm_task, m n k and the split), the medians over
 * the forwards of slot 0's and slot 1's start and end and of the join, in us
 * from the dispatch; each slot's work time; how often a worker ran slot 1. */
#define _GNU_SOURCE
#define HANT_IMPLEMENTATION
#include "hant_prof.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static int cmpd(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }
static double med(double *v, int n) { qsort(v, n, 8, cmpd); return v[n / 2]; }
int main(int argc, char **argv) {
    int F = argc > 2 ? atoi(argv[2]) : 200;
    if (argc < 2 || F < 1 || F > 300) { fprintf(stderr, "usage: forkjoin_prof MODEL.onnx [forwards <= 300]\n"); return 2; }
    hant_config cfg = { 2, 0, { 0 }, 0 };
    hant_context *ctx; hant_net *net;
    if (hant_context_create(&cfg, &ctx)) return 1;
    if (hant_onnx_load(ctx, argv[1], NULL, &net)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
    size_t insz = (size_t)net->slot_size[0], osz = hant_net_output_size(net);
    float *x = malloc(insz * 4), *o = malloc(osz * 4);
    for (size_t i = 0; i < insz; i++) x[i] = (float)((i * 2654435761u) % 1000) / 500.0f - 1.0f;
    for (int r = 0; r < 20; r++) hant_net_forward(net, x, 1, o);
    int per = 0;
    static hant__prof_rec all[300][48];
    double tot[400];
    for (int r = 0; r < F; r++) {
        hant__prof_n = 0; hant__prof_on = 1;
        double t = hant__prof_now();
        hant_net_forward(net, x, 1, o);
        tot[r] = hant__prof_now() - t;
        hant__prof_on = 0;
        per = hant__prof_n;
        if (per > 48) { fprintf(stderr, "more than 48 dispatches per forward\n"); return 1; }
        memcpy(all[r], hant__pf, sizeof(hant__prof_rec) * per);
    }
    printf("dispatches per forward %d, forward median %.1f us\n", per, med(tot, F));
    printf("k task shape | s0 e0 s1 e1 join (us from dispatch) | work0 work1 | slot1 by worker%%\n");
    double sumj = 0;
    for (int k = 0; k < per; k++) {
        double v[5][400], w0[400], w1[400]; int byw = 0;
        for (int r = 0; r < F; r++) {
            hant__prof_rec *p = &all[r][k];
            v[0][r] = p->s[0] - p->t0; v[1][r] = p->e[0] - p->t0; v[2][r] = p->s[1] - p->t0; v[3][r] = p->e[1] - p->t0; v[4][r] = p->join - p->t0;
            w0[r] = p->e[0] - p->s[0]; w1[r] = p->e[1] - p->s[1]; byw += p->who[1] > 0;
        }
        void *t = all[0][k].task;
        const char *nm = t == (void *)hant__dwconv_forward_task ? "dw" : t == (void *)hant__gemm_task ? "gemm" : t == (void *)hant__fuse_task ? "fuse" : t == (void *)hant__gemm_gemv_task ? "gemv" : "other";
        char sh[64] = "";
        if (t == (void *)hant__dwconv_forward_task) { const hant__conv_args *a = (const void *)all[0][k].ac; _Static_assert(sizeof(hant__conv_args) <= 512, ""); snprintf(sh, 64, "%dx%dx%d s%d", a->s.h, a->s.w, a->s.cin, a->s.stride); }
        if (t == (void *)hant__gemm_task) { const hant__gemm_args *g = (const void *)all[0][k].ac; _Static_assert(sizeof(hant__gemm_args) <= 512, ""); snprintf(sh, 64, "m%d n%d k%d %s", g->m, g->n, g->k, g->split_m ? (g->split_m == 2 ? "tiles" : "M") : "N"); }
        double m[5]; for (int i = 0; i < 5; i++) m[i] = med(v[i], F);
        double a0 = med(w0, F), a1 = med(w1, F);
        sumj += m[4];
        printf("%2d %-5s %-16s | %6.1f %6.1f %6.1f %6.1f %6.1f | %6.1f %6.1f | %d\n", k, nm, sh, m[0], m[1], m[2], m[3], m[4], a0, a1, byw * 100 / F);
    }
    printf("sum of join medians %.1f us\n", sumj);
    return 0;
}
