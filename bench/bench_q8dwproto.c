/* How fast can an int8 3x3 depthwise be on AVX2 (issue 18 item 3)? Three
 * kernels on the same u8 tensor, sums only (no epilogue), one thread, stride
 * 1, the input zero-padded so every pixel runs the same code:
 *   fp32    32 channels per pixel, 9 taps x 4 FMAs (weights from memory)
 *   pair    the library's AVX2 kernel: two taps of a channel byte-interleaved
 *           per vpmaddubsw, two pairs added by vpmaddwd, int32
 *   rows4   four input rows byte-interleaved once per output row (3 kernel
 *           rows and a zero row) into a scratch row, shared by the 3 column
 *           taps and every pixel: per tap column one vpmaddubsw + vpmaddwd +
 *           add per 8 channels; the interleave counted in
 * Each is checked against a scalar sum first (x <= 255, |w| <= 64: the fp32
 * sums are exact too).
 *   make build/cc-avx2/bench_q8dwproto SIMD=avx2; build/cc-avx2/bench_q8dwproto [ROUNDS]
 */
#define _POSIX_C_SOURCE 200809L
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }

typedef struct { int H, W, C; const uint8_t *x; const int8_t *w; const float *xf, *wf; } dw;
#define XP(d, r, c) ((size_t)(r) * ((d)->W + 2) + (c)) /* padded pixel index */

static void dw_scalar(const dw *d, int32_t *y) {
    for (int r = 0; r < d->H; r++)
        for (int q = 0; q < d->W; q++)
            for (int c = 0; c < d->C; c++) {
                int32_t s = 0;
                for (int t = 0; t < 9; t++) s += d->x[XP(d, r + t / 3, q + t % 3) * d->C + c] * d->w[t * d->C + c];
                y[((size_t)r * d->W + q) * d->C + c] = s;
            }
}

static void dw_f32(const dw *d, float *y) {
    const int C = d->C;
    for (int r = 0; r < d->H; r++)
        for (int q = 0; q < d->W; q++)
            for (int c = 0; c < C; c += 32) {
                __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
                for (int t = 0; t < 9; t++) {
                    const float *x = d->xf + XP(d, r + t / 3, q + t % 3) * C + c, *w = d->wf + t * C + c;
                    a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x), _mm256_loadu_ps(w), a0);
                    a1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + 8), _mm256_loadu_ps(w + 8), a1);
                    a2 = _mm256_fmadd_ps(_mm256_loadu_ps(x + 16), _mm256_loadu_ps(w + 16), a2);
                    a3 = _mm256_fmadd_ps(_mm256_loadu_ps(x + 24), _mm256_loadu_ps(w + 24), a3);
                }
                float *o = y + ((size_t)r * d->W + q) * C + c;
                _mm256_storeu_ps(o, a0); _mm256_storeu_ps(o + 8, a1); _mm256_storeu_ps(o + 16, a2); _mm256_storeu_ps(o + 24, a3);
            }
}

static void store_perm(int32_t *o, __m256i a0, __m256i a1, __m256i a2, __m256i a3) { /* lanes {0-3,16-19} {4-7,20-23} {8-11,24-27} {12-15,28-31} */
    _mm256_storeu_si256((__m256i *)o, _mm256_permute2x128_si256(a0, a1, 0x20));
    _mm256_storeu_si256((__m256i *)(o + 8), _mm256_permute2x128_si256(a2, a3, 0x20));
    _mm256_storeu_si256((__m256i *)(o + 16), _mm256_permute2x128_si256(a0, a1, 0x31));
    _mm256_storeu_si256((__m256i *)(o + 24), _mm256_permute2x128_si256(a2, a3, 0x31));
}

