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

/* ---- references (double accumulation) ---- */
static inline double ht_ref_act(hant_act a, double x) {
    double t;
    switch (a) {
    case HANT_ACT_NONE: return x;
    case HANT_ACT_RELU: return x > 0 ? x : 0;
    case HANT_ACT_RELU6: return x < 0 ? 0 : x > 6 ? 6 : x;
    case HANT_ACT_SILU: return x / (1 + exp(-x));
    case HANT_ACT_HSWISH: t = x + 3; t = t < 0 ? 0 : t > 6 ? 6 : t; return x * t / 6;
    case HANT_ACT_SIGMOID: return 1 / (1 + exp(-x));
    case HANT_ACT_HSIGMOID: t = x + 3; t = t < 0 ? 0 : t > 6 ? 6 : t; return t / 6;
    }
    return x;
}

static inline void ht_ref_conv(const hant_conv_shape *s, const float *x, const float *w, const float *bias, hant_act act,
                     const float *res, float *y) {
    int g = s->groups ? s->groups : 1, cg = s->cin / g, og = s->cout / g, K = s->kernel, P = K / 2;
    int OH = hant_conv_out(s->h, K, s->stride), OW = hant_conv_out(s->w, K, s->stride);
    for (int n = 0; n < s->n; n++)
        for (int oh = 0; oh < OH; oh++)
            for (int ow = 0; ow < OW; ow++)
                for (int co = 0; co < s->cout; co++) {
                    int gi = co / og;
                    double acc = bias ? bias[co] : 0;
                    for (int kh = 0; kh < K; kh++)
                        for (int kw = 0; kw < K; kw++) {
                            int ih = oh * s->stride - P + kh, iw = ow * s->stride - P + kw;
                            if (ih < 0 || ih >= s->h || iw < 0 || iw >= s->w) continue;
                            for (int ci = 0; ci < cg; ci++)
                                acc += (double)x[(((size_t)n * s->h + ih) * s->w + iw) * s->cin + gi * cg + ci] *
                                       w[(((size_t)kh * K + kw) * cg + ci) * s->cout + co];
                        }
                    size_t o = (((size_t)n * OH + oh) * OW + ow) * s->cout + co;
                    y[o] = (float)(ht_ref_act(act, acc) + (res ? res[o] : 0));
                }
}

/* Op by op from the raw parameters, BN with running statistics, in double
   where it sums; knows every op type. */
static inline void ht_ref_net_forward(hant_net *net, const float *x, int n, float *out) {
    float **slot = calloc((size_t)net->nslots, sizeof(float *));
    slot[0] = (float *)x;
    const float *P = net->params;
    for (int i = 0; i < net->nops; i++) {
        const hant__op *o = &net->ops[i];
        slot[o->out] = malloc(sizeof(float) * (size_t)n * net->slot_size[o->out]);
        const float *in = slot[o->in], *res = o->res >= 0 ? slot[o->res] : NULL;
        float *y = slot[o->out];
        int H = net->slot_h[o->in], W = net->slot_w[o->in], C = net->slot_c[o->in];
        size_t count = (size_t)n * net->slot_size[o->out];
        if (o->type == HANT__OP_UNIT) {
            const hant__unit *u = &net->units[o->idx];
            hant_conv_shape s = u->s;
            s.n = n;
            ht_ref_conv(&s, in, P + u->w, u->has_bias ? P + u->b : NULL, HANT_ACT_NONE, NULL, y);
            size_t rows = (size_t)n * u->oh * u->ow;
            for (size_t r = 0; r < rows; r++)
                for (int c = 0; c < u->s.cout; c++) {
                    double v = y[r * u->s.cout + c];
                    if (u->has_bn) v = (v - net->buffers[u->rmean + c]) / sqrt(net->buffers[u->rvar + c] + net->arch.bn_eps) * P[u->gamma + c] + P[u->beta + c];
                    v = ht_ref_act(u->act, v);
                    if (res) v += res[r * u->s.cout + c];
                    y[r * u->s.cout + c] = (float)v;
                }
        } else if (o->type == HANT__OP_SE) {
            const hant__se *e = &net->ses[o->idx];
            for (int im = 0; im < n; im++) {
                const float *xi = in + (size_t)im * e->hw * e->c;
                double *sq = calloc((size_t)e->c, 8), *hh = calloc((size_t)e->r, 8);
                for (int q = 0; q < e->hw; q++) for (int c = 0; c < e->c; c++) sq[c] += xi[(size_t)q * e->c + c] / e->hw;
                for (int r = 0; r < e->r; r++) {
                    double v = P[e->b1 + r];
                    for (int c = 0; c < e->c; c++) v += sq[c] * P[e->w1 + (size_t)c * e->r + r];
                    hh[r] = ht_ref_act(e->act, v);
                }
                for (int c = 0; c < e->c; c++) {
                    double v = P[e->b2 + c];
                    for (int r = 0; r < e->r; r++) v += hh[r] * P[e->w2 + (size_t)r * e->c + c];
                    double gt = ht_ref_act(e->gate, v);
                    for (int q = 0; q < e->hw; q++) {
                        size_t k = ((size_t)im * e->hw + q) * e->c + c;
                        y[k] = (float)(in[k] * gt + (res ? res[k] : 0));
                    }
                }
                free(sq); free(hh);
            }
        } else if (o->type == HANT__OP_ACT) {
            for (size_t k = 0; k < count; k++) y[k] = (float)ht_ref_act((hant_act)o->idx, in[k]);
        } else if (o->type == HANT__OP_MAXPOOL) {
            int OH = net->slot_h[o->out], OW = net->slot_w[o->out];
            for (int im = 0; im < n; im++)
                for (int oh = 0; oh < OH; oh++)
                    for (int ow = 0; ow < OW; ow++)
                        for (int c = 0; c < C; c++) {
                            float m = -INFINITY;
                            for (int kh = -1; kh <= 1; kh++)
                                for (int kw = -1; kw <= 1; kw++) {
                                    int ih = 2 * oh + kh, iw = 2 * ow + kw;
                                    if (ih >= 0 && ih < H && iw >= 0 && iw < W) m = fmaxf(m, in[(((size_t)im * H + ih) * W + iw) * C + c]);
                                }
                            y[(((size_t)im * OH + oh) * OW + ow) * C + c] = m;
                        }
        } else {
            for (int im = 0; im < n; im++)
                for (int c = 0; c < C; c++) {
                    double v = 0;
                    for (int q = 0; q < H * W; q++) v += in[((size_t)im * H * W + q) * C + c];
                    y[(size_t)im * C + c] = (float)(v / (H * W));
                }
        }
    }
    memcpy(out, slot[net->out_slot], sizeof(float) * (size_t)n * net->slot_size[net->out_slot]);
    for (int s = 1; s < net->nslots; s++) free(slot[s]);
    free(slot);
}

/* A network of the given blocks and no head (h x w x c input, or a stem to c
   channels when c > 4). */
static inline hant_arch ht_headless(int h, int w, int c, const hant_block_spec *blocks, int nb) {
    hant_arch a;
    memset(&a, 0, sizeof a);
    a.in_h = h; a.in_w = w; a.in_c = c > 4 ? 1 : c; a.bn_eps = 1e-3f;
    /* in_c is limited to 4 for images; blocks with more input channels get a stem */
    if (c > 4) { a.in_c = 3; a.stem_cout = c; a.stem_kernel = 3; a.stem_stride = 1; a.stem_act = HANT_ACT_SILU; }
    a.num_blocks = nb;
    for (int i = 0; i < nb; i++) a.blocks[i] = blocks[i];
    return a;
}
#endif
#endif
