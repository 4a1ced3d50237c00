/* What the int8-domain replacements of an MBConv block's fp32 steps would
 * cost on AVX2 (issue 18 item 3): prototypes, not library code, timed on the
 * tensors of every MBConv block of b0-fm and b0-224 at batch 1, one thread.
 *   LUT      a 256-entry u8 -> u8 table (an activation applied to an 8-bit
 *            pre-activation) over the expanded tensor: vpshufb on 16
 *            sub-tables, or vpgatherdd from an int32 table; and the
 *            gather over the depthwise output (SE's input, were it u8)
 *   pool     SE's per-channel sums of the u8 depthwise output (NHWC:
 *            vertical u16 adds, flushed to u32), against the fp32 sums
 *   gate     SE's gating on u8 with a per-channel 16-bit multiplier (u8 in,
 *            u8 out, vpmulhrsw), against fp32 x * gate then quantised
 * Each kernel is checked against a scalar twin first. Compare with the
 * steps that bench_q8ops times with the library's 2 threads (halve these).
 *
 *   make build/cc-avx2/bench_q8proto SIMD=avx2   (needs AVX2: not SIMD=none)
 *   build/cc-avx2/bench_q8proto [ROUNDS]
 */
#define _POSIX_C_SOURCE 200809L
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }

/* ---- LUT: sub-table j answers the bytes whose high nibble is j. x ^ (j << 4)
   has high nibble 0 exactly for them; adding 0x70 with unsigned saturation
   keeps the low nibble and leaves bit 7 clear only for them, and vpshufb
   gives 0 where bit 7 is set: OR of the 16 lookups. */
typedef struct { __m256i t[16]; } lut32;
static lut32 lut_prep(const uint8_t *T) {
    lut32 L;
    for (int j = 0; j < 16; j++) L.t[j] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(T + 16 * j)));
    return L;
}
static inline __m256i lut_apply(const lut32 *L, __m256i x) {
    const __m256i c70 = _mm256_set1_epi8(0x70);
    __m256i r = _mm256_shuffle_epi8(L->t[0], _mm256_adds_epu8(x, c70));
    for (int j = 1; j < 16; j++)
        r = _mm256_or_si256(r, _mm256_shuffle_epi8(L->t[j], _mm256_adds_epu8(_mm256_xor_si256(x, _mm256_set1_epi8((char)(j << 4))), c70)));
    return r;
}
static void lut_pass(const lut32 *L, uint8_t *y, size_t n) {
    for (size_t i = 0; i + 32 <= n; i += 32) _mm256_storeu_si256((__m256i *)(y + i), lut_apply(L, _mm256_loadu_si256((const __m256i *)(y + i))));
}
static void lut_pass_gather(const int32_t *T32, uint8_t *y, size_t n) {
    for (size_t i = 0; i + 32 <= n; i += 32) {
        __m256i v[4];
        for (int k = 0; k < 4; k++)
            v[k] = _mm256_i32gather_epi32((const int *)T32, _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(y + i + 8 * k))), 4);
        __m256i p = _mm256_packus_epi16(_mm256_packs_epi32(v[0], v[1]), _mm256_packs_epi32(v[2], v[3]));
        _mm256_storeu_si256((__m256i *)(y + i), _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)));
    }
}

