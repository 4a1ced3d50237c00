/* int8 MBConv blocks against their fp32 twins: every distinct MBConv block of
 * b0-fm and b0-224 (the teacher's, SE 0.25) runs as a one-block network
 * (as hant profile times it), batch 1, once with quant = HANT_QUANT_INT8
 * (calibrated on the timing input; fp32 in and out, as in a network) and once
 * in fp32, with the same parameters. Side by side in one run: each round
 * times both in turn (order alternating), each for a sample of back-to-back
 * calls of about 2 ms; the tables give the medians of the rounds, their
 * spread (min-max over the rounds) and the ratio fp32 / int8.
 *
 *   make bench-q8blocks [THREADS=2]
 *   build/cc-native/bench_q8blocks [THREADS [ROUNDS]]
 */
#define HANT_IMPLEMENTATION
#include "../hant.h"
#include "bench_common.h"
#include <stdio.h>
#include <stdlib.h>

typedef hant_bench_block_shape shape;

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 2, rounds = argc > 2 ? atoi(argv[2]) : 11;
    if (threads < 1 || threads > 64 || rounds < 1 || rounds > 201) { fprintf(stderr, "usage: bench_q8blocks [THREADS 1..64] [ROUNDS 1..201]\n"); return 2; }
    hant_config cfg = { threads, 1, { 0 }, 0 };
    hant_context *ctx;
    if (hant_context_create(&cfg, &ctx)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
    printf("isa %s, int8 %s (weights +-%d), threads %d, batch 1, median [min-max] of %d interleaved rounds of ~2 ms samples\n", hant_isa(),
           hant_int8_isa(), hant_int8_weight_max(), threads, rounds);
    static shape sh[128];
    int ns = 0;
    const char *archs[2] = { "b0-fm", "b0-224" };
    for (int ai = 0; ai < 2; ai++) ns = hant_bench_distinct_blocks(sh, ns, 128, archs[ai], 0);
    double tot[2][2] = { { 0 } }, logsum[2] = { 0 };
    int cnt[2] = { 0 };
    const char *cur = "";
    for (int k = 0; k < ns; k++) {
        const shape *s = &sh[k];
        int ai = strcmp(s->arch, "b0-fm") != 0;
        if (strcmp(cur, s->arch)) {
            cur = s->arch;
            printf("\n| %s (SE 0.25) | blocks | in -> out | e | k | s | fp32 ms | int8 ms | fp32 / int8 |\n|---|---|---|---|---|---|---|---|---|\n", s->arch);
        }
        hant_block_spec b = s->b, b8 = s->b;
        hant_net *p, *q;
        float *x, *y;
        b.quant = 0; b8.quant = HANT_QUANT_INT8;
        if (hant_bench_twin_nets(ctx, s->h, s->w, &b, &b8, &p, &q, &x, &y)) return 1;
        if (hant_net_calibrate(q, x, 1, 100)) { fprintf(stderr, "calibrate: %s\n", hant_last_error()); return 1; }
        double t[2][HANT_BENCH_MAX_SAMPLES], m[2];
        hant_bench_twins(p, q, x, y, rounds, t, m);
        double m0 = m[0], m1 = m[1];
        hant_arch full;
        hant_arch_builtin(s->arch, &full);
        char idx[64] = "";
        for (int i = 0; i < full.num_blocks; i++) {
            int h;
            hant_arch_block_input(&full, i, &h, NULL, NULL);
            if (h == s->h && !memcmp(&full.blocks[i], &s->b, sizeof s->b)) {
                snprintf(idx + strlen(idx), sizeof idx - strlen(idx), "%s%d", idx[0] ? "," : "", i);
                tot[ai][0] += m0; tot[ai][1] += m1;
            }
        }
        printf("| | %s | %dx%dx%d -> %d | %d | %d | %d | %.4f [%.4f-%.4f] | %.4f [%.4f-%.4f] | %.2fx |\n", idx, s->h, s->w, s->b.cin, s->b.cout,
               s->b.expansion, s->b.kernel, s->b.stride, m0, t[0][0], t[0][rounds - 1], m1, t[1][0], t[1][rounds - 1], m0 / m1);
        fflush(stdout);
        logsum[ai] += log(m0 / m1); cnt[ai]++;
        free(x); free(y);
        hant_net_destroy(p); hant_net_destroy(q);
    }
    printf("\n| network | distinct blocks | geometric mean fp32 / int8 | all blocks: fp32 ms | int8 ms | fp32 / int8 |\n|---|---|---|---|---|---|\n");
    for (int ai = 0; ai < 2; ai++)
        printf("| %s | %d | %.2fx | %.3f | %.3f | %.2fx |\n", archs[ai], cnt[ai], exp(logsum[ai] / cnt[ai]), tot[ai][0], tot[ai][1], tot[ai][0] / tot[ai][1]);
    hant_context_destroy(ctx);
    return 0;
}