/* wp: [C/32][5 pairs][lo, hi][32], as hant__q8_pack_dw on AVX2 */
static void dw_pair(const dw *d, const int8_t *wp, int32_t *y) {
    const int C = d->C;
    const __m256i one = _mm256_set1_epi16(1);
    for (int r = 0; r < d->H; r++)
        for (int q = 0; q < d->W; q++)
            for (int c = 0; c < C; c += 32) {
                const int8_t *wb = wp + (size_t)(c / 32) * 5 * 64;
                __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0, l[5], h[5];
                for (int p = 0; p < 5; p++) {
                    int t = 2 * p, u = t + 1;
                    __m256i xa = _mm256_loadu_si256((const __m256i *)(d->x + XP(d, r + t / 3, q + t % 3) * C + c));
                    __m256i xb = u < 9 ? _mm256_loadu_si256((const __m256i *)(d->x + XP(d, r + u / 3, q + u % 3) * C + c)) : _mm256_setzero_si256();
                    l[p] = _mm256_maddubs_epi16(_mm256_unpacklo_epi8(xa, xb), _mm256_loadu_si256((const __m256i *)(wb + p * 64)));
                    h[p] = _mm256_maddubs_epi16(_mm256_unpackhi_epi8(xa, xb), _mm256_loadu_si256((const __m256i *)(wb + p * 64 + 32)));
                }
                for (int p = 0; p < 5; p += 2) {
                    __m256i l1 = p + 1 < 5 ? l[p + 1] : _mm256_setzero_si256(), h1 = p + 1 < 5 ? h[p + 1] : _mm256_setzero_si256();
                    a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(_mm256_unpacklo_epi16(l[p], l1), one));
                    a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(_mm256_unpackhi_epi16(l[p], l1), one));
                    a2 = _mm256_add_epi32(a2, _mm256_madd_epi16(_mm256_unpacklo_epi16(h[p], h1), one));
                    a3 = _mm256_add_epi32(a3, _mm256_madd_epi16(_mm256_unpackhi_epi16(h[p], h1), one));
                }
                store_perm(y + ((size_t)r * d->W + q) * C + c, a0, a1, a2, a3);
            }
}

/* four byte rows of 32 channels -> four vectors of 8 channels x 4 rows (lanes as store_perm) */
static inline void il4(__m256i r0, __m256i r1, __m256i r2, __m256i r3, __m256i *v) {
    __m256i a = _mm256_unpacklo_epi8(r0, r1), b = _mm256_unpackhi_epi8(r0, r1), c = _mm256_unpacklo_epi8(r2, r3), e = _mm256_unpackhi_epi8(r2, r3);
    v[0] = _mm256_unpacklo_epi16(a, c); v[1] = _mm256_unpackhi_epi16(a, c);
    v[2] = _mm256_unpacklo_epi16(b, e); v[3] = _mm256_unpackhi_epi16(b, e);
}

/* wq: [3 kw][C/32][4][32]; s: scratch of (W + 2) * C * 4 bytes */
static void dw_rows4(const dw *d, const int8_t *wq, uint8_t *s, int32_t *y) {
    const int C = d->C, WP = d->W + 2;
    const __m256i one = _mm256_set1_epi16(1), z = _mm256_setzero_si256();
    for (int r = 0; r < d->H; r++) {
        for (int q = 0; q < WP; q++)
            for (int c = 0; c < C; c += 32) {
                __m256i v[4];
                il4(_mm256_loadu_si256((const __m256i *)(d->x + XP(d, r, q) * C + c)), _mm256_loadu_si256((const __m256i *)(d->x + XP(d, r + 1, q) * C + c)),
                    _mm256_loadu_si256((const __m256i *)(d->x + XP(d, r + 2, q) * C + c)), z, v);
                __m256i *o = (__m256i *)(s + ((size_t)q * C + c) * 4);
                for (int k = 0; k < 4; k++) _mm256_storeu_si256(o + k, v[k]);
            }
        for (int q = 0; q < d->W; q++)
            for (int c = 0; c < C; c += 32) {
                __m256i a0 = z, a1 = z, a2 = z, a3 = z; /* named: gcc -O2 keeps an array of four in memory */
#define R4(kw)                                                                                                                              \
    do {                                                                                                                                    \
        const __m256i *xv = (const __m256i *)(s + ((size_t)(q + kw) * C + c) * 4), *wv = (const __m256i *)(wq + ((size_t)kw * C + c) * 4); \
        a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_loadu_si256(xv), _mm256_loadu_si256(wv)), one));          \
        a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_loadu_si256(xv + 1), _mm256_loadu_si256(wv + 1)), one));  \
        a2 = _mm256_add_epi32(a2, _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_loadu_si256(xv + 2), _mm256_loadu_si256(wv + 2)), one));  \
        a3 = _mm256_add_epi32(a3, _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_loadu_si256(xv + 3), _mm256_loadu_si256(wv + 3)), one));  \
    } while (0)
                R4(0); R4(1); R4(2);
#undef R4
                store_perm(y + ((size_t)r * d->W + q) * C + c, a0, a1, a2, a3);
            }
    }
}