/* ---- SE pool on u8, NHWC: per-channel sums; u16 partials hold 257 pixels */
static void pool_u8(const uint8_t *x, int hw, int C, uint32_t *s) {
    memset(s, 0, (size_t)C * sizeof *s);
    for (int c = 0; c < C; c += 32) {
        __m256i lo32[4] = { _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256() };
        for (int p0 = 0; p0 < hw; p0 += 256) {
            __m256i a = _mm256_setzero_si256(), b = a;
            int p1 = p0 + 256 < hw ? p0 + 256 : hw;
            for (int p = p0; p < p1; p++) {
                __m256i v = _mm256_loadu_si256((const __m256i *)(x + (size_t)p * C + c));
                a = _mm256_add_epi16(a, _mm256_unpacklo_epi8(v, _mm256_setzero_si256()));
                b = _mm256_add_epi16(b, _mm256_unpackhi_epi8(v, _mm256_setzero_si256()));
            }
            lo32[0] = _mm256_add_epi32(lo32[0], _mm256_unpacklo_epi16(a, _mm256_setzero_si256()));
            lo32[1] = _mm256_add_epi32(lo32[1], _mm256_unpackhi_epi16(a, _mm256_setzero_si256()));
            lo32[2] = _mm256_add_epi32(lo32[2], _mm256_unpacklo_epi16(b, _mm256_setzero_si256()));
            lo32[3] = _mm256_add_epi32(lo32[3], _mm256_unpackhi_epi16(b, _mm256_setzero_si256()));
        }
        uint32_t t[4][8];
        for (int k = 0; k < 4; k++) _mm256_storeu_si256((__m256i *)t[k], lo32[k]);
        /* unpack order: lane L of a holds bytes 16L..16L+7, of b 16L+8..16L+15 */
        for (int L = 0; L < 2; L++)
            for (int i = 0; i < 8; i++) {
                int ca = 16 * L + i, cb = 16 * L + 8 + i;
                s[c + ca] = t[i < 4 ? 0 : 1][4 * L + i % 4];
                s[c + cb] = t[i < 4 ? 2 : 3][4 * L + i % 4];
            }
    }
}
static void pool_u8_scalar(const uint8_t *x, int hw, int C, uint32_t *s) {
    memset(s, 0, (size_t)C * sizeof *s);
    for (int p = 0; p < hw; p++) for (int c = 0; c < C; c++) s[c] += x[(size_t)p * C + c];
}
static void pool_f32(const float *x, int hw, int C, float *s) {
    for (int c = 0; c < C; c += 32) {
        __m256 a[4] = { _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps() };
        for (int p = 0; p < hw; p++)
            for (int k = 0; k < 4; k++) a[k] = _mm256_add_ps(a[k], _mm256_loadu_ps(x + (size_t)p * C + c + 8 * k));
        for (int k = 0; k < 4; k++) _mm256_storeu_ps(s + c + 8 * k, a[k]);
    }
}

/* ---- SE gate on u8: y = clamp(zy + round((x - zx) * m[c] / 2^9)), m[c] =
   g[c] sx / sy in Q9 (16 bits); (x - zx) << 6 then vpmulhrsw (>> 15, rounded) */
static void gate_u8(const uint8_t *x, int hw, int C, const int16_t *m, int zx, int zy, uint8_t *y) {
    const __m256i vzx = _mm256_set1_epi16((short)zx), vzy = _mm256_set1_epi16((short)zy), z = _mm256_setzero_si256();
    for (int p = 0; p < hw; p++)
        for (int c = 0; c < C; c += 32) {
            __m256i v = _mm256_loadu_si256((const __m256i *)(x + (size_t)p * C + c));
            __m256i ml = _mm256_loadu_si256((const __m256i *)(m + c)), mh = _mm256_loadu_si256((const __m256i *)(m + c + 16));
            __m256i lo = _mm256_slli_epi16(_mm256_sub_epi16(_mm256_unpacklo_epi8(v, z), vzx), 6);
            __m256i hi = _mm256_slli_epi16(_mm256_sub_epi16(_mm256_unpackhi_epi8(v, z), vzx), 6);
            lo = _mm256_add_epi16(_mm256_mulhrs_epi16(lo, ml), vzy);
            hi = _mm256_add_epi16(_mm256_mulhrs_epi16(hi, mh), vzy);
            _mm256_storeu_si256((__m256i *)(y + (size_t)p * C + c), _mm256_packus_epi16(lo, hi));
        }
}
/* m arranged per 16-bit lane to match the unpack order (prep does it) */
static void gate_prep(const int16_t *mc, int C, int16_t *m) {
    for (int c = 0; c < C; c += 32)
        for (int L = 0; L < 2; L++)
            for (int i = 0; i < 8; i++) {
                m[c + 8 * L + i] = mc[c + 16 * L + i];           /* lo: bytes 16L + i */
                m[c + 16 + 8 * L + i] = mc[c + 16 * L + 8 + i];  /* hi: bytes 16L + 8 + i */
            }
}
static void gate_u8_scalar(const uint8_t *x, int hw, int C, const int16_t *mc, int zx, int zy, uint8_t *y) {
    for (int p = 0; p < hw; p++)
        for (int c = 0; c < C; c++) {
            int d = ((int)x[(size_t)p * C + c] - zx) * 64;
            int t = (int)(((int32_t)d * mc[c] + (1 << 14)) >> 15) + zy;
            y[(size_t)p * C + c] = (uint8_t)(t < 0 ? 0 : t > 255 ? 255 : t);
        }
}
/* fp32 gating then quantisation (the current int8 path: x * g, x / s by
   reciprocal with one FMA correction, clamp, round) */
