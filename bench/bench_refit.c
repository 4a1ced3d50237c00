/* Issue 16: two latency models fitted on the same timings. Reads the
   networks of a `hant profile --validate` file (FIT) and of one or more
   later `--score-only` files (SCORE...: new networks, same table), builds
   each network's model terms from its columns (sum_ms, parts, mwords and the
   blocks' kind / table ms / weights; the stem and head as one part: what
   sum_ms and mwords hold beyond the blocks), fits the model with and without
   the L3 regime (hant_latency_fit_ex) on FIT, and prints each model's
   median and worst |predicted - measured| / measured on every SCORE file.
   With --cv R: each FILE alone, R random halvings (fit on one half, score
   the other, both ways): free of the drift between runs; the means of the
   R medians and worsts, and how many worsts exceed 8%.

     bench_refit FIT SCORE...
     bench_refit --cv R FILE...                                            */
#define HANT_IMPLEMENTATION
#include "../hant.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

enum { K = HANT_LATENCY_TERMS, MAXN = 1024 };

static void part_terms(double t, double w, int tiled, double *x) {
    x[1] += t; x[3] += w;
    for (int j = 0; j < HANT_LATENCY_KAPPAS; j++) x[HANT_LATENCY_COEFS + j] += fmax(0.0, w - hant_latency_kappa(j) * t);
    for (int j = 0; j < HANT_LATENCY_OMEGAS; j++) x[HANT_LATENCY_COEFS + HANT_LATENCY_KAPPAS + j] += w * fmax(0.0, 1 - w / hant_latency_omega(j));
    if (tiled) x[HANT_LATENCY_TILED] += w;
}

/* the networks of one file: X rows, measured y; returns n (-1: unreadable) */
static int read_nets(const char *path, double *X, double *y) {
    FILE *f = fopen(path, "r");
    if (!f) { fprintf(stderr, "bench_refit: %s: cannot open\n", path); return -1; }
    static char line[65536];
    int n = 0;
    while (fgets(line, sizeof line, f) && n < MAXN) {
        if (line[0] == '#' || !strncmp(line, "net\t", 4)) continue;
        char *col[32];
        int nc = 0;
        for (char *p = line, *tok; nc < 32 && (tok = strsep(&p, "\t\n")); ) col[nc++] = tok;
        if (nc < 21) continue;
        double *x = X + (size_t)n * K;
        memset(x, 0, sizeof(double) * K);
        x[0] = 1;
        double sum = atof(col[5]), parts = atof(col[6]), mw = atof(col[7]), bt = 0, bw = 0;
        int np = 0;
        for (char *p = col[20], *b; (b = strsep(&p, ",")); ) {
            char *s1 = strchr(b, '/');
            if (!s1) continue;
            char kind = s1[-1];
            double t = atof(s1 + 1), w = atof(strchr(s1 + 1, '/') + 1);
            if (kind == 'i') continue;
            part_terms(t, w, kind == 't', x);
            bt += t; bw += w; np++;
        }
        part_terms(sum - bt, mw - bw, 0, x); /* the stem and head as one part */
        x[1] = sum; x[2] = parts; x[3] = mw;
        y[n++] = atof(col[2]);
    }
    fclose(f);
    return n;
}

static int cmp(const void *a, const void *b) { double u = *(const double *)a, v = *(const double *)b; return (u > v) - (u < v); }

static void score(const hant_latency_model *m, const double *X, const double *y, int n, double *med, double *worst) {
    double e[MAXN];
    for (int i = 0; i < n; i++) e[i] = fabs(hant_latency_eval(m, X + (size_t)i * K) / y[i] - 1);
    qsort(e, (size_t)n, sizeof *e, cmp);
    *med = n % 2 ? e[n / 2] : 0.5 * (e[n / 2 - 1] + e[n / 2]);
    *worst = e[n - 1];
}

