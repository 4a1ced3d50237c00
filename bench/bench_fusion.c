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
#include <stdio.h>
#include <stdlib.h>

static int cmpd(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }
static double median(double *t, int n) { qsort(t, (size_t)n, sizeof(double), cmpd); return n & 1 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]); }

typedef struct { const char *arch; int block, h, w; hant_block_spec b; } shape;

/* ms per call of fn over a sample of `inner` calls */
static double sample(hant_net *net, const float *x, float *y, int inner) {
    double t0 = hant_time_ms();
    for (int i = 0; i < inner; i++) hant_net_forward(net, x, 1, y);
    return (hant_time_ms() - t0) / inner;
}

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
    for (int ai = 0; ai < 2; ai++) {
        hant_arch a;
        hant_arch_builtin(archs[ai], &a);
        for (int se = 1; se >= 0; se--)
            for (int i = 0; i < a.num_blocks; i++) {
                shape s = { archs[ai], i, 0, 0, a.blocks[i] };
                hant_arch_block_input(&a, i, &s.h, &s.w, NULL);
                if (!se) s.b.se_ratio = 0;
                int dup = 0;
                for (int k = 0; k < ns && !dup; k++)
                    dup = sh[k].arch == s.arch && sh[k].h == s.h && !memcmp(&sh[k].b, &s.b, sizeof s.b);
                if (!dup) sh[ns++] = s;
            }
    }
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
        hant_arch a;
        memset(&a, 0, sizeof a);
        a.in_h = s->h; a.in_w = s->w; a.in_c = s->b.cin; a.bn_eps = 1e-3f; a.num_blocks = 1; a.blocks[0] = s->b;
        hant_net *p, *q;
        if (hant_net_create(ctx, &a, 1, &p)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
        a.blocks[0].tiled = 1;
        if (hant_net_create(ctx, &a, 1, &q)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
        size_t np = 0, nq = 0;
        memcpy(hant_net_param_data(q, &nq), hant_net_param_data(p, &np), np * sizeof(float));
        size_t nx = (size_t)s->h * s->w * s->b.cin, ny = (size_t)hant_net_output_size(p);
        float *x = malloc(nx * sizeof(float)), *y = malloc(ny * sizeof(float));
        uint64_t r = 0x9E3779B97F4A7C15ull;
        for (size_t i = 0; i < nx; i++) { r ^= r << 13; r ^= r >> 7; r ^= r << 17; x[i] = (float)(r % 2000) * 0.001f - 1.0f; }
        double warm = 0;
        int calls = 0;
        for (double t0 = hant_time_ms(); calls < 4 || hant_time_ms() - t0 < 30; calls++) { hant_net_forward(p, x, 1, y); hant_net_forward(q, x, 1, y); }
        warm = sample(p, x, y, 3);
        int inner = warm >= 2.0 ? 1 : (int)(2.0 / warm) + 1;
        double t[2][201];
        for (int rd = 0; rd < rounds; rd++)
            for (int v = 0; v < 2; v++) {
                int which = (rd & 1) ? 1 - v : v;
                t[which][rd] = sample(which ? q : p, x, y, inner);
            }
        double m0 = median(t[0], rounds), m1 = median(t[1], rounds), f0 = t[0][0], f1 = t[1][0]; /* sorted by median() */
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
