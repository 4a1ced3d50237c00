/* Kernel microbenchmarks: hant's public kernels on every shape of a TSV (from
 * bench/kernel_shapes.py), forward, backward dx and backward dw, as GFLOP/s and
 * as a percentage of this machine's FMA peak, which it measures first for the
 * ISA compiled in (hant_isa()).
 *
 *   bench_kernels SHAPES.tsv|- [--threads T] [--target-ms MS]
 *
 * Input: a header line starting "op batch h w cin cout k stride groups"
 * (tab-separated; further columns are ignored), then one shape per line.
 * conv rows (pointwise, depthwise, dense) run hant_conv_forward and
 * hant_conv_backward (dx only, then dw only), NHWC, weights [k][k][cin/g][cout],
 * padding k/2, no bias or activation. fc rows run hant_gemm: y = x W,
 * dx = dy W^T, dw += x^T dy with W [cin][cout].
 *
 * Output: "# key value" lines (isa, threads, peak, compiler), a TSV header,
 * then three rows per shape (dir fwd, dx, dw), and at the end the peak
 * measured again ("# fma_peak_gflops_end"); pct_peak uses the first one.
 * Each shape's rows are written and flushed as soon as its line is read, so
 * bench/bench_kernels_torch.py can feed shapes one at a time through a pipe
 * and time PyTorch on the same shape straight after: both sides then see the
 * same machine load.
 * FLOP = 2 * MACs for each direction (each is one product of the same size).
 */
#define HANT_IMPLEMENTATION
#include "../hant.h"
#include "bench_common.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { HANT_KB_FWD, HANT_KB_DX, HANT_KB_DW } hant_kb_dir;
static const char *const hant_kb_dir_names[] = { "fwd", "dx", "dw" };

typedef struct {
    hant_context *ctx;
    int fc;              /* 1: hant_gemm rows, 0: conv */
    hant_conv_shape s;
    hant_kb_dir dir;
    float *x, *w, *y, *dy, *dx, *dw;
} hant_kb_job;

static void hant_kb_run(void *p) {
    hant_kb_job *j = (hant_kb_job *)p;
    const hant_conv_shape *s = &j->s;
    if (j->fc) {
        if (j->dir == HANT_KB_FWD) hant_gemm(j->ctx, 0, 0, s->n, s->cout, s->cin, j->x, s->cin, j->w, s->cout, 0.0f, j->y, s->cout);
        else if (j->dir == HANT_KB_DX) hant_gemm(j->ctx, 0, 1, s->n, s->cin, s->cout, j->dy, s->cout, j->w, s->cout, 0.0f, j->dx, s->cin);
        else hant_gemm(j->ctx, 1, 0, s->cin, s->cout, s->n, j->x, s->cin, j->dy, s->cout, 1.0f, j->dw, s->cout);
        return;
    }
    if (j->dir == HANT_KB_FWD) hant_conv_forward(j->ctx, s, j->x, j->w, NULL, HANT_ACT_NONE, NULL, j->y);
    else if (j->dir == HANT_KB_DX) hant_conv_backward(j->ctx, s, j->x, j->w, j->dy, j->dx, 0, NULL);
    else hant_conv_backward(j->ctx, s, j->x, j->w, j->dy, NULL, 0, j->dw);
}

/* Uniform in [-1, 1): small, finite and free of denormals. */
static float *hant_kb_random(hant_context *ctx, size_t count, uint32_t *state) {
    float *p = (float *)hant_alloc(ctx, count * sizeof(float));
    if (!p) return NULL;
    for (size_t i = 0; i < count; i++) {
        *state ^= *state << 13; *state ^= *state >> 17; *state ^= *state << 5;
        p[i] = (float)(*state >> 8) * (2.0f / 16777216.0f) - 1.0f;
    }
    return p;
}

static const char *const hant_kb_cols[] = { "op", "batch", "h", "w", "cin", "cout", "k", "stride", "groups" };

/* Parses one shape line; returns NULL or an error message. */
static const char *hant_kb_parse(char *line, char *op, size_t opsize, int v[8]) {
    char *save = NULL, *tok = strtok_r(line, "\t\r\n", &save);
    if (!tok || strlen(tok) >= opsize) return "bad op field";
    strcpy(op, tok);
    for (int i = 0; i < 8; i++) {
        tok = strtok_r(NULL, "\t\r\n", &save);
        char *end;
        long x = tok ? strtol(tok, &end, 10) : 0;
        if (!tok || *end || x < 1 || x > 1000000) return "expected 8 positive integers after op";
        v[i] = (int)x;
    }
    int h = v[1], w = v[2], cin = v[3], cout = v[4], k = v[5], st = v[6], g = v[7];
    if (cin % g || cout % g) return "groups must divide cin and cout";
    if (!strcmp(op, "fc")) { if (h != 1 || w != 1 || k != 1 || st != 1 || g != 1) return "fc needs h = w = k = stride = groups = 1"; }
    else if (!strcmp(op, "pointwise")) { if (k != 1 || g != 1) return "pointwise needs k = 1 and groups = 1"; }
    else if (!strcmp(op, "depthwise")) { if (g != cin || g != cout || g < 2) return "depthwise needs groups = cin = cout"; }
    else if (strcmp(op, "dense")) return "op must be pointwise, depthwise, dense or fc";
    return NULL;
}