static int cv(int R, const char *path) {
    static double X[MAXN * K], XA[MAXN * K], XB[MAXN * K];
    double y[MAXN], ya[MAXN], yb[MAXN], e[3][MAXN];
    int n = read_nets(path, X, y), idx[MAXN];
    if (n < 40) return 1;
    double smed[3] = { 0 }, swo[3] = { 0 };
    int over[3] = { 0 }, kept = 0;
    uint64_t rng = 12345;
    for (int r = 0; r < R; r++) {
        for (int i = 0; i < n; i++) idx[i] = i;
        for (int i = n - 1; i > 0; i--) { rng = rng * 6364136223846793005ull + 1442695040888963407ull; int j = (int)((rng >> 33) % (uint64_t)(i + 1)), t = idx[i]; idx[i] = idx[j]; idx[j] = t; }
        int na = n / 2, nb = n - na;
        for (int i = 0; i < na; i++) { memcpy(XA + (size_t)i * K, X + (size_t)idx[i] * K, sizeof(double) * K); ya[i] = y[idx[i]]; }
        for (int i = 0; i < nb; i++) { memcpy(XB + (size_t)i * K, X + (size_t)idx[na + i] * K, sizeof(double) * K); yb[i] = y[idx[na + i]]; }
        for (int v = 0; v < 3; v++) {
            hant_latency_model ma, mb;
            int fl = v == 0 ? HANT_LATENCY_FIT_NO_REGIME : v == 2 ? HANT_LATENCY_FIT_NO_CACHE : 0;
            if (hant_latency_fit_ex(XA, ya, na, NULL, 0.01, fl, &ma) || hant_latency_fit_ex(XB, yb, nb, NULL, 0.01, fl, &mb)) return 1;
            kept += v == 1 && (ma.l3_coef > 0) + (mb.l3_coef > 0);
            for (int i = 0; i < nb; i++) e[v][i] = fabs(hant_latency_eval(&ma, XB + (size_t)i * K) / yb[i] - 1);
            for (int i = 0; i < na; i++) e[v][nb + i] = fabs(hant_latency_eval(&mb, XA + (size_t)i * K) / ya[i] - 1);
            qsort(e[v], (size_t)n, sizeof(double), cmp);
            smed[v] += n % 2 ? e[v][n / 2] : 0.5 * (e[v][n / 2 - 1] + e[v][n / 2]);
            swo[v] += e[v][n - 1];
            over[v] += e[v][n - 1] > 0.08;
        }
    }
    printf("%s: %d networks, %d halvings: old %.2f / %.2f (%d > 8%%), new %.2f / %.2f (%d > 8%%), the regime kept in %d of %d fits; new without the cache term %.2f / %.2f (%d)\n",
           path, n, R, 100 * smed[0] / R, 100 * swo[0] / R, over[0], 100 * smed[1] / R, 100 * swo[1] / R, over[1], kept, 2 * R, 100 * smed[2] / R, 100 * swo[2] / R,
           over[2]);
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 3 && !strcmp(argv[1], "--cv")) {
        for (int a = 3; a < argc; a++) cv(atoi(argv[2]), argv[a]);
        return 0;
    }
    if (argc < 3) { fprintf(stderr, "usage: bench_refit FIT SCORE... | --cv R FILE...\n"); return 2; }
    static double X[MAXN * K], Y[MAXN * K];
    double y[MAXN], yy[MAXN];
    int n = read_nets(argv[1], X, y);
    if (n < 1) return 1;
    hant_latency_model m[2];
    for (int r = 0; r < 2; r++)
        if (hant_latency_fit_ex(X, y, n, NULL, 0.01, r ? 0 : HANT_LATENCY_FIT_NO_REGIME, &m[r])) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
    for (int r = 0; r < 2; r++)
        printf("%s fit on %d: resid %.2f%%, knee %.4f at %.3f, cache %.4f at %.2f, hinge %.4f, regime %.4f + tiled %.4f beyond %.3f\n", r ? "new " : "old ", n,
               100 * m[r].resid, m[r].knee_coef, m[r].knee, m[r].cache_coef, m[r].cache_words, m[r].hinge_coef, m[r].l3_coef, m[r].l3_tiled, m[r].onset);
    for (int a = 2; a < argc; a++) {
        int k = read_nets(argv[a], Y, yy);
        if (k < 1) continue;
        double md[2], wo[2];
        for (int r = 0; r < 2; r++) score(&m[r], Y, yy, k, &md[r], &wo[r]);
        printf("%s (%d networks): old %.2f / %.2f, new %.2f / %.2f (median / worst %%)\n", argv[a], k, 100 * md[0], 100 * wo[0], 100 * md[1], 100 * wo[1]);
    }
    return 0;
}
