/* The vector sigmoid and SiLU (hant__v_sigmoid, hant__v_act) against libm and
 * against the generic exp + reciprocal path they replaced on x86 (still the
 * path of the other ISAs): maximum relative error over every STRIDE-th float
 * in [-90, 90]: relative where |x| <= 87 (below -87 both paths clamp, and
 * return about 1e-38 x or less instead of 0), absolute everywhere;
 * and ns per element on a 16 KiB buffer in L1, one thread.
 *
 *   make build/cc-native/bench_act && build/cc-native/bench_act [STRIDE]
 */
#define HANT_IMPLEMENTATION
#include "../hant.h"
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static hant__vf generic_sigmoid(hant__vf x) {
    return hant__v_recip(hant__v_add(hant__v_set1(1.0f), hant__v_exp(hant__v_sub(hant__v_zero(), x))));
}

enum { F_SIG_NEW, F_SIG_OLD, F_SILU_NEW, F_SILU_OLD, F_GRAD_NEW, F_GRAD_OLD, F_COUNT };
static const char *const names[F_COUNT] = { "sigmoid", "sigmoid (generic)", "silu", "silu (generic)", "silu grad", "silu grad (generic)" };

static hant__vf eval(int f, hant__vf x) {
    hant__vf one = hant__v_set1(1.0f), s;
    switch (f) {
    case F_SIG_NEW: return hant__v_sigmoid(x);
    case F_SIG_OLD: return generic_sigmoid(x);
    case F_SILU_NEW: return hant__v_act(x, HANT_ACT_SILU);
    case F_SILU_OLD: return hant__v_mul(x, generic_sigmoid(x));
    case F_GRAD_NEW: return hant__v_act_grad(x, one, HANT_ACT_SILU);
    default: s = generic_sigmoid(x); return hant__v_mul(s, hant__v_fmadd(x, hant__v_sub(one, s), one));
    }
}

static double ref(int f, double x) {
    double s = 1.0 / (1.0 + exp(-x));
    if (f <= F_SIG_OLD) return s;
    if (f <= F_SILU_OLD) return x * s;
    return s * (1.0 + x * (1.0 - s));
}

/* one vector of floats per call: the hot loop of the timing */
#define LOOP(F) static void run_##F(const float *x, float *y, int n, int reps) { \
    for (int r = 0; r < reps; r++) for (int i = 0; i < n; i += HANT__VL) hant__v_store(y + i, eval(F, hant__v_load(x + i))); }
LOOP(F_SIG_NEW) LOOP(F_SIG_OLD) LOOP(F_SILU_NEW) LOOP(F_SILU_OLD) LOOP(F_GRAD_NEW) LOOP(F_GRAD_OLD)
static void (*const runs[F_COUNT])(const float *, float *, int, int) = { run_F_SIG_NEW, run_F_SIG_OLD, run_F_SILU_NEW, run_F_SILU_OLD, run_F_GRAD_NEW, run_F_GRAD_OLD };

int main(int argc, char **argv) {
    unsigned stride = argc > 1 ? (unsigned)atoi(argv[1]) : 7;
    if (stride < 1) stride = 1;
    printf("isa %s, every %u-th float in [-90, 90]\n", hant_isa(), stride);
    enum { B = 1024 * HANT__VL };
    static float xs[B], ys[B];
    for (int f = 0; f < F_COUNT; f++) {
        double worst = 0, wx = 0, wabs = 0;
        int n = 0;
        uint32_t top = 0x42B40000u; /* 90.0f */
        for (int sign = 0; sign < 2; sign++)
            for (uint64_t b = 0; b <= top; b += stride) {
                uint32_t u = (uint32_t)b | (sign ? 0x80000000u : 0);
                memcpy(&xs[n], &u, 4);
                if (++n == B || b + stride > top) {
                    for (int i = 0; i < n; i += HANT__VL) hant__v_storep(ys + i, eval(f, hant__v_loadp(xs + i, n - i)), n - i);
                    for (int i = 0; i < n; i++) {
                        double r = ref(f, xs[i]), e = fabs(ys[i] - r);
                        if (e > wabs) wabs = e;
                        if (fabs(xs[i]) > 87.0f || fabs(r) < FLT_MIN) continue;
                        if (e / fabs(r) > worst) { worst = e / fabs(r); wx = xs[i]; }
                    }
                    n = 0;
                }
            }
        float ext[6] = { -1e30f, 1e30f, -88.5f, 88.5f, -INFINITY, INFINITY }, ey[6];
        for (int i = 0; i < 6; i++) hant__v_storep(ey + i, eval(f, hant__v_loadp(ext + i, 1)), 1);
        for (int i = 0; i < B; i++) xs[i] = -8.0f + 16.0f * (float)i / B;
        runs[f](xs, ys, B, 50);
        double best = 1e30;
        for (int rep = 0; rep < 7; rep++) {
            double t0 = hant_time_ms();
            runs[f](xs, ys, B, 400);
            double t = (hant_time_ms() - t0) * 1e6 / (400.0 * B);
            if (t < best) best = t;
        }
        printf("%-20s max rel %.3g (x = %.7g), max abs %.3g; f(-1e30, 1e30, -88.5, 88.5, -inf, inf) = %g %g %g %g %g %g; %.3f ns/elem\n",
               names[f], worst, wx, wabs, ey[0], ey[1], ey[2], ey[3], ey[4], ey[5], best);
    }
    return 0;
}