static int hant_kb_usage(void) {
    fprintf(stderr, "usage: bench_kernels SHAPES.tsv|- [--threads T (1..64, default 2)] [--target-ms MS (default 150)]\n");
    return 2;
}

int main(int argc, char **argv) {
    const char *path = NULL;
    int threads = 2;
    double target_ms = 150;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--target-ms") && i + 1 < argc) target_ms = atof(argv[++i]);
        else if (argv[i][0] == '-' && argv[i][1]) return hant_kb_usage();
        else if (!path) path = argv[i];
        else return hant_kb_usage();
    }
    if (!path || threads < 1 || threads > 64 || !(target_ms > 0)) return hant_kb_usage();
    FILE *in = strcmp(path, "-") ? fopen(path, "r") : stdin;
    if (!in) { fprintf(stderr, "bench_kernels: cannot open %s\n", path); return 1; }

    hant_config cfg = { threads, 0, { 0 }, 0 };
    hant_context *ctx;
    if (hant_context_create(&cfg, &ctx)) { fprintf(stderr, "bench_kernels: %s\n", hant_last_error()); return 1; }
    double peak = hant_bench_fma_peak(threads);
    printf("# isa %s\n# threads %d\n# fma_peak_gflops %.1f\n# target_ms %g\n", hant_isa(), threads, peak, target_ms);
#if defined(__clang__)
    printf("# compiler clang %d.%d.%d\n", __clang_major__, __clang_minor__, __clang_patchlevel__);
#elif defined(__GNUC__)
    printf("# compiler gcc %s\n", __VERSION__);
#endif
    printf("op\tbatch\th\tw\tcin\tcout\tk\tstride\tgroups\tdir\tmacs\tmedian_ms\tmad_ms\tsamples\tgflops\tpct_peak\n");
    fflush(stdout);

    char line[4096];
    int lineno = 0, rc = 0, have_header = 0;
    uint32_t seed = 2463534242u;
    while (fgets(line, sizeof line, in)) {
        lineno++;
        if (line[0] == '#' || line[0] == '\n') continue;
        if (!have_header) {
            /* the header must name the columns this program reads, in order */
            char *save = NULL, *tok = strtok_r(line, "\t\r\n", &save);
            for (int c = 0; c < 9; c++, tok = strtok_r(NULL, "\t\r\n", &save))
                if (!tok || strcmp(tok, hant_kb_cols[c])) {
                    fprintf(stderr, "bench_kernels: %s:%d: header must start op batch h w cin cout k stride groups\n", path, lineno);
                    rc = 1; goto done;
                }
            have_header = 1;
            continue;
        }
        char op[32];
        int v[8];
        const char *err = hant_kb_parse(line, op, sizeof op, v);
        if (err) { fprintf(stderr, "bench_kernels: %s:%d: %s\n", path, lineno, err); rc = 1; goto done; }
        hant_kb_job j;
        memset(&j, 0, sizeof j);
        j.ctx = ctx;
        j.fc = !strcmp(op, "fc");
        hant_conv_shape s = { v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7] };
        j.s = s;
        int oh = hant_conv_out(s.h, s.kernel, s.stride), ow = hant_conv_out(s.w, s.kernel, s.stride);
        size_t nx = (size_t)s.n * s.h * s.w * s.cin, ny = (size_t)s.n * oh * ow * s.cout;
        size_t nw = (size_t)s.kernel * s.kernel * (s.cin / s.groups) * s.cout;
        double macs = (double)ny * nw / s.cout;
        j.x = hant_kb_random(ctx, nx, &seed); j.w = hant_kb_random(ctx, nw, &seed); j.dy = hant_kb_random(ctx, ny, &seed);
        j.y = (float *)hant_alloc(ctx, ny * sizeof(float)); j.dx = (float *)hant_alloc(ctx, nx * sizeof(float));
        j.dw = (float *)hant_alloc(ctx, nw * sizeof(float));
        if (!j.x || !j.w || !j.dy || !j.y || !j.dx || !j.dw) { fprintf(stderr, "bench_kernels: %s:%d: out of memory\n", path, lineno); rc = 1; goto done; }
        memset(j.dw, 0, nw * sizeof(float)); /* dw accumulates */
        for (int d = HANT_KB_FWD; d <= HANT_KB_DW; d++) {
            j.dir = (hant_kb_dir)d;
            hant_bench_stats st = hant_bench_time(hant_kb_run, &j, target_ms);
            double gf = 2.0 * macs / (st.median_ms * 1e6);
            printf("%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%.0f\t%.6f\t%.6f\t%d\t%.3f\t%.2f\n", op, v[0], v[1], v[2], v[3], v[4],
                   v[5], v[6], v[7], hant_kb_dir_names[d], macs, st.median_ms, st.mad_ms, st.samples, gf, 100 * gf / peak);
            fflush(stdout);
        }
        hant_free(ctx, j.x); hant_free(ctx, j.w); hant_free(ctx, j.dy);
        hant_free(ctx, j.y); hant_free(ctx, j.dx); hant_free(ctx, j.dw);
    }
    /* again at the end: a peak taken while another job ran is too low, and
       the driver divides by the larger of the two */
    if (!rc) printf("# fma_peak_gflops_end %.1f\n", hant_bench_fma_peak(threads));
done:
    if (in != stdin) fclose(in);
    hant_context_destroy(ctx);
    return rc;
}
