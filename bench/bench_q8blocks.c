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
#include <stdio.h>
#include <stdlib.h>

static int cmpd(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }
static double median(double *t, int n) { qsort(t, (size_t)n, sizeof(double), cmpd); return n & 1 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]); }

typedef struct { const char *arch; int h, w; hant_block_spec b; } shape;

static double sample(hant_net *net, const float *x, float *y, int inner) {
    double t0 = hant_time_ms();
    for (int i = 0; i < inner; i++) hant_net_forward(net, x, 1, y);
    return (hant_time_ms() - t0) / inner;
}

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
    for (int ai = 0; ai < 2; ai++) {
        hant_arch a;
        hant_arch_builtin(archs[ai], &a);
        for (int i = 0; i < a.num_blocks; i++) {
            shape s = { archs[ai], 0, 0, a.blocks[i] };
            hant_arch_block_input(&a, i, &s.h, &s.w, NULL);
            int dup = 0;
            for (int k = 0; k < ns && !dup; k++) dup = sh[k].arch == s.arch && sh[k].h == s.h && !memcmp(&sh[k].b, &s.b, sizeof s.b);
            if (!dup) sh[ns++] = s;
        }
    }
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
        hant_arch a;
        memset(&a, 0, sizeof a);
        a.in_h = s->h; a.in_w = s->w; a.in_c = s->b.cin; a.bn_eps = 1e-3f; a.num_blocks = 1; a.blocks[0] = s->b;
        a.blocks[0].quant = 0;
        hant_net *p, *q;
        if (hant_net_create(ctx, &a, 1, &p)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
        a.blocks[0].quant = HANT_QUANT_INT8;
        if (hant_net_create(ctx, &a, 1, &q)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
        size_t np = 0, nq = 0;
        memcpy(hant_net_param_data(q, &nq), hant_net_param_data(p, &np), np * sizeof(float));
        size_t nx = (size_t)s->h * s->w * s->b.cin, ny = (size_t)hant_net_output_size(p);
        float *x = malloc(nx * sizeof(float)), *y = malloc(ny * sizeof(float));
        uint64_t r = 0x9E3779B97F4A7C15ull;
        for (size_t i = 0; i < nx; i++) { r ^= r << 13; r ^= r >> 7; r ^= r << 17; x[i] = (float)(r % 2000) * 0.001f - 1.0f; }
        if (hant_net_calibrate(q, x, 1, 100)) { fprintf(stderr, "calibrate: %s\n", hant_last_error()); return 1; }
        int calls = 0;
        for (double t0 = hant_time_ms(); calls < 4 || hant_time_ms() - t0 < 30; calls++) { hant_net_forward(p, x, 1, y); hant_net_forward(q, x, 1, y); }
        double warm = sample(p, x, y, 3);
        int inner = warm >= 2.0 ? 1 : (int)(2.0 / warm) + 1;
        double t[2][201];
        for (int rd = 0; rd < rounds; rd++)
            for (int v = 0; v < 2; v++) {
                int which = (rd & 1) ? 1 - v : v;
                t[which][rd] = sample(which ? q : p, x, y, inner);
            }
        double m0 = median(t[0], rounds), m1 = median(t[1], rounds); /* sorts */
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
