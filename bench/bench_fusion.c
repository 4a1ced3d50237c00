/* Tiled (fused expand-dw-project) against op by op MBConv inference, for
 * every distinct MBConv block of b0-fm and b0-224: the teacher's block (SE
 * 0.25) and the same block without SE. One block runs as a network of its own
 * (as hant profile times it), batch 1. Side by side in one run: each round
 * times both variants of a block in turn (order alternating between rounds),
 * each for a sample of back-to-back calls of about 2 ms; the tables give the
 * medians of the rounds and their ratio, and the ratio of the fastest rounds
 * (what hant profile keeps: on a shared machine slow rounds are other jobs).
 *
 *   make bench-fusion [THREADS=2]
 *   build/cc-native/bench_fusion [THREADS [ROUNDS [TILE_KIB]]]   TILE_KIB: the band budget
 */
#define HANT_IMPLEMENTATION
#include "../hant.h"
#include "bench_common.h"
#include <stdio.h>
#include <stdlib.h>

typedef hant_bench_block_shape shape;

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 2, rounds = argc > 2 ? atoi(argv[2]) : 15, tile_kib = argc > 3 ? atoi(argv[3]) : 0;
    if (threads < 1 || threads > 64 || rounds < 1 || rounds > 201 || tile_kib < 0) {
        fprintf(stderr, "usage: bench_fusion [THREADS 1..64] [ROUNDS 1..201] [TILE_KIB]\n");
        return 2;
    }
    if (tile_kib) hant__fuse_tile_bytes = (size_t)tile_kib << 10;
    hant_config cfg = { threads, 1, { 0 }, 0 };
    hant_context *ctx;
    if (hant_context_create(&cfg, &ctx)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
    printf("isa %s, threads %d%s, batch 1, tile budget %zu KiB, median of %d interleaved rounds of ~2 ms samples\n\n", hant_isa(), threads,
           hant_context_pinned(ctx) == 1 ? " (pinned)" : "", hant__fuse_tile_bytes >> 10, rounds);
    static shape sh[256];
    int ns = 0;
    const char *archs[2] = { "b0-fm", "b0-224" };
    for (int ai = 0; ai < 2; ai++)
        for (int se = 1; se >= 0; se--) ns = hant_bench_distinct_blocks(sh, ns, 256, archs[ai], !se);
    double tot[2][2][2] = { { { 0 } } }; /* [arch][se][tiled]: sums of medians */
    double logsum[2][2] = { { 0 } };
    int cnt[2][2] = { { 0 } }, wins[2][2] = { { 0 } };
    const char *cur = "";
    for (int k = 0; k < ns; k++) {
        const shape *s = &sh[k];
        int ai = strcmp(s->arch, "b0-fm") != 0, se = s->b.se_ratio > 0;
        if (strcmp(cur, s->arch) || (k && (sh[k - 1].b.se_ratio > 0) != se)) {
            cur = s->arch;
            printf("\n| %s, %s | blocks | in | e | k | s | untiled ms | tiled ms | untiled / tiled | fastest rounds: untiled / tiled |\n|---|---|---|---|---|---|---|---|---|---|\n", s->arch,
                   se ? "SE 0.25 (the teacher's)" : "no SE");
        }
        hant_block_spec bt = s->b;
        hant_net *p, *q;
        float *x, *y;
        bt.tiled = 1;
        if (hant_bench_twin_nets(ctx, s->h, s->w, &s->b, &bt, &p, &q, &x, &y)) return 1;
        double t[2][HANT_BENCH_MAX_SAMPLES], m[2];
        hant_bench_twins(p, q, x, y, rounds, t, m);
        double m0 = m[0], m1 = m[1], f0 = t[0][0], f1 = t[1][0]; /* t sorted */
        /* which teacher blocks have this shape */
        hant_arch full;
        hant_arch_builtin(s->arch, &full);
        char idx[64] = "";
        for (int i = 0; i < full.num_blocks; i++) {
            hant_block_spec b = full.blocks[i];
            int h;
            hant_arch_block_input(&full, i, &h, NULL, NULL);
            if (!se) b.se_ratio = 0;
            if (h == s->h && !memcmp(&b, &s->b, sizeof b)) {
                snprintf(idx + strlen(idx), sizeof idx - strlen(idx), "%s%d", idx[0] ? "," : "", i);
                tot[ai][se][0] += m0; tot[ai][se][1] += m1;
            }
        }
        printf("| | %s | %dx%dx%d -> %d | %d | %d | %d | %.4f | %.4f | %.2fx | %.2fx |\n", idx, s->h, s->w, s->b.cin, s->b.cout, s->b.expansion, s->b.kernel,
               s->b.stride, m0, m1, m0 / m1, f0 / f1);
        fflush(stdout);
        logsum[ai][se] += log(m0 / m1); cnt[ai][se]++; wins[ai][se] += m1 < m0;
        free(x); free(y);
        hant_net_destroy(p); hant_net_destroy(q);
    }
    printf("\n| network | blocks | distinct shapes | tiled faster | geometric mean untiled / tiled | all 16 blocks: untiled ms | tiled ms | ratio |\n"
           "|---|---|---|---|---|---|---|---|\n");
    for (int ai = 0; ai < 2; ai++)
        for (int se = 1; se >= 0; se--)
            printf("| %s | %s | %d | %d | %.2fx | %.3f | %.3f | %.2fx |\n", archs[ai], se ? "SE 0.25" : "no SE", cnt[ai][se], wins[ai][se],
                   exp(logsum[ai][se] / cnt[ai][se]), tot[ai][se][0], tot[ai][se][1], tot[ai][se][0] / tot[ai][se][1]);
    hant_context_destroy(ctx);
    return 0;
}
