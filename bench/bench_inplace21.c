/* Issue 16 (twenty-first session): a student's parts in place, with its own
   (trained, calibrated) weights and with the random weights that hant
   transform's prefix networks get (hant_net_create, calibrated on a uniform
   input as hant_profile_net does), in the same process and rounds; and what
   the random net's int8 units see (their input scales, hant__q8_fast_div).
   Then each part alone (hant_part_net of the trained net) timed as hant
   profile times a table entry (hant_profile_net), warm and with every core's
   L2 evicted before each run (--cache evict), in the same rounds.
   usage: bench_inplace21 THREADS ROUNDS REPS NET.hant
   build: gcc -O2 -march=native -Wall -Wextra -I. -o build/dm/bench_inplace21 bench/bench_inplace21.c -lm -lpthread
   (run under chrt -f 50 on a shared machine) */
#include "bench_op_clock.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

static int cmpd(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }
static double med(double *v, int n) { qsort(v, n, sizeof *v, cmpd); return n & 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]); }
static float xin[1 << 16], out[1 << 16];

static double timeit(hant_net *net, int reps, double *blk, int np) {
    double w[256], b[64][256];
    for (int r = 0; r < 3; r++) hant_net_forward(net, xin, 1, out);
    for (int r = 0; r < reps; r++) {
        w[r] = bench_clocked_forward(net, xin, 1, out);
        for (int k = 0; k < np; k++) b[k][r] = bench_clock_t[k];
    }
    for (int k = 0; k < np; k++) blk[k] = med(b[k], reps);
    return med(w, reps);
}

static void show_q8(const char *what, hant_net *net) {
    for (int i = 0; i < net->nunits; i++) {
        const hant__unit *u = &net->units[i];
        if (!u->q8) continue;
        printf("# %s unit %d: qin scale %g zp %d fast %d\n", what, i, (double)u->qin.scale, u->qin.zero_point, hant__q8_fast_div(u->qin.scale));
    }
}

int main(int argc, char **argv) {
    if (argc < 5) { fprintf(stderr, "usage: bench_inplace21 THREADS ROUNDS REPS NET.hant\n"); return 2; }
    int threads = atoi(argv[1]), rounds = atoi(argv[2]), reps = atoi(argv[3]);
    if (rounds > 64 || reps > 256) return 2;
    bench_clock_split_head = 1;
    hant_config cfg; memset(&cfg, 0, sizeof cfg); cfg.threads = threads; cfg.pin_threads = 1;
    hant_context *ctx; if (hant_context_create(&cfg, &ctx)) return 1;
    hant_net *real, *rnd;
    if (hant_net_load(ctx, argv[4], &real)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
    const hant_arch *a = hant_net_arch(real);
    if (hant_net_create(ctx, a, 1, &rnd)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
    size_t nx = (size_t)a->in_h * a->in_w * a->in_c;
    uint64_t seed = 0x5eed;
    for (size_t i = 0; i < nx; i++) xin[i] = (float)(hant__rand_uniform(&seed) * 2.0 - 1.0);
    if (rnd->nq8 && !hant_net_int8_ready(rnd) && hant_net_calibrate(rnd, xin, 1, 100)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
    show_q8("trained", real); show_q8("random", rnd);
    hant_net_forward(rnd, xin, 1, out);
    printf("# random net logits[0..3]: %g %g %g %g\n", out[0], out[1], out[2], out[3]);
    int np = a->num_blocks + 2;
    static double in[2][40][64], wall[2][64], alw[40][64], ale[40][64];
    hant_net *part[40];
    for (int k = 0; k < np; k++) {
        part[k] = NULL;
        if (k >= 1 && k <= a->num_blocks && a->blocks[k - 1].kind == HANT_BLOCK_IDENTITY) continue;
        if (hant_part_net(ctx, real, k - 1, &part[k])) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
    }
    hant_net *nets[2] = { real, rnd };
    for (int r = 0; r < rounds; r++)
        for (int i = 0; i < 2; i++) {
            double blk[40];
            wall[i][r] = timeit(nets[i], reps, blk, np);
            for (int k = 0; k < np; k++) in[i][k][r] = blk[k];
            if (i) continue;
            for (int k = 0; k < np; k++) {
                alw[k][r] = ale[k][r] = 0;
                if (!part[k]) continue;
                hant_profile_config pc; memset(&pc, 0, sizeof pc); pc.reps = reps;
                hant_timing t;
                if (!hant_profile_net(part[k], 1, &pc, &t)) alw[k][r] = t.median_ms;
                pc.evict = 1;
                if (!hant_profile_net(part[k], 1, &pc, &t)) ale[k][r] = t.median_ms;
            }
        }
    printf("part\tinplace_trained_ms\tinplace_random_ms\talone_warm_ms\talone_evict_ms\n");
    for (int k = 0; k < np; k++) printf("%d\t%.5f\t%.5f\t%.5f\t%.5f\n", k - 1, med(in[0][k], rounds), med(in[1][k], rounds), med(alw[k], rounds), med(ale[k], rounds));
    printf("# whole: trained %.4f random %.4f ms\n", med(wall[0], rounds), med(wall[1], rounds));
    return 0;
}
