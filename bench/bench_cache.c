/* Issue 16, twelfth session: where a block's time inside a network differs
   from its table entry, timed in interleaved rounds so the host's drift
   cancels. Each round: the network once (per-block clocks), then for each
   block of >= MINW million words: alone warm (the third of three runs
   back to back, as hant profile times a part), and alone after reading
   18 MiB, EV1 MiB and EV2 MiB (environment; 3 and 6 by default: hant
   profile --cache evict reads 3 x L2 = 6 MiB per thread) of a buffer no
   part uses (read by the caller's core only). Columns: medians over ROUNDS,
   ms; evict = 18 MiB. Per-op clocks from bench/bench_op_clock.h:
     gcc -O2 -march=native -I. -o build/bench_cache bench/bench_cache.c -lm -lpthread
   usage: bench_cache TEACHER LUT.validate THREADS ROUNDS POOL MINW NET... */
#include "bench_op_clock.h"
#include "bench_inside_common.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static int cmpd(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }
static double med(double *v, int n) { qsort(v, n, sizeof *v, cmpd); return n & 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]); }
static char ev[3][6 << 20];
static volatile unsigned sink;
/* reads mib MiB of a buffer no part uses (at most 18) */
static void evict_mib(double mib) { unsigned a = 0; const unsigned char *b = (const unsigned char *)ev; size_t n = (size_t)(mib * 1048576); for (size_t i = 0; i < n; i += 64) a += b[i]; sink += a; }
static void evict(void) { evict_mib(18); }
static float xin[1 << 20], out[1 << 20];
static void calib(hant_net *n) { if (!hant_net_int8_ready(n) && hant_net_calibrate(n, xin, 1, 100)) { fprintf(stderr, "calibrate: %s\n", hant_last_error()); exit(1); } }

/* one run of net with per-block clocks; returns block bk's op time */
static double run(hant_net *net, int bk) {
    bench_clocked_forward(net, xin, 1, out);
    return bench_clock_t[bk + 1];
}

int main(int argc, char **argv) {
    if (argc < 8) return 2;
    int threads = atoi(argv[3]), rounds = atoi(argv[4]);
    double minw = atof(argv[6]);
    double ev1 = getenv("EV1") ? atof(getenv("EV1")) : 3, ev2 = getenv("EV2") ? atof(getenv("EV2")) : 6;
    memset(ev, 1, sizeof ev);
    for (size_t i = 0; i < sizeof xin / 4; i++) xin[i] = (float)((i * 7919) % 97) / 97.0f - 0.5f;
    hant_context *ctx; hant_net *teacher; hant_arch T;
    if (bi_open(argv[1], threads, argv[5], &ctx, &teacher, &T)) return 1;
    FILE *f = fopen(argv[2], "r"); char line[1 << 16];
    printf("net\tpart\tkind\tmw\tnet_mw\ttable_ms\tinside\talone\tevict\tev1\tev2\tnet_wall\tnet_plain\tnet_meas\n");
    while (fgets(line, sizeof line, f)) {
        char *name, *blocks; double meas, netmw;
        if (!bi_row(line, &name, &blocks, &meas, &netmw)) continue;
        int want = 0;
        for (int k = 7; k < argc; k++) want |= !strcmp(argv[k], name);
        if (!want) continue;
        hant_arch a; char kind[32]; double tab[32], mw[32];
        int nb = bi_blocks(blocks, &T, &a, kind, tab, mw);
        hant_net *net, *one[32] = { 0 };
        if (hant_net_create(ctx, &a, 1, &net)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
        calib(net);
        int sel[32], ns = 0;
        for (int b = 0; b < nb; b++) {
            if (kind[b] == 'i' || mw[b] < minw) continue;
            hant_arch p; hant_arch_part(&a, b, &p);
            if (hant_net_create(ctx, &p, 1, &one[b])) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
            calib(one[b]);
            sel[ns++] = b;
        }
        for (int r = 0; r < 5; r++) { hant_net_forward(net, xin, 1, out); for (int s = 0; s < ns; s++) hant_net_forward(one[sel[s]], xin, 1, out); }
        double *tin = calloc((size_t)rounds * 32, 8), *tal = calloc((size_t)rounds * 32, 8), *tev = calloc((size_t)rounds * 32, 8),
               *tpr = calloc((size_t)rounds * 32, 8), *tw = calloc((size_t)rounds, 8), *tp = calloc((size_t)rounds, 8), *tp2 = calloc((size_t)rounds * 32, 8);
        for (int r = 0; r < rounds; r++) {
            hant_net_forward(net, xin, 1, out);
            double t1 = hant_time_ms();
            hant_net_forward(net, xin, 1, out);
            tp[r] = hant_time_ms() - t1;
            double t0 = hant_time_ms();
            memset(bench_clock_t, 0, sizeof bench_clock_t);
            bench_clock_on = 1;
            hant_net_forward(net, xin, 1, out);
            bench_clock_on = 0;
            tw[r] = hant_time_ms() - t0;
            double ins[34]; memcpy(ins, bench_clock_t, sizeof ins);
            for (int s = 0; s < ns; s++) {
                int b = sel[s];
                tin[s * rounds + r] = ins[b + 1];
                run(one[b], 0); run(one[b], 0);
                tal[s * rounds + r] = run(one[b], 0);
                evict();
                tev[s * rounds + r] = run(one[b], 0);
                run(one[b], 0); run(one[b], 0);
                evict_mib(ev1);
                tpr[s * rounds + r] = run(one[b], 0);
                run(one[b], 0); run(one[b], 0);
                evict_mib(ev2);
                tp2[s * rounds + r] = run(one[b], 0);
            }
        }
        double wall = med(tw, rounds), plain = med(tp, rounds);
        for (int s = 0; s < ns; s++) {
            int b = sel[s];
            printf("%s\t%d\t%c\t%.4f\t%.4f\t%.5f\t%.5f\t%.5f\t%.5f\t%.5f\t%.5f\t%.5f\t%.5f\t%.5f\n", name, b, kind[b], mw[b], netmw, tab[b], med(tin + s * rounds, rounds),
                   med(tal + s * rounds, rounds), med(tev + s * rounds, rounds), med(tpr + s * rounds, rounds), med(tp2 + s * rounds, rounds), wall, plain, meas);
            hant_net_destroy(one[b]);
        }
        fflush(stdout);
        free(tin); free(tal); free(tev); free(tpr); free(tw); free(tp); free(tp2);
        hant_net_destroy(net);
    }
    return 0;
}