static void gate_f32q(const float *x, int hw, int C, const float *g, float s, int zp, uint8_t *y) {
    const __m256 inv = _mm256_set1_ps(1.0f / s), ns = _mm256_set1_ps(-s), lo = _mm256_set1_ps((float)-zp), hi = _mm256_set1_ps((float)(255 - zp));
    const __m256i vzp = _mm256_set1_epi32(zp);
    for (int p = 0; p < hw; p++)
        for (int c = 0; c < C; c += 32) {
            __m256i v[4];
            for (int k = 0; k < 4; k++) {
                __m256 a = _mm256_mul_ps(_mm256_loadu_ps(x + (size_t)p * C + c + 8 * k), _mm256_loadu_ps(g + c + 8 * k));
                __m256 q = _mm256_min_ps(_mm256_max_ps(_mm256_mul_ps(a, inv), _mm256_sub_ps(lo, _mm256_set1_ps(1))), _mm256_add_ps(hi, _mm256_set1_ps(1)));
                q = _mm256_fmadd_ps(_mm256_fmadd_ps(q, ns, a), inv, q);
                v[k] = _mm256_add_epi32(_mm256_cvtps_epi32(_mm256_min_ps(_mm256_max_ps(q, lo), hi)), vzp);
            }
            __m256i pk = _mm256_packus_epi16(_mm256_packs_epi32(v[0], v[1]), _mm256_packs_epi32(v[2], v[3]));
            _mm256_storeu_si256((__m256i *)(y + (size_t)p * C + c), _mm256_permutevar8x32_epi32(pk, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)));
        }
}

typedef struct { const char *arch; int h, w, cin, e, k, s, count; } blk;
/* every MBConv block of b0-fm and b0-224, as bench_q8ops lists them (e 1: no expand, no LUT) */
static const blk B[] = {
    { "b0-fm", 28, 28, 32, 1, 3, 1, 1 }, { "b0-fm", 28, 28, 16, 6, 3, 2, 1 }, { "b0-fm", 14, 14, 24, 6, 3, 1, 1 }, { "b0-fm", 14, 14, 24, 6, 5, 2, 1 },
    { "b0-fm", 7, 7, 40, 6, 5, 1, 1 },   { "b0-fm", 7, 7, 40, 6, 3, 2, 1 },   { "b0-fm", 4, 4, 80, 6, 3, 1, 2 },
    { "b0-fm", 4, 4, 80, 6, 5, 1, 1 },   { "b0-fm", 4, 4, 112, 6, 5, 1, 2 },  { "b0-fm", 4, 4, 112, 6, 5, 2, 1 },
    { "b0-fm", 2, 2, 192, 6, 5, 1, 3 },  { "b0-fm", 2, 2, 192, 6, 3, 1, 1 },
    { "b0-224", 112, 112, 32, 1, 3, 1, 1 }, { "b0-224", 112, 112, 16, 6, 3, 2, 1 }, { "b0-224", 56, 56, 24, 6, 3, 1, 1 }, { "b0-224", 56, 56, 24, 6, 5, 2, 1 },
    { "b0-224", 28, 28, 40, 6, 5, 1, 1 },   { "b0-224", 28, 28, 40, 6, 3, 2, 1 }, { "b0-224", 14, 14, 80, 6, 3, 1, 2 },
    { "b0-224", 14, 14, 80, 6, 5, 1, 1 },   { "b0-224", 14, 14, 112, 6, 5, 1, 2 }, { "b0-224", 14, 14, 112, 6, 5, 2, 1 },
    { "b0-224", 7, 7, 192, 6, 5, 1, 3 },    { "b0-224", 7, 7, 192, 6, 3, 1, 1 },
};
enum { K_LUT, K_GATHER, K_LUTD, K_POOLU8, K_POOLF, K_GATEU8, K_GATEF, K_N };
static const char *kname[K_N] = { "LUT vpshufb (expanded tensor)", "LUT vpgatherdd (expanded tensor)", "LUT vpgatherdd (depthwise out)",
                                  "SE pool u8 (depthwise out)",
                                  "SE pool fp32 (depthwise out)", "SE gate u8 -> u8", "SE gate fp32 -> u8 (now)" };

