/* Issue 16 (fifteenth session): the demo's students part by part. For every
   network: the table's prediction (hant_lut_predict) and each part's model
   cost (hant_lut_part_ms), then ROUNDS interleaved rounds in which every
   network is timed whole (REPS runs, median; a clock around every step of the
   inference loop, so each part's time inside the network) and every part
   alone (REPS runs, median), with the pool's dispatches (fork-joins) and late
   runs counted. Built by bench/bench_parts16.sh with bench/bench_op_clock.h.
   usage: bench_parts16 LUT THREADS ROUNDS REPS NET.hant... */
#include "bench_op_clock.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static int cmpd(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }
static double med(double *v, int n) { qsort(v, n, sizeof *v, cmpd); return n & 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]); }
#define MAXN 8
#define MAXR 64
static float xin[1 << 16], out[1 << 16];

/* median wall of reps runs; blk[k]: median time of part k (0 stem, 1+b block b, nb+1 head) */
static double timeit(hant_context *ctx, hant_net *net, int reps, double *blk, int np, int *disp, int *late) {
    double w[256], b[64][256];
    for (int r = 0; r < 3; r++) hant_net_forward(net, xin, 1, out);
    hant_pool_stats s0, s1;
    *late = 0;
    for (int r = 0; r < reps; r++) {
        hant_context_stats(ctx, &s0);
        w[r] = bench_clocked_forward(net, xin, 1, out);
        hant_context_stats(ctx, &s1);
        *late += s1.yields > s0.yields || (s1.dispatches - s0.dispatches >= 4 && (s1.caller_slots - s0.caller_slots) * 2 > (s1.dispatches - s0.dispatches));
        for (int k = 0; k < np; k++) b[k][r] = bench_clock_t[k];
    }
    for (int k = 0; k < np; k++) { blk[k] = med(b[k], reps); disp[k] = bench_clock_d[k]; }
    return med(w, reps);
}

int main(int argc, char **argv) {
    if (argc < 6) { fprintf(stderr, "usage: bench_parts16 LUT THREADS ROUNDS REPS NET.hant...\n"); return 2; }
    int threads = atoi(argv[2]), rounds = atoi(argv[3]), reps = atoi(argv[4]), nn = argc - 5;
    if (nn > MAXN || rounds > MAXR || reps > 256) return 2;
    bench_clock_split_head = 1;
    hant_config cfg; memset(&cfg, 0, sizeof cfg); cfg.threads = threads; cfg.pin_threads = 1;
    hant_context *ctx; if (hant_context_create(&cfg, &ctx)) return 1;
    hant_lut lut; if (hant_lut_load(argv[1], &lut)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
    for (size_t i = 0; i < sizeof xin / sizeof *xin; i++) xin[i] = (float)((i * 7919) % 97) / 97.0f - 0.5f;
    hant_net *net[MAXN], *part[MAXN][40]; int np[MAXN]; double pred[MAXN], ppred[MAXN][40];
    static double wall[MAXN][MAXR], in[MAXN][40][MAXR], al[MAXN][40][MAXR];
    int disp[MAXN][40], adisp[MAXN][40], late[MAXN], alate[MAXN];
    memset(late, 0, sizeof late); memset(alate, 0, sizeof alate);
    for (int i = 0; i < nn; i++) {
        if (hant_net_load(ctx, argv[5 + i], &net[i])) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
        const hant_arch *a = hant_net_arch(net[i]);
        np[i] = a->num_blocks + 2;
        if (hant_lut_predict(&lut, a, lut.batch, lut.threads, &pred[i])) { fprintf(stderr, "%s\n", hant_last_error()); pred[i] = -1; }
        for (int k = 0; k < np[i]; k++) {
            int p = k - 1; /* HANT_PART_STEM .. num_blocks (head) */
            part[i][k] = NULL; ppred[i][k] = 0;
            if (p >= 0 && p < a->num_blocks && a->blocks[p].kind == HANT_BLOCK_IDENTITY) continue;
            hant_lut_part_ms(&lut, a, p, lut.batch, lut.threads, &ppred[i][k]);
            if (hant_part_net(ctx, net[i], p, &part[i][k])) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
        }
    }
    for (int r = 0; r < rounds; r++)
        for (int i = 0; i < nn; i++) {
            double blk[40]; int l;
            wall[i][r] = timeit(ctx, net[i], reps, blk, np[i], disp[i], &l); late[i] += l;
            for (int k = 0; k < np[i]; k++) in[i][k][r] = blk[k];
            for (int k = 0; k < np[i]; k++) {
                if (!part[i][k]) { al[i][k][r] = 0; adisp[i][k] = 0; continue; }
                double pb[40]; int pd[40];
                al[i][k][r] = timeit(ctx, part[i][k], reps, pb, 3, pd, &l); alate[i] += l;
                adisp[i][k] = pd[0] + pd[1] + pd[2];
            }
            fprintf(stderr, "round %d %s %.4f\n", r + 1, argv[5 + i], wall[i][r]);
        }
    printf("net\tpart\tpred_ms\talone_ms\tinside_ms\tdisp_in\tdisp_alone\n");
    for (int i = 0; i < nn; i++) {
        double sp = 0, sa = 0, si = 0;
        for (int k = 0; k < np[i]; k++) {
            if (!part[i][k]) continue;
            double a = med(al[i][k], rounds), b = med(in[i][k], rounds);
            sp += ppred[i][k]; sa += a; si += b;
            printf("%s\t%d\t%.5f\t%.5f\t%.5f\t%d\t%d\n", argv[5 + i], k - 1, ppred[i][k], a, b, disp[i][k], adisp[i][k]);
        }
        double w[MAXR]; memcpy(w, wall[i], sizeof w);
        double lo = 1e9, hi = 0; for (int r = 0; r < rounds; r++) { lo = w[r] < lo ? w[r] : lo; hi = w[r] > hi ? w[r] : hi; }
        printf("# %s: predicted %.4f (parts %.4f), measured median %.4f [%.4f-%.4f] (%+.1f%%), alone sum %.4f, inside sum %.4f, late runs %d whole %d alone\n",
               argv[5 + i], pred[i], sp, med(w, rounds), lo, hi, 100 * (med(wall[i], rounds) / pred[i] - 1), sa, si, late[i], alate[i]);
    }
    return 0;
}
