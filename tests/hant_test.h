/* hant_test.h - the tiny test harness shared by every test program.
 *
 * A test is a function; HT_RUN(fn) runs it and counts it as passed if no
 * HT_CHECK inside it failed. Each program ends with HT_SUMMARY(), which prints
 * "N passed, M failed" (", K skipped" when HT_SKIP was used) and returns the exit status. tests/run.sh adds the
 * per-program lines into the final one that CI reads. */
#ifndef HANT_TEST_H
#define HANT_TEST_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

static int ht__passed, ht__failed, ht__skipped, ht__case_failures, ht__case_skipped;
static const char *ht__case_name = "";
static const char *ht__filter; /* argv[1]: run only tests whose name contains it */

#define HT_CHECK(cond, ...) do { if (!(cond)) { ht__case_failures++; \
    if (ht__case_failures <= 5) { fprintf(stderr, "  FAIL %s (%s:%d): ", ht__case_name, __FILE__, __LINE__); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } } while (0)

/* Relative-or-absolute closeness: |a-b| <= atol + rtol*|b|. */
#define HT_CLOSE(a, b, atol, rtol) (fabs((double)(a) - (double)(b)) <= (atol) + (rtol) * fabs((double)(b)))

/* HT_SKIP(...): the running test lacks an optional dependency; it is counted
   as skipped (not passed) and the message says what to run. Return after it. */
#define HT_SKIP(...) do { ht__case_skipped = 1; fprintf(stderr, "  skipped %s: ", ht__case_name); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } while (0)

#define HT_RUN(fn) do { if (ht__filter && !strstr(#fn, ht__filter)) break; \
    ht__case_name = #fn; ht__case_failures = 0; ht__case_skipped = 0; fn(); \
    if (ht__case_failures) { ht__failed++; fprintf(stderr, "FAILED %s (%d checks)\n", #fn, ht__case_failures); } \
    else if (ht__case_skipped) ht__skipped++; \
    else { ht__passed++; if (getenv("HT_VERBOSE")) fprintf(stderr, "ok %s\n", #fn); } } while (0)

#define HT_INIT(argc, argv) do { ht__filter = (argc) > 1 ? (argv)[1] : NULL; } while (0)
#define HT_SUMMARY() ((ht__skipped ? printf("%d passed, %d failed, %d skipped\n", ht__passed, ht__failed, ht__skipped) \
                              : printf("%d passed, %d failed\n", ht__passed, ht__failed)), ht__failed ? 1 : 0)

/* Largest |a-b| / (atol + rtol*|b|) over n floats; <= 1 means all close. */
static inline double ht_max_err_ratio(const float *a, const float *b, size_t n, double atol, double rtol, size_t *where) {
    double worst = 0; size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        double r = fabs((double)a[i] - (double)b[i]) / (atol + rtol * fabs((double)b[i]));
        if (!(r <= worst)) { worst = r; w = i; if (r != r) break; }
    }
    if (where) *where = w;
    return worst;
}

/* Deterministic xorshift for test data. */
static unsigned long long ht__rng = 0x9E3779B97F4A7C15ull;
static inline void ht_seed(unsigned long long s) { ht__rng = s * 0x9E3779B97F4A7C15ull + 1; }
static inline unsigned long long ht_u64(void) { ht__rng ^= ht__rng << 13; ht__rng ^= ht__rng >> 7; ht__rng ^= ht__rng << 17; return ht__rng; }
static inline float ht_uniform(float lo, float hi) { return lo + (hi - lo) * (float)((ht_u64() >> 40) * (1.0 / 16777216.0)); }
static inline void ht_fill(float *x, size_t n, float lo, float hi) { for (size_t i = 0; i < n; i++) x[i] = ht_uniform(lo, hi); }

#ifdef HANT_IMPLEMENTATION
/* BN parameters and running statistics of every unit of a network drawn at
   random (reaches into hant's internals, so only where they are compiled). */
static inline void ht_randomise_bn(hant_net *net) {
    size_t np, nb;
    float *P = hant_net_param_data(net, &np), *B = hant_net_buffer_data(net, &nb);
    for (int i = 0; i < net->nunits; i++) {
        const hant__unit *u = &net->units[i];
        if (!u->has_bn) continue;
        for (int c = 0; c < u->s.cout; c++) {
            P[u->gamma + c] = ht_uniform(0.5f, 1.5f); P[u->beta + c] = ht_uniform(-0.2f, 0.2f);
            B[u->rmean + c] = ht_uniform(-0.2f, 0.2f); B[u->rvar + c] = ht_uniform(0.5f, 2.0f);
        }
    }
}

/* Central difference, step h, of L = sum(y * r) over a training forward of
   x (n images, no outputs) with respect to *p (an element of x or of the
   parameters), which is restored. y: no floats of scratch. */
static inline double ht_fd_dot(hant_net *net, const float *x, int n, const float *r, size_t no, float *y, float *p, double h) {
    float old = *p;
    double L[2];
    for (int sgn = 0; sgn < 2; sgn++) {
        *p = (float)(old + (sgn ? -h : h));
        hant_net_train_forward(net, x, n, y);
        double l = 0;
        for (size_t i = 0; i < no; i++) l += (double)y[i] * r[i];
        L[sgn] = l;
    }
    *p = old;
    return (L[0] - L[1]) / (2 * h);
}

/* dL/dtheta and dL/dx from train_backward against central differences of
   the training forward (BN in training mode in both), L = sum(out * r);
   step: relative to max(1, |p|); nprobe probes, every third on x. */
static inline void ht_check_net_fd(hant_net *net, int n, const char *what, int nprobe, double step) {
    const hant_arch *a = hant_net_arch(net);
    size_t nx = (size_t)n * a->in_h * a->in_w * a->in_c, no = (size_t)n * hant_net_output_size(net);
    float *x = malloc(nx * 4), *r = malloc(no * 4), *y = malloc(no * 4), *dx = malloc(nx * 4);
    ht_fill(x, nx, -1, 1);
    ht_fill(r, no, -1, 1);
    size_t np;
    float *P = hant_net_param_data(net, &np);
    hant_net_zero_grad(net);
    HT_CHECK(hant_net_train_forward(net, x, n, y) == HANT_OK, "%s: train forward", what);
    HT_CHECK(hant_net_train_backward_input(net, r, dx) == HANT_OK, "%s: backward", what);
    float *G = malloc(np * 4);
    memcpy(G, hant_net_grad_data(net, NULL), np * 4);
    int bad = 0;
    for (int probe = 0; probe < nprobe; probe++) {
        int on_x = probe % 3 == 0;
        size_t idx = (size_t)(ht_u64() % (on_x ? nx : np));
        float *p = on_x ? &x[idx] : &P[idx];
        double fd = ht_fd_dot(net, x, n, r, no, y, p, step * (fabs(*p) > 1 ? fabs(*p) : 1)), an = on_x ? dx[idx] : G[idx];
        if (!HT_CLOSE(an, fd, 5e-3 * sqrt((double)no), 3e-2)) {
            if (bad < 3) HT_CHECK(0, "%s: FD %s[%zu]: analytic %g fd %g", what, on_x ? "x" : "param", idx, an, fd);
            bad++;
        }
    }
    HT_CHECK(bad == 0, "%s: %d of %d probes off", what, bad, nprobe);
    free(x); free(r); free(y); free(dx); free(G);
}
#endif
#endif
