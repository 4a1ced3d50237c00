/* Issue 16: each block's time inside a network against the block alone, in the
   same minute (bench/bench_op_clock.h: a clock around every op of the
   inference loop).
   usage: bench_inside TEACHER LUT.validate THREADS REPS POOL [NET...]
   (alone twice: warm, as hant profile times a part, and with the L2 evicted
   before every run by reading 18 MiB; NET...: only these networks)
   Networks: the `blocks` column of a hant profile --validate file. */
#include "bench_op_clock.h"
#include "bench_inside_common.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static int cmpd(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }
static double med(double *v, int n) { qsort(v, n, sizeof *v, cmpd); return n & 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]); }

/* median wall time and median per-block op time (index bk+1) */
static volatile unsigned bi_evsink; /* keeps the eviction reads */
static void timeit(hant_context *ctx, const hant_arch *a, int reps, double *wall, double *blk, int nb, int evict) {
    hant_net *net;
    if (hant_net_create(ctx, a, 1, &net)) { fprintf(stderr, "create: %s\n", hant_last_error()); exit(1); }
    hant_profile_config pc; memset(&pc, 0, sizeof pc); pc.reps = 1; pc.warmup = 1;
    hant_timing tt; hant_profile_net(net, 1, &pc, &tt); /* calibrates */
    size_t nx = (size_t)a->in_h * a->in_w * a->in_c;
    float *x = calloc(nx, 4); static float out[1 << 22];
    for (size_t i = 0; i < nx; i++) x[i] = (float)((i * 7919) % 97) / 97.0f - 0.5f;
    static char ev[3][8 << 20]; static int evinit;
    if (!evinit) { memset(ev, 1, sizeof ev); evinit = 1; } /* real pages */
    double *w = malloc(sizeof(double) * reps), *b = malloc(sizeof(double) * reps * (nb + 2));
    for (int r = 0; r < 5; r++) hant_net_forward(net, x, 1, a->num_classes ? out : out);
    for (int r = 0; r < reps; r++) {
        if (evict) { unsigned a = 0; for (int k = 0; k < 3; k++) for (size_t i = 0; i < (size_t)6 << 20; i += 64) a += (unsigned char)ev[k][i]; bi_evsink += a; }
        w[r] = bench_clocked_forward(net, x, 1, out);
        for (int k = 0; k < nb + 2; k++) b[(size_t)k * reps + r] = bench_clock_t[k];
    }
    *wall = med(w, reps);
    for (int k = 0; k < nb + 2; k++) blk[k] = med(b + (size_t)k * reps, reps);
    free(w); free(b); free(x);
    hant_net_destroy(net);
}

int main(int argc, char **argv) {
    if (argc < 6) return 2;
    int threads = atoi(argv[3]), reps = atoi(argv[4]);
    hant_context *ctx; hant_net *teacher; hant_arch T;
    if (bi_open(argv[1], threads, argv[5], &ctx, &teacher, &T)) return 1;
    FILE *f = fopen(argv[2], "r"); char line[1 << 16];
    printf("net\tpart\tkind\tmw\ttable_ms\talone_wall\talone_op\tinside_op\tnet_wall\tnet_mw\tnet_meas\tevict_wall\tevict_op\n");
    while (fgets(line, sizeof line, f)) {
        char *name, *blocks; double meas, netmw;
        if (!bi_row(line, &name, &blocks, &meas, &netmw)) continue;
        int want = argc <= 6;
        for (int k = 6; k < argc; k++) want |= !strcmp(argv[k], name);
        if (!want) continue;
        hant_arch a; char kind[32]; double tab[32], mw[32];
        int nb = bi_blocks(blocks, &T, &a, kind, tab, mw);
        double wall, in[40], aw, al[40];
        timeit(ctx, &a, reps, &wall, in, T.num_blocks, 0);
        for (int b = 0; b < nb; b++) {
            if (kind[b] == 'i') continue;
            hant_arch one; hant_arch_part(&a, b, &one);
            double ew, el[40];
            timeit(ctx, &one, reps, &aw, al, 1, 0);
            timeit(ctx, &one, reps, &ew, el, 1, 1);
            printf("%s\t%d\t%c\t%.4f\t%.5f\t%.5f\t%.5f\t%.5f\t%.5f\t%.4f\t%.5f\t%.5f\t%.5f\n", name, b, kind[b], mw[b], tab[b], aw, al[1], in[b + 1], wall, netmw, meas, ew, el[1]);
        }
        printf("%s\t-1\ts\t0\t0\t0\t0\t%.5f\t%.5f\t%.4f\t%.5f\t0\t0\n", name, in[0], wall, netmw, meas);
        fflush(stdout);
    }
    return 0;
}