static int cmpd(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 11;
    if (rounds < 1 || rounds > 201) { fprintf(stderr, "usage: bench_q8proto [ROUNDS 1..201]\n"); return 2; }
    /* the checks: every byte through the LUT, random tensors through pool and gate */
    uint8_t T[256];
    int32_t T32[256];
    for (int i = 0; i < 256; i++) T[i] = (uint8_t)(i * 37 + 11), T32[i] = T[i];
    lut32 L = lut_prep(T);
    uint8_t all[256], chk[256];
    for (int i = 0; i < 256; i++) all[i] = chk[i] = (uint8_t)i;
    lut_pass(&L, all, 256);
    lut_pass_gather(T32, chk, 256);
    for (int i = 0; i < 256; i++)
        if (all[i] != T[i] || chk[i] != T[i]) { printf("FAIL lut %d: %d %d, want %d\n", i, all[i], chk[i], T[i]); return 1; }
    srand(1);
    const int hw = 300, C = 96;
    uint8_t *x = malloc((size_t)hw * C), *y0 = malloc((size_t)hw * C), *y1 = malloc((size_t)hw * C);
    for (int i = 0; i < hw * C; i++) x[i] = (uint8_t)(i % 7 == 0 ? 255 : rand() & 255);
    uint32_t s0[96], s1[96];
    pool_u8(x, hw, C, s0);
    pool_u8_scalar(x, hw, C, s1);
    if (memcmp(s0, s1, sizeof s0)) { printf("FAIL pool\n"); return 1; }
    int16_t mc[96], m[96];
    for (int c = 0; c < C; c++) mc[c] = (int16_t)(c == 0 ? 32767 : rand() % 1500);
    gate_prep(mc, C, m);
    gate_u8(x, hw, C, m, 3, 250, y0);
    gate_u8_scalar(x, hw, C, mc, 3, 250, y1);
    if (memcmp(y0, y1, (size_t)hw * C)) { printf("FAIL gate\n"); return 1; }
    free(x); free(y0); free(y1);
    printf("checks passed (LUT all 256 bytes, pool, gate against scalar twins)\n");

    const int nb = (int)(sizeof B / sizeof B[0]);
    printf("one thread; ms per network (each block times its count), median of %d rounds\n", rounds);
    double tot[2][K_N];
    memset(tot, 0, sizeof tot);
    for (int b = 0; b < nb; b++) {
        const blk *k = &B[b];
        int E = k->cin * k->e, oh = (k->h + k->s - 1) / k->s, ow = (k->w + k->s - 1) / k->s;
        size_t ne = k->e > 1 ? (size_t)k->h * k->w * E : 0, nd = (size_t)oh * ow * E;
        /* padded: rows of 144 or 240 channels end in half a vector, which the kernels run past */
        uint8_t *u = aligned_alloc(64, (ne + 127) / 64 * 64), *d = aligned_alloc(64, (nd + 127) / 64 * 64), *o = aligned_alloc(64, (nd + 127) / 64 * 64);
        float *f = aligned_alloc(64, (nd * 4 + 191) / 64 * 64), g[1184], sf[1184];
        uint32_t su[1184];
        int16_t mm[1184];
        for (size_t i = 0; i < ne; i++) u[i] = (uint8_t)rand();
        for (size_t i = 0; i < nd; i++) d[i] = (uint8_t)rand(), f[i] = (float)(rand() % 1000) * 0.01f;
        for (int c = 0; c < 1184; c++) g[c] = 0.5f, mm[c] = 300;
        double t[K_N][201];
        for (int r = 0; r < rounds; r++)
            for (int kk = 0; kk < K_N; kk++) {
                int reps = 0;
                double t0 = now(), t1;
                do {
                    switch (kk) {
                    case K_LUT: lut_pass(&L, u, ne); break;
                    case K_GATHER: lut_pass_gather(T32, u, ne); break;
                    case K_LUTD: lut_pass_gather(T32, d, nd); break;
                    case K_POOLU8: pool_u8(d, oh * ow, E, su); break;
                    case K_POOLF: pool_f32(f, oh * ow, E, sf); break;
                    case K_GATEU8: gate_u8(d, oh * ow, E, mm, 5, 7, o); break;
                    case K_GATEF: gate_f32q(f, oh * ow, E, g, 0.03f, 7, o); break;
                    }
                    reps++;
                } while ((t1 = now()) - t0 < 2e-3);
                t[kk][r] = (t1 - t0) / reps * 1e3;
            }
        int ai = strcmp(k->arch, "b0-fm") != 0;
        for (int kk = 0; kk < K_N; kk++) {
            qsort(t[kk], (size_t)rounds, sizeof(double), cmpd);
            tot[ai][kk] += t[kk][rounds / 2] * k->count;
        }
        free(u); free(d); free(o); free(f);
        (void)su; (void)sf;
    }
    for (int ai = 0; ai < 2; ai++) {
        printf("\n%s, all blocks\n| kernel | ms, 1 thread |\n|---|---:|\n", ai ? "b0-224" : "b0-fm");
        for (int kk = 0; kk < K_N; kk++) printf("| %s | %.4f |\n", kname[kk], tot[ai][kk]);
    }
    return 0;
}
