/* bench_solver: hant_solver.h's exact solver against GLPK's MIP solver on
   generated MCKP classes with fixed seeds, in one run. Prints a Markdown table:
   our median time over repeats, GLPK's time (one run, time-limited), the
   ratio and whether both reached the same optimum.
     ./build/bench_solver [--quick] [--glpk-limit S] [--reps N]
   Build: make bench-solver (adds -DHANT_SOLVER_GLPK -lglpk when GLPK is installed). */
#define HANT_SOLVER_IMPLEMENTATION
#include "hant_solver.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

static unsigned long long rng;
static void seed(unsigned long long s) { rng = s * 0x9E3779B97F4A7C15ull + 12345; }
static double unif(double lo, double hi) {
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return lo + (hi - lo) * (double)(rng >> 11) * (1.0 / 9007199254740992.0);
}

enum { UNCORR, WEAK, STRONG };
typedef struct { const char *name; int L, n, D, kind, pairs, instances; double glpk_limit; } cls_t;

typedef struct {
    int L, n, D, np;
    int *ni; double *lo, *co, B[2]; hant_solver_pair *pr;
} inst_t;

/* costs U[1,100]; loss U[0,100] (uncorrelated), 100 - c + U[-10,10] (weakly),
   110 - c + U[0,1] (strongly: loss is almost linear in latency). Budget
   halfway between the least total cost and the unconstrained optimum's. */
static void make(inst_t *I, const cls_t *c, unsigned long long s) {
    seed(s);
    I->L = c->L; I->n = c->n; I->D = c->D; I->np = c->pairs;
    size_t N = (size_t)c->L * c->n;
    I->ni = malloc(sizeof(int) * c->L); I->lo = malloc(sizeof(double) * N); I->co = malloc(sizeof(double) * N * c->D);
    I->pr = malloc(sizeof(hant_solver_pair) * (c->pairs + 1));
    for (int k = 0; k < c->L; k++) {
        I->ni[k] = c->n;
        for (int j = 0; j < c->n; j++) {
            size_t g = (size_t)k * c->n + j;
            for (int d = 0; d < c->D; d++) I->co[g * c->D + d] = unif(1, 100);
            double x = I->co[g * c->D];
            I->lo[g] = c->kind == UNCORR ? unif(0, 100) : c->kind == WEAK ? 100 - x + unif(-10, 10) : 110 - x + unif(0, 1);
        }
    }
    for (int q = 0; q < c->pairs; q++) {
        hant_solver_pair *e = &I->pr[q];
        e->layer = (int)unif(0, c->L - 1); e->item = (int)unif(0, c->n); e->next = (int)unif(0, c->n);
        e->dim = 0; e->delta = -unif(0, 20); /* fusing adjacent blocks saves latency */
    }
    for (int d = 0; d < c->D; d++) {
        double lo = 0, hi = 0;
        for (int k = 0; k < c->L; k++) {
            double mn = INFINITY, bl = INFINITY, bc = 0;
            for (int j = 0; j < c->n; j++) {
                size_t g = (size_t)k * c->n + j;
                if (I->co[g * c->D + d] < mn) mn = I->co[g * c->D + d];
                if (I->lo[g] < bl) { bl = I->lo[g]; bc = I->co[g * c->D + d]; }
            }
            lo += mn; hi += bc;
        }
        I->B[d] = lo + 0.5 * (hi - lo);
    }
}
static void drop(inst_t *I) { free(I->ni); free(I->lo); free(I->co); free(I->pr); }
static hant_solver_problem prob(inst_t *I) {
    hant_solver_problem p = { I->L, I->D, I->ni, I->lo, I->co, I->B, I->np, I->pr };
    return p;
}
static int cmpd(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }
static double median(double *v, int n) { qsort(v, (size_t)n, sizeof *v, cmpd); return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]); }

int main(int argc, char **argv) {
    int quick = 0, reps = 5;
    double glimit = 120;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick")) { quick = 1; glimit = 10; reps = 3; }
        else if (!strcmp(argv[i], "--glpk-limit") && i + 1 < argc) glimit = atof(argv[++i]);
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc) reps = atoi(argv[++i]);
        else { fprintf(stderr, "usage: bench_solver [--quick] [--glpk-limit S] [--reps N]\n"); return 2; }
    }
    if (reps < 1 || reps > 99) reps = 5;
#ifndef HANT_SOLVER_GLPK
    (void)quick; (void)glimit;
    printf("(built without GLPK: only our times)\n");