static int cmpd(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 11;
    if (rounds < 1 || rounds > 201) { fprintf(stderr, "usage: bench_q8dwproto [ROUNDS 1..201]\n"); return 2; }
    /* b0-224's 3x3 stride-1 depthwise layers (144 channels rounded up to 160: the kernels take whole 32s) */
    static const int S[][3] = { { 112, 112, 32 }, { 56, 56, 160 }, { 14, 14, 480 }, { 7, 7, 1152 } };
    printf("one thread, 3x3 stride 1, sums only; ms per layer, median of %d interleaved rounds (spread min-max)\n", rounds);
    printf("| H x W x C | fp32 | pair (library) | rows4 | fp32 / pair | fp32 / rows4 |\n|---|---:|---:|---:|---:|---:|\n");
    srand(1);
    for (size_t si = 0; si < sizeof S / sizeof *S; si++) {
        dw d = { S[si][0], S[si][1], S[si][2], 0, 0, 0, 0 };
        const int C = d.C;
        size_t nx = (size_t)(d.H + 2) * (d.W + 2) * C, ny = (size_t)d.H * d.W * C;
        uint8_t *x = calloc(nx + 64, 1), *s = malloc((size_t)(d.W + 2) * C * 4);
        int8_t *w = malloc(9 * (size_t)C), *wp = calloc((size_t)C / 32 * 5 * 64, 1), *wq = calloc((size_t)3 * C * 4, 1);
        float *xf = calloc(nx, 4), *wf = malloc(9 * (size_t)C * 4), *yf = malloc(ny * 4);
        int32_t *y0 = malloc(ny * 4), *y1 = malloc(ny * 4);
        for (int r = 0; r < d.H; r++)
            for (int q = 0; q < d.W; q++)
                for (int c = 0; c < C; c++) x[XP(&d, r + 1, q + 1) * C + c] = (uint8_t)(rand() % 7 == 0 ? 255 : rand());
        for (size_t i = 0; i < nx; i++) xf[i] = x[i];
        for (int i = 0; i < 9 * C; i++) w[i] = (int8_t)(i % 11 == 0 ? (i % 2 ? 64 : -64) : rand() % 129 - 64), wf[i] = w[i];
        for (int b = 0; b < C / 32; b++) /* as hant__q8_pack_dw */
            for (int p = 0; p < 5; p++)
                for (int e = 0; e < 2; e++)
                    for (int i = 0; i < 32; i++) {
                        int c = b * 32 + (i / 16) * 16 + e * 8 + (i % 16) / 2, t = 2 * p + i % 2;
                        wp[(((size_t)b * 5 + p) * 2 + e) * 32 + i] = t < 9 ? w[t * C + c] : 0;
                    }
        for (int kw = 0; kw < 3; kw++) /* the same interleave as the input rows */
            for (int c = 0; c < C; c += 32) {
                __m256i v[4];
                il4(_mm256_loadu_si256((const __m256i *)(w + kw * C + c)), _mm256_loadu_si256((const __m256i *)(w + (3 + kw) * C + c)),
                    _mm256_loadu_si256((const __m256i *)(w + (6 + kw) * C + c)), _mm256_setzero_si256(), v);
                for (int k = 0; k < 4; k++) _mm256_storeu_si256((__m256i *)(wq + ((size_t)kw * C + c) * 4) + k, v[k]);
            }
        d.x = x; d.w = w; d.xf = xf; d.wf = wf;
        dw_scalar(&d, y0);
        dw_f32(&d, yf);
        for (size_t i = 0; i < ny; i++) if (yf[i] != (float)y0[i]) { printf("FAIL fp32 %zu\n", i); return 1; }
        dw_pair(&d, wp, y1);
        if (memcmp(y0, y1, ny * 4)) { printf("FAIL pair\n"); return 1; }
        memset(y1, 0, ny * 4);
        dw_rows4(&d, wq, s, y1);
        if (memcmp(y0, y1, ny * 4)) { printf("FAIL rows4\n"); return 1; }
        double t[3][201];
        for (int r = 0; r < rounds; r++)
            for (int k0 = 0; k0 < 3; k0++) {
                int k = (k0 + r) % 3, reps = 0;
                double t0 = now(), t1;
                do {
                    if (k == 0) dw_f32(&d, yf);
                    else if (k == 1) dw_pair(&d, wp, y1);
                    else dw_rows4(&d, wq, s, y1);
                    reps++;
                } while ((t1 = now()) - t0 < 5e-3);
                t[k][r] = (t1 - t0) / reps * 1e3;
            }
        double m[3];
        for (int k = 0; k < 3; k++) qsort(t[k], (size_t)rounds, sizeof(double), cmpd), m[k] = t[k][rounds / 2];
        printf("| %dx%dx%d | %.4f (%.4f-%.4f) | %.4f (%.4f-%.4f) | %.4f (%.4f-%.4f) | %.2fx | %.2fx |\n", d.H, d.W, C, m[0], t[0][0], t[0][rounds - 1], m[1],
               t[1][0], t[1][rounds - 1], m[2], t[2][0], t[2][rounds - 1], m[0] / m[1], m[0] / m[2]);
        free(x); free(s); free(w); free(wp); free(wq); free(xf); free(wf); free(yf); free(y0); free(y1);
    }
    return 0;
}