#endif
    cls_t cls[] = {
        { "uncorrelated", 60, 197, 1, UNCORR, 0, 3, 0 },
        { "uncorrelated", 120, 400, 1, UNCORR, 0, 2, 0 },
        { "weakly correlated", 60, 197, 1, WEAK, 0, 3, 0 },
        { "strongly correlated", 50, 200, 1, STRONG, 0, 1, 0 },
        { "strongly correlated", 60, 197, 1, STRONG, 0, 1, 0 },
        { "two budgets (uncorr.)", 60, 197, 2, UNCORR, 0, 3, 0 },
        { "two budgets (weakly)", 60, 197, 2, WEAK, 0, 2, 0 },
        { "pairs (uncorr., 2000)", 60, 197, 1, UNCORR, 2000, 2, 0 },
    };
    int ncls = (int)(sizeof cls / sizeof cls[0]);
    printf("| class | L x n | D | instance | ours ms (median of %d) | ours nodes | GLPK ms | GLPK status | GLPK/ours | same optimum |\n", reps);
    printf("|---|---|---|---|---:|---:|---:|---|---:|---|\n");
    int bad = 0;
    for (int c = 0; c < ncls; c++) {
        for (int s = 0; s < cls[c].instances; s++) {
            inst_t I;
            make(&I, &cls[c], 1000 * (unsigned long long)c + s + 1);
            hant_solver_problem p = prob(&I);
            hant_solver_config cfg = {0};
            cfg.time_limit = 600;
            double t[99];
            hant_solver_result r = {0};
            for (int k = 0; k < reps; k++) {
                hant_solver_result_free(&r);
                if (hant_solver_solve(&p, &cfg, &r)) { fprintf(stderr, "solve: %s\n", hant_solver_last_error()); return 1; }
                t[k] = r.time_ms;
            }
            double ours = median(t, reps);
            char gms[32] = "-", gst[32] = "not built", ratio[32] = "-", same[48] = "-";
#ifdef HANT_SOLVER_GLPK
            hant_solver_config gc = {0};
            gc.backend = HANT_SOLVER_BACKEND_GLPK;
            /* the hard class gets the full limit; others 30 s to keep the run near 10 min */
            gc.time_limit = cls[c].kind == STRONG || quick ? glimit : (glimit < 30 ? glimit : 30);
            hant_solver_result g;
            if (hant_solver_solve(&p, &gc, &g)) { fprintf(stderr, "glpk: %s\n", hant_solver_last_error()); return 1; }
            snprintf(gms, sizeof gms, "%.0f", g.time_ms);
            snprintf(gst, sizeof gst, "%s%s", hant_solver_status_text(g.status), g.status == HANT_SOLVER_OPTIMAL ? "" : " (limit)");
            snprintf(ratio, sizeof ratio, "%s%.0fx", g.status == HANT_SOLVER_OPTIMAL ? "" : ">", g.time_ms / ours);
            double diff = fabs(g.loss - r.loss);
            if (g.status == HANT_SOLVER_OPTIMAL) {
                int ok = diff <= 1e-6 * (1 + fabs(r.loss)) && r.status == HANT_SOLVER_OPTIMAL;
                snprintf(same, sizeof same, ok ? "yes" : "NO (%.3g)", diff);
                bad += !ok;
            } else if (g.item) snprintf(same, sizeof same, "GLPK best %+.3g, bound %+.3g", g.loss - r.loss, g.bound - r.loss);
            hant_solver_result_free(&g);
#endif
            printf("| %s | %d x %d | %d%s | %d | %.2f | %lld | %s | %s | %s | %s |\n", cls[c].name, I.L, I.n, I.D,
                   I.np ? "+pairs" : "", s + 1, ours, r.nodes, gms, gst, ratio, same);
            fflush(stdout);
            if (r.status != HANT_SOLVER_OPTIMAL) { printf("  (ours: %s)\n", hant_solver_status_text(r.status)); bad++; }
            hant_solver_result_free(&r);
            drop(&I);
        }
    }
    /* Pareto sweep: 100 budgets from the least total latency to what the
       unconstrained optimum spends, one call (work shared across budgets) */
    printf("\n| extra | L x n | class | what | ours ms (median of %d) |\n|---|---|---|---|---:|\n", reps);
    for (int kind = 0; kind < 3; kind += 2) {
        cls_t pc = { kind ? "strongly correlated" : "uncorrelated", 60, 197, 1, kind, 0, 1, 0 };
        inst_t I;
        make(&I, &pc, 777);
        hant_solver_problem p = prob(&I);
        double bud[100], t[99], lo = 0, hi = 0;
        for (int k = 0; k < I.L; k++) {
            double mn = INFINITY, bl = INFINITY, bc = 0;
            for (int j = 0; j < I.n; j++) { size_t g = (size_t)k * I.n + j; if (I.co[g] < mn) mn = I.co[g]; if (I.lo[g] < bl) { bl = I.lo[g]; bc = I.co[g]; } }
            lo += mn; hi += bc;
        }
        for (int i = 0; i < 100; i++) bud[i] = lo + (hi - lo) * i / 99.0;
        hant_solver_result res[100];
        int nopt = 0;
        for (int k = 0; k < reps; k++) {
            double t0 = hant_solver__now_ms();
            if (hant_solver_pareto(&p, NULL, bud, 100, res)) { fprintf(stderr, "pareto: %s\n", hant_solver_last_error()); return 1; }
            t[k] = hant_solver__now_ms() - t0;
            nopt = 0;
            for (int i = 0; i < 100; i++) { nopt += res[i].status == HANT_SOLVER_OPTIMAL; hant_solver_result_free(&res[i]); }
        }
        printf("| Pareto sweep | 60 x 197 | %s | 100 budgets, %d proven optimal | %.1f |\n", pc.name, nopt, median(t, reps));
        bad += nopt != 100;
        /* k best diverse: 10 selections pairwise differing in >= 3 layers */
        hant_solver_result kb[10];
        int found = 0;
        for (int k = 0; k < reps; k++) {
            double t0 = hant_solver__now_ms();
            if (hant_solver_diverse(&p, NULL, 10, 3, kb, &found)) { fprintf(stderr, "diverse: %s\n", hant_solver_last_error()); return 1; }
            t[k] = hant_solver__now_ms() - t0;
            for (int i = 0; i < 10; i++) hant_solver_result_free(&kb[i]);
        }
        printf("| k-best diverse | 60 x 197 | %s | k = 10, >= 3 layers apart, %d found | %.1f |\n", pc.name, found, median(t, reps));
        drop(&I);
    }
    if (bad) printf("\n%d disagreement(s) or unproven result(s)\n", bad);
    return bad ? 1 : 0;
}
