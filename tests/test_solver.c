/* hant_solver.h: exact MCKP against exhaustive enumeration (thousands of
   small instances with ties and dominated items, several budgets, pair
   corrections, diversity), against GLPK on medium ones when compiled with
   HANT_SOLVER_GLPK, limits that stop early, and hostile problem files. */
#define HANT_SOLVER_IMPLEMENTATION
#include "hant_solver.h"
#include "hant_test.h"
#include <float.h>

/* ---- an independent reference: enumerate every selection ---- */
typedef struct {
    int L, D, n[12];
    double loss[12][12], cost[12][12][4], B[4];
    int np; hant_solver_pair pairs[256];
} inst_t;

static void to_problem(const inst_t *I, hant_solver_problem *p, int *ni, double *lo, double *co) {
    int g = 0;
    for (int k = 0; k < I->L; k++) {
        ni[k] = I->n[k];
        for (int j = 0; j < I->n[k]; j++, g++) { lo[g] = I->loss[k][j]; for (int d = 0; d < I->D; d++) co[g * I->D + d] = I->cost[k][j][d]; }
    }
    memset(p, 0, sizeof *p);
    p->num_layers = I->L; p->num_costs = I->D; p->num_items = ni; p->loss = lo; p->cost = co; p->budget = I->B;
    p->num_pairs = I->np; p->pairs = I->pairs;
}

/* The documented exact sums: layer by layer, item cost then each pair delta. */
static void ref_eval(const inst_t *I, const int *s, double *loss, double *cost) {
    double l = 0, c[4] = {0};
    for (int k = 0; k < I->L; k++) {
        l += I->loss[k][s[k]];
        for (int d = 0; d < I->D; d++) c[d] += I->cost[k][s[k]][d];
        if (k + 1 < I->L) {
            double dl[4] = {0};
            for (int q = 0; q < I->np; q++)
                if (I->pairs[q].layer == k && I->pairs[q].item == s[k] && I->pairs[q].next == s[k + 1]) dl[I->pairs[q].dim] += I->pairs[q].delta;
            for (int d = 0; d < I->D; d++) c[d] += dl[d];
        }
    }
    *loss = l;
    for (int d = 0; d < I->D; d++) cost[d] = c[d];
}

/* Best feasible loss, differing from each of nsol selections in >= m layers; INF if none. */
static double ref_best(const inst_t *I, const int *sols, int nsol, int m, int *best, double *minc) {
    int s[12] = {0};
    double bl = INFINITY;
    for (int d = 0; d < I->D; d++) minc[d] = INFINITY;
    for (;;) {
        double l, c[4];
        ref_eval(I, s, &l, c);
        int ok = 1;
        for (int d = 0; d < I->D; d++) { if (!(c[d] <= I->B[d])) ok = 0; if (c[d] < minc[d]) minc[d] = c[d]; }
        for (int q = 0; q < nsol && ok; q++) {
            int diff = 0;
            for (int k = 0; k < I->L; k++) diff += s[k] != sols[q * 12 + k];
            ok = diff >= m;
        }
        if (ok && l < bl) { bl = l; if (best) memcpy(best, s, sizeof s); }
        int k = 0;
        while (k < I->L && ++s[k] == I->n[k]) s[k++] = 0;
        if (k == I->L) break;
    }
    return bl;
}

/* kind 0: continuous; 1: small integers (ties, duplicates, dominated items) */
static void rand_inst(inst_t *I, int L, int maxn, int D, int kind, int npairs) {
    I->L = L; I->D = D; I->np = 0;
    for (int k = 0; k < L; k++) {
        I->n[k] = 1 + (int)(ht_u64() % (unsigned)maxn);
        for (int j = 0; j < I->n[k]; j++) {
            I->loss[k][j] = kind ? (double)(ht_u64() % 6) : ht_uniform(-1, 3);
            for (int d = 0; d < D; d++) I->cost[k][j][d] = kind ? (double)(ht_u64() % 5) : ht_uniform(0, 10);
            if (kind == 2) I->loss[k][j] = 10 - I->cost[k][j][0] + 0.01 * (double)(ht_u64() % 4);
        }
    }
    for (int q = 0; q < npairs && L > 1; q++) {
        hant_solver_pair *e = &I->pairs[I->np++];
        e->layer = (int)(ht_u64() % (unsigned)(L - 1));
        e->item = (int)(ht_u64() % (unsigned)I->n[e->layer]);
        e->next = (int)(ht_u64() % (unsigned)I->n[e->layer + 1]);
        e->dim = (int)(ht_u64() % (unsigned)D);
        e->delta = kind ? (double)((int)(ht_u64() % 5) - 3) : ht_uniform(-4, 2);
    }
    /* budgets between the least and the largest total, so some are infeasible */
    for (int d = 0; d < D; d++) {
        double lo = 0, hi = 0;
        for (int k = 0; k < L; k++) {
            double a = INFINITY, b = 0;
            for (int j = 0; j < I->n[k]; j++) { if (I->cost[k][j][d] < a) a = I->cost[k][j][d]; if (I->cost[k][j][d] > b) b = I->cost[k][j][d]; }
            lo += a; hi += b;
        }
        double t = ht_uniform(-0.1f, 0.9f);
        I->B[d] = kind ? floor(lo + t * (hi - lo)) : lo + t * (hi - lo);
        if (ht_u64() % 16 == 0) I->B[d] = INFINITY;
    }
}

static int ni_[64]; static double lo_[4096], co_[4096 * 4];

/* Solves I and checks it against enumeration; returns 0 if anything is wrong. */
static int check_inst(const inst_t *I, const char *what, int iter) {
    hant_solver_problem p;
    to_problem(I, &p, ni_, lo_, co_);
    hant_solver_config cfg = {0};
    hant_solver_result r;
    int rc = hant_solver_solve(&p, &cfg, &r);
    double minc[4];
    int best[12];
    double opt = ref_best(I, NULL, 0, 0, best, minc);
    int ok = 1;
    if (rc) { HT_CHECK(0, "%s #%d: rc %d %s", what, iter, rc, hant_solver_last_error()); return 0; }
    for (int d = 0; d < I->D; d++) if (r.min_budget[d] != minc[d]) { HT_CHECK(0, "%s #%d: min_budget[%d] %.17g want %.17g", what, iter, d, r.min_budget[d], minc[d]); ok = 0; }
    if (opt == INFINITY) {
        if (r.status != HANT_SOLVER_INFEASIBLE || r.item) { HT_CHECK(0, "%s #%d: want infeasible, got %s", what, iter, hant_solver_status_text(r.status)); ok = 0; }
    } else if (r.status != HANT_SOLVER_OPTIMAL || !r.item) {
        HT_CHECK(0, "%s #%d: want optimal %.17g, got %s", what, iter, opt, hant_solver_status_text(r.status)); ok = 0;
    } else {
        double l, c[4];
        ref_eval(I, r.item, &l, c);
        if (l != r.loss) { HT_CHECK(0, "%s #%d: reported loss %.17g, selection sums to %.17g", what, iter, r.loss, l); ok = 0; }
        for (int d = 0; d < I->D; d++) {
            if (c[d] != r.cost[d]) { HT_CHECK(0, "%s #%d: reported cost %.17g, sums to %.17g", what, iter, r.cost[d], c[d]); ok = 0; }
            if (!(c[d] <= I->B[d])) { HT_CHECK(0, "%s #%d: cost %d %.17g over budget %.17g", what, iter, d, c[d], I->B[d]); ok = 0; }
        }
        if (l != opt) { HT_CHECK(0, "%s #%d: loss %.17g, enumeration %.17g", what, iter, l, opt); ok = 0; }
        if (!(r.bound <= opt)) { HT_CHECK(0, "%s #%d: bound %.17g above optimum %.17g", what, iter, r.bound, opt); ok = 0; }
        if (!(opt - r.bound <= 1e-9 * (1 + fabs(opt)))) { HT_CHECK(0, "%s #%d: bound %.17g far below optimum %.17g", what, iter, r.bound, opt); ok = 0; }
    }
    hant_solver_result_free(&r);
    return ok;
}

static void test_enum_one_cost(void) {
    ht_seed(1);
    for (int it = 0; it < 3000; it++) {
        inst_t I;
        rand_inst(&I, 1 + it % 6, 1 + it % 7, 1, it % 3 == 1, 0);
        if (!check_inst(&I, "D=1", it)) break;
    }
}

static void test_enum_strongly_correlated(void) {
    ht_seed(2);
    for (int it = 0; it < 1000; it++) {
        inst_t I;
        rand_inst(&I, 2 + it % 5, 3 + it % 6, 1, 2, 0);
        if (!check_inst(&I, "corr", it)) break;
    }
}

static void test_enum_several_costs(void) {
    ht_seed(3);
    for (int it = 0; it < 2000; it++) {
        inst_t I;
        rand_inst(&I, 1 + it % 5, 1 + it % 6, 2 + it % 3, it % 2, 0);
        if (!check_inst(&I, "D>1", it)) break;
    }
}

static void test_enum_pairs(void) {
    ht_seed(4);
    for (int it = 0; it < 2000; it++) {
        inst_t I;
        rand_inst(&I, 2 + it % 5, 1 + it % 6, 1 + it % 2, it % 2, (int)(ht_u64() % 40));
        if (!check_inst(&I, "pairs", it)) break;
    }
}

/* Budgets placed exactly at the sum of some selection, where float rounding
   of a different summation order would flip feasibility. */
static void test_float_edges(void) {
    ht_seed(5);
    for (int it = 0; it < 1500; it++) {
        inst_t I;
        rand_inst(&I, 2 + it % 5, 2 + it % 5, 1 + it % 2, 0, it % 3 ? 0 : 10);
        for (int k = 0; k < I.L; k++)
            for (int j = 0; j < I.n[k]; j++)
                for (int d = 0; d < I.D; d++) I.cost[k][j][d] = (double)(1 + ht_u64() % 9) * 0.1; /* 0.1 .. 0.9: inexact */
        int s[12];
        for (int k = 0; k < I.L; k++) s[k] = (int)(ht_u64() % (unsigned)I.n[k]);
        double l, c[4];
        ref_eval(&I, s, &l, c);
        for (int d = 0; d < I.D; d++) I.B[d] = it % 2 ? c[d] : nextafter(c[d], -INFINITY);
        if (!check_inst(&I, "float", it)) break;
    }
}

static void test_infeasible_min_budget(void) {
    ht_seed(6);
    for (int it = 0; it < 300; it++) {
        inst_t I;
        rand_inst(&I, 1 + it % 6, 1 + it % 6, 1, it % 2, it % 3 ? 0 : 12);
        double minc[4];
        ref_best(&I, NULL, 0, 0, NULL, minc);
        I.B[0] = nextafter(minc[0], -INFINITY);
        hant_solver_problem p;
        to_problem(&I, &p, ni_, lo_, co_);
        hant_solver_result r;
        HT_CHECK(hant_solver_solve(&p, NULL, &r) == 0, "rc");
        HT_CHECK(r.status == HANT_SOLVER_INFEASIBLE && r.item == NULL && r.bound == INFINITY, "#%d: status %s", it, hant_solver_status_text(r.status));
        HT_CHECK(r.min_budget[0] == minc[0], "#%d: min_budget %.17g want %.17g", it, r.min_budget[0], minc[0]);
        I.B[0] = r.min_budget[0];
        hant_solver_result_free(&r);
        HT_CHECK(hant_solver_solve(&p, NULL, &r) == 0 && r.status == HANT_SOLVER_OPTIMAL && r.cost[0] <= I.B[0],
                 "#%d: at min_budget: %s", it, hant_solver_status_text(r.status));
        hant_solver_result_free(&r);
        if (ht__case_failures) break;
    }
}

static void test_diverse_vs_enum(void) {
    ht_seed(7);
    for (int it = 0; it < 400; it++) {
        inst_t I;
        rand_inst(&I, 2 + it % 5, 2 + it % 4, 1 + it % 2, 0, it % 2 ? 8 : 0);
        int k = 1 + it % 4, m = 1 + (int)(ht_u64() % (unsigned)I.L);
        hant_solver_problem p;
        to_problem(&I, &p, ni_, lo_, co_);
        hant_solver_result r[4];
        int found = -1;
        HT_CHECK(hant_solver_diverse(&p, NULL, k, m, r, &found) == 0, "#%d rc: %s", it, hant_solver_last_error());
        int sols[4 * 12], nref = 0;
        for (int i = 0; i < k; i++) {
            double minc[4];
            int b[12];
            double v = ref_best(&I, sols, nref, m, b, minc);
            if (v == INFINITY) break;
            memcpy(sols + nref * 12, b, sizeof b);
            nref++;
            if (i >= found) { HT_CHECK(0, "#%d: %d found, enumeration has solution %d (%.17g)", it, found, i, v); break; }
            HT_CHECK(r[i].status == HANT_SOLVER_OPTIMAL && r[i].loss == v, "#%d sol %d: %s %.17g want %.17g", it, i, hant_solver_status_text(r[i].status), r[i].loss, v);
            /* follow the solver's choice among ties so later constraints agree */
            if (r[i].item) memcpy(sols + (nref - 1) * 12, r[i].item, I.L * sizeof(int));
        }
        HT_CHECK(found == nref, "#%d: found %d, enumeration %d (k %d m %d)", it, found, nref, k, m);
        for (int i = 0; i < found; i++)
            for (int j = 0; j < i; j++) {
                int diff = 0;
                for (int q = 0; q < I.L; q++) diff += r[i].item[q] != r[j].item[q];
                HT_CHECK(diff >= m, "#%d: solutions %d and %d differ in %d < %d layers", it, i, j, diff, m);
            }
        for (int i = 0; i < k; i++) hant_solver_result_free(&r[i]);
        if (ht__case_failures) break;
    }
}

static void test_pareto_matches_single(void) {
    ht_seed(8);
    for (int it = 0; it < 100; it++) {
        inst_t I;
        rand_inst(&I, 3 + it % 6, 3 + it % 8, 1 + it % 2, it % 2, it % 3 ? 0 : 10);
        hant_solver_problem p;
        to_problem(&I, &p, ni_, lo_, co_);
        double bud[12];
        hant_solver_result r[12], s;
        for (int i = 0; i < 12; i++) bud[i] = ht_uniform(-2, 40);
        HT_CHECK(hant_solver_pareto(&p, NULL, bud, 12, r) == 0, "rc %s", hant_solver_last_error());
        for (int i = 0; i < 12; i++) {
            I.B[0] = bud[i];
            double minc[4];
            double v = ref_best(&I, NULL, 0, 0, NULL, minc);
            HT_CHECK(v == INFINITY ? r[i].status == HANT_SOLVER_INFEASIBLE : (r[i].status == HANT_SOLVER_OPTIMAL && r[i].loss == v),
                     "#%d budget %g: %s %.17g want %.17g", it, bud[i], hant_solver_status_text(r[i].status), r[i].loss, v);
            HT_CHECK(r[i].status == HANT_SOLVER_INFEASIBLE || r[i].cost[0] <= bud[i], "over budget");
            hant_solver_result_free(&r[i]);
        }
        (void)s;
        if (ht__case_failures) break;
    }
}

/* ---- medium instances: limits, and GLPK as an independent solver ---- */
typedef struct { int L, D, *ni; double *lo, *co, B[4]; int np; hant_solver_pair *pairs; } big_t;

static void big_make(big_t *b, int L, int n, int D, int cls, int np) {
    b->L = L; b->D = D; b->np = np;
    b->ni = malloc(sizeof(int) * L); b->lo = malloc(sizeof(double) * L * n); b->co = malloc(sizeof(double) * L * n * D);
    b->pairs = malloc(sizeof(hant_solver_pair) * (np + 1));
    double tot[4] = {0};
    for (int k = 0; k < L; k++) {
        b->ni[k] = n;
        for (int j = 0; j < n; j++) {
            int g = k * n + j;
            for (int d = 0; d < D; d++) { b->co[g * D + d] = ht_uniform(1, 100); tot[d] += b->co[g * D + d]; }
            double c = b->co[g * D];
            b->lo[g] = cls == 0 ? ht_uniform(0, 100) : cls == 1 ? 100 - c + ht_uniform(-10, 10) : 110 - c + ht_uniform(0, 1);
        }
    }
    for (int q = 0; q < np; q++) {
        hant_solver_pair *e = &b->pairs[q];
        e->layer = (int)(ht_u64() % (unsigned)(L - 1)); e->item = (int)(ht_u64() % (unsigned)n);
        e->next = (int)(ht_u64() % (unsigned)n); e->dim = 0; e->delta = ht_uniform(-30, 5);
    }
    for (int d = 0; d < D; d++) b->B[d] = tot[d] / n * ht_uniform(0.3f, 0.6f);
}
static void big_free(big_t *b) { free(b->ni); free(b->lo); free(b->co); free(b->pairs); }
static hant_solver_problem big_problem(const big_t *b) {
    hant_solver_problem p = { b->L, b->D, b->ni, b->lo, b->co, b->B, b->np, b->pairs };
    return p;
}

static void test_limits_give_valid_gap(void) {
    ht_seed(9);
    for (int it = 0; it < 6; it++) {
        big_t b;
        int D = 1 + it % 2, np = it % 3 == 2 ? 60 : 0;
        big_make(&b, np && D > 1 ? 10 : 20, np && D > 1 ? 20 : 40, D, 2, np);
        hant_solver_problem p = big_problem(&b);
        hant_solver_result full, lim;
        HT_CHECK(hant_solver_solve(&p, NULL, &full) == 0 && full.status == HANT_SOLVER_OPTIMAL, "#%d full: %s", it, hant_solver_status_text(full.status));
        hant_solver_config cfg = {0};
        cfg.node_limit = 50 + 400 * it;
        HT_CHECK(hant_solver_solve(&p, &cfg, &lim) == 0, "rc");
        HT_CHECK(lim.status == HANT_SOLVER_FEASIBLE || lim.status == HANT_SOLVER_UNKNOWN || lim.status == HANT_SOLVER_OPTIMAL, "#%d: %s", it, hant_solver_status_text(lim.status));
        /* the beam heuristic (16 states x items per layer) runs before the limit applies */
        long long beam = 16LL * b.L * 40 + 1024;
        HT_CHECK(lim.nodes <= cfg.node_limit + beam || lim.status == HANT_SOLVER_OPTIMAL, "#%d: %lld nodes over limit %lld", it, lim.nodes, cfg.node_limit);
        HT_CHECK(lim.status != HANT_SOLVER_UNKNOWN, "#%d: the beam should give a feasible answer", it);
        HT_CHECK(lim.bound <= full.loss + 1e-9 * fabs(full.loss), "#%d: limited bound %.17g above optimum %.17g", it, lim.bound, full.loss);
        if (lim.item) {
            double l, c[4];
            HT_CHECK(hant_solver_evaluate(&p, lim.item, &l, c) == 1 && l == lim.loss, "#%d: limited solution not feasible or mis-summed", it);
            HT_CHECK(lim.loss >= full.loss && lim.bound <= lim.loss, "#%d: loss %.17g < optimum %.17g", it, lim.loss, full.loss);
        }
        hant_solver_result_free(&full); hant_solver_result_free(&lim);
        big_free(&b);
    }
    /* a time limit stops the hard class too */
    big_t b;
    big_make(&b, 60, 197, 1, 2, 0);
    hant_solver_problem p = big_problem(&b);
    hant_solver_config cfg = {0};
    cfg.time_limit = 0.002;
    hant_solver_result r;
    double t = hant_solver__now_ms();
    HT_CHECK(hant_solver_solve(&p, &cfg, &r) == 0, "rc");
    HT_CHECK(hant_solver__now_ms() - t < 1000, "time limit ignored: %.0f ms", hant_solver__now_ms() - t);
    HT_CHECK(r.bound <= r.loss, "bound above loss");
    hant_solver_result_free(&r);
    big_free(&b);
}

#ifdef HANT_SOLVER_GLPK
static int glpk_agrees(const hant_solver_problem *p, const char *what, int it) {
    hant_solver_config cfg = {0};
    hant_solver_result a, g;
    cfg.time_limit = 30;
    HT_CHECK(hant_solver_solve(p, &cfg, &a) == 0, "%s rc", what);
    cfg.backend = HANT_SOLVER_BACKEND_GLPK;
    HT_CHECK(hant_solver_solve(p, &cfg, &g) == 0, "%s glpk rc", what);
    int ok = 1;
    /* either solver stopped by the time limit (a busy machine, a sanitizer build): not compared,
       as tests make no timed assertions */
    double lim_ms = 0.99e3 * cfg.time_limit;
    int a_timed = a.status != HANT_SOLVER_OPTIMAL && a.status != HANT_SOLVER_INFEASIBLE && a.time_ms >= lim_ms;
    int g_timed = g.status == HANT_SOLVER_UNKNOWN && !g.item && g.time_ms >= lim_ms;
    if (a_timed || g_timed) {
        printf("  %s #%d: %s stopped at the %g s time limit (bb %s, glpk %s); not compared\n", what, it, a_timed ? "bb" : "glpk", cfg.time_limit,
               hant_solver_status_text(a.status), hant_solver_status_text(g.status));
    } else if (g.status == HANT_SOLVER_OPTIMAL || g.status == HANT_SOLVER_UNKNOWN /* exact check failed by a hair */) {
        double tol = 1e-6 * (1 + fabs(g.loss));
        if (!(a.status == HANT_SOLVER_OPTIMAL && fabs(a.loss - g.loss) <= tol)) ok = 0;
        HT_CHECK(ok, "%s #%d: bb %s %.17g, glpk %s %.17g", what, it, hant_solver_status_text(a.status), a.loss, hant_solver_status_text(g.status), g.loss);
        /* bb's exact optimum can never be worse than a selection GLPK proved feasible */
        if (g.status == HANT_SOLVER_OPTIMAL) HT_CHECK(a.loss <= g.loss, "%s #%d: bb %.17g worse than glpk's feasible %.17g", what, it, a.loss, g.loss);
    } else if (g.status == HANT_SOLVER_INFEASIBLE) {
        HT_CHECK(a.status == HANT_SOLVER_INFEASIBLE, "%s #%d: glpk infeasible, bb %s", what, it, hant_solver_status_text(a.status));
    } else if (g.status == HANT_SOLVER_FEASIBLE && g.time_ms >= lim_ms) {
        /* GLPK stopped at the time limit holding a selection (a busy machine): bb's optimum is no worse */
        printf("  %s #%d: glpk stopped at the %g s time limit with a feasible selection; bb checked against it\n", what, it, cfg.time_limit);
        HT_CHECK(a.status == HANT_SOLVER_OPTIMAL && a.loss <= g.loss + 1e-6 * (1 + fabs(g.loss)), "%s #%d: bb %s %.17g, glpk's feasible %.17g",
                 what, it, hant_solver_status_text(a.status), a.loss, g.loss);
    } else HT_CHECK(0, "%s #%d: glpk %s", what, it, hant_solver_status_text(g.status));
    hant_solver_result_free(&a); hant_solver_result_free(&g);
    return ok;
}

static void test_glpk_medium(void) {
    ht_seed(10);
    for (int it = 0; it < 24; it++) {
        big_t b;
        big_make(&b, 8 + it % 12, 10 + 3 * (it % 9), 1 + (it / 3) % 3, it % 3, it % 4 == 3 ? 150 : 0);
        if (it == 5) b.B[0] = 1; /* infeasible */
        hant_solver_problem p = big_problem(&b);
        glpk_agrees(&p, "medium", it);
        big_free(&b);
        if (ht__case_failures) break;
    }
}

static void test_glpk_diverse(void) {
    ht_seed(11);
    for (int it = 0; it < 6; it++) {
        big_t b;
        big_make(&b, 8, 12, 1 + it % 2, it % 2, it % 3 == 0 ? 30 : 0);
        hant_solver_problem p = big_problem(&b);
        hant_solver_result a[4], g[4];
        int fa, fg;
        hant_solver_config cfg = {0};
        HT_CHECK(hant_solver_diverse(&p, &cfg, 4, 3, a, &fa) == 0, "rc");
        cfg.backend = HANT_SOLVER_BACKEND_GLPK;
        HT_CHECK(hant_solver_diverse(&p, &cfg, 4, 3, g, &fg) == 0, "rc");
        HT_CHECK(fa == fg, "#%d: found %d vs glpk %d", it, fa, fg);
        /* continuous data: no ties, so the sequences must agree */
        for (int i = 0; i < fa && i < fg; i++) HT_CHECK(fabs(a[i].loss - g[i].loss) <= 1e-6 * (1 + fabs(g[i].loss)), "#%d sol %d: %.17g vs glpk %.17g", it, i, a[i].loss, g[i].loss);
        for (int i = 0; i < 4; i++) { hant_solver_result_free(&a[i]); hant_solver_result_free(&g[i]); }
        big_free(&b);
    }
}
#endif

/* ---- files and API misuse ---- */
static int parse_err(const char *text, const char *want) {
    hant_solver_model m;
    int rc = hant_solver_parse(text, strlen(text), &m);
    int ok = rc == HANT_SOLVER_EPARSE && strstr(hant_solver_last_error(), want) != NULL;
    HT_CHECK(ok, "parse of %.40s: rc %d, message '%s', want '%s'", text, rc, hant_solver_last_error(), want);
    hant_solver_model_free(&m);
    return ok;
}

static void test_parse_hostile(void) {
    parse_err("0 0 1 2\n0 1 nan 3\n", "line 2: loss 'nan'");
    parse_err("0 0 1 2\n0 1 1 inf\n", "line 2: cost1 'inf'");
    parse_err("0 0 1 2\n# c\n0 1 1 -3\n", "line 3: cost1 is negative");
    parse_err("0 0 1 2\n2 0 1 3\n", "line 2: layer 2, but layer 1 has no items");
    parse_err("1 0 1 2\n", "line 1: layer 1, but layer 0 has no items");
    parse_err("0 0 1 2\n0 2 1 3\n", "line 2: layer 0 item 2, but item 1 is missing");
    parse_err("0 0 1 2\n0 0 1 3\n", "line 2: layer 0 item 0 already given on line 1");
    parse_err("0 0 1 2\n0 1 1 3 4\n", "line 2: 2 costs, but earlier lines have 1");
    parse_err("0 0 1\n", "line 1: expected");
    parse_err("0 0 x 1\n", "line 1: loss 'x'");
    parse_err("0 0 1 1e999\n", "line 1: cost1 '1e999'");
    parse_err("0 0 1 2abc\n", "line 1: cost1 '2abc'");
    parse_err("-1 0 1 2\n", "line 1: layer '-1'");
    parse_err("0 1.5 1 2\n", "line 1: item '1.5'");
    parse_err("0 0 1 2\n\n\n0 99999999999 1 2\n", "line 4: item");
    parse_err("# only a comment\n\n", "no items");
    parse_err("", "no items");
    parse_err("\x01\x02garbage\xff\n", "line 1:");
    parse_err("0 0 1 1 1 1 1 1 1 1 1 1 1\n", "line 1: 10 costs, at most 8");
    parse_err("0 0 1 1 1 1 1 1 1 1 1 1 1 1 1 1\n", "line 1: too many fields");
    parse_err("0 0 1 2\n1 0 1 2\npair 1 0 0 5\n", "line 3: pair layer 1 must be below");
    parse_err("0 0 1 2\n1 0 1 2\npair 0 0 3 5\n", "line 3: pair next item 3");
    parse_err("0 0 1 2\n1 0 1 2\npair 0 0 0 nan\n", "line 3: delta1 'nan'");
    {   /* an embedded NUL byte */
        const char t[] = "0 0 1 2\n0 1 1\0 3\n";
        hant_solver_model m;
        int rc = hant_solver_parse(t, sizeof t - 1, &m);
        HT_CHECK(rc == HANT_SOLVER_EPARSE && strstr(hant_solver_last_error(), "line 2"), "NUL: %d %s", rc, hant_solver_last_error());
    }
    hant_solver_model m;
    HT_CHECK(hant_solver_load("/nonexistent/x.txt", &m) == HANT_SOLVER_EIO && strstr(hant_solver_last_error(), "/nonexistent/x.txt"), "missing file: %s", hant_solver_last_error());
}

static void test_parse_good(void) {
    const char *t = "# layer item loss latency params\n"
                    "1 1 0.5 2 3   # out of order is fine\n"
                    "0 0 1.0 1 1\n0 1 0.25 4 1\n\t1 0 2 0.5 0.5\r\n"
                    "pair 0 1 1 -3 0\n";
    hant_solver_model m;
    HT_CHECK(hant_solver_parse(t, strlen(t), &m) == 0, "parse: %s", hant_solver_last_error());
    hant_solver_problem *p = &m.problem;
    HT_CHECK(p->num_layers == 2 && p->num_costs == 2 && p->num_items[0] == 2 && p->num_items[1] == 2, "shape");
    HT_CHECK(p->loss[1] == 0.25 && p->cost[3 * 2 + 1] == 3 && p->loss[2] == 2, "values");
    HT_CHECK(p->num_pairs == 2 && p->pairs[0].delta == -3, "pairs %d", p->num_pairs);
    m.budget[0] = 3; /* only 0->1 + pair (4 + 2 - 3 = 3) or (1 + 0.5) fit */
    hant_solver_result r;
    HT_CHECK(hant_solver_solve(p, NULL, &r) == 0 && r.status == HANT_SOLVER_OPTIMAL, "solve");
    HT_CHECK(r.item && r.item[0] == 1 && r.item[1] == 1 && r.loss == 0.75 && r.cost[0] == 3 && r.cost[1] == 4, "answer %d %d %g %g", r.item ? r.item[0] : -1, r.item ? r.item[1] : -1, r.loss, r.cost[0]);
    hant_solver_result_free(&r);
    hant_solver_model_free(&m);
}

static void test_api_errors(void) {
    int ni[2] = {2, 0};
    double lo[4] = {1, 2, 3, 4}, co[4] = {1, 2, 3, 4}, B = 5;
    hant_solver_problem p = {2, 1, ni, lo, co, &B, 0, NULL};
    hant_solver_result r;
    HT_CHECK(hant_solver_solve(&p, NULL, &r) == HANT_SOLVER_EINVAL && strstr(hant_solver_last_error(), "layer 1"), "empty layer: %s", hant_solver_last_error());
    ni[1] = 2; co[2] = -1;
    HT_CHECK(hant_solver_solve(&p, NULL, &r) == HANT_SOLVER_EINVAL && strstr(hant_solver_last_error(), "layer 1 item 0"), "negative cost: %s", hant_solver_last_error());
    co[2] = 3; lo[3] = NAN;
    HT_CHECK(hant_solver_solve(&p, NULL, &r) == HANT_SOLVER_EINVAL, "NaN loss");
    lo[3] = 4;
    hant_solver_pair bad = {1, 0, 0, 0, 1.0};
    p.num_pairs = 1; p.pairs = &bad;
    HT_CHECK(hant_solver_solve(&p, NULL, &r) == HANT_SOLVER_EINVAL && strstr(hant_solver_last_error(), "pair 0"), "pair on last layer");
    p.num_pairs = 0;
    hant_solver_config cfg = {0};
    cfg.backend = 7;
    HT_CHECK(hant_solver_solve(&p, &cfg, &r) == HANT_SOLVER_EINVAL, "bad backend");
    cfg.backend = HANT_SOLVER_BACKEND_GLPK;
    HT_CHECK(hant_solver_solve(&p, &cfg, &r) == (hant_solver_have_glpk() ? 0 : HANT_SOLVER_ENOGLPK), "glpk availability");
    hant_solver_result_free(&r);
    cfg.backend = 0; cfg.time_limit = -1;
    HT_CHECK(hant_solver_solve(&p, &cfg, &r) == HANT_SOLVER_EINVAL, "negative time limit");
    hant_solver_result r2[2];
    HT_CHECK(hant_solver_diverse(&p, NULL, 2, 0, r2, NULL) == HANT_SOLVER_EINVAL, "min_diff 0");
    int sel[2] = {0, 5};
    HT_CHECK(hant_solver_evaluate(&p, sel, NULL, NULL) == HANT_SOLVER_EINVAL, "evaluate out of range");
    sel[1] = 1;
    double l, c;
    HT_CHECK(hant_solver_evaluate(&p, sel, &l, &c) == 1 && l == 5 && c == 5, "evaluate");
    B = 4.5;
    HT_CHECK(hant_solver_evaluate(&p, sel, &l, &c) == 0, "evaluate over budget");
    HT_CHECK(!strcmp(hant_solver_status_text(HANT_SOLVER_OPTIMAL), "optimal") && !strcmp(hant_solver_status_text(HANT_SOLVER_EPARSE), "malformed problem file"), "status text");
}

/* A counting allocator: every block the solver takes comes back, and a
   result or model frees through the allocator that made it. */
typedef struct { long live, total; } count_alloc;
static void *ca_alloc(size_t n, void *user) { count_alloc *c = user; c->live++; c->total++; return malloc(n); }
static void ca_free(void *p, void *user) { count_alloc *c = user; c->live--; free(p); }

static void test_allocator(void) {
    count_alloc ca = { 0, 0 };
    hant_solver_allocator al = { ca_alloc, ca_free, &ca };
    hant_solver_config cfg = {0};
    cfg.alloc = al;
    const char *t = "0 0 1.0 1\n0 1 0.25 4\n1 0 2 0.5\n1 1 0.5 2\npair 0 1 1 -3\n";
    hant_solver_model m;
    HT_CHECK(hant_solver_parse_with(t, strlen(t), &al, &m) == HANT_SOLVER_OK, "parse: %s", hant_solver_last_error());
    HT_CHECK(ca.live == 5 && m.alloc.user == &ca, "model blocks through the allocator: %ld", ca.live);
    m.budget[0] = 3;
    hant_solver_result r, rp[3], rd[2];
    long before = ca.total;
    HT_CHECK(hant_solver_solve(&m.problem, &cfg, &r) == HANT_SOLVER_OK && r.status == HANT_SOLVER_OPTIMAL, "solve: %s", hant_solver_last_error());
    HT_CHECK(ca.total > before && ca.live == 6 && r.item, "solve allocates through cfg.alloc, keeps only the result (live %ld)", ca.live);
    double bud[3] = { 3, 1.5, 10 };
    HT_CHECK(hant_solver_pareto(&m.problem, &cfg, bud, 3, rp) == HANT_SOLVER_OK, "pareto: %s", hant_solver_last_error());
    int found = 0;
    HT_CHECK(hant_solver_diverse(&m.problem, &cfg, 2, 1, rd, &found) == HANT_SOLVER_OK && found == 2, "diverse: %s", hant_solver_last_error());
    HT_CHECK(ca.live == 6 + 3 + 2, "one live block per result: %ld", ca.live);
    hant_solver_result_free(&r);
    for (int i = 0; i < 3; i++) hant_solver_result_free(&rp[i]);
    for (int i = 0; i < 2; i++) hant_solver_result_free(&rd[i]);
    hant_solver_model_free(&m);
    HT_CHECK(ca.live == 0, "%ld blocks leaked or freed elsewhere", ca.live);
    /* an error path frees through it too */
    HT_CHECK(hant_solver_parse_with("0 0 1\n0 1 1 2\nx", 17, &al, &m) == HANT_SOLVER_EPARSE && ca.live == 0, "bad parse: live %ld", ca.live);
    /* half an allocator is a programmer error, named */
    cfg.alloc.free = NULL;
    hant_solver_problem p1 = { 1, 1, (int[]){1}, (double[]){1}, (double[]){1}, (double[]){2}, 0, NULL };
    HT_CHECK(hant_solver_solve(&p1, &cfg, &r) == HANT_SOLVER_EINVAL && strstr(hant_solver_last_error(), "alloc"), "half allocator: %s", hant_solver_last_error());
    HT_CHECK(hant_solver_parse_with(t, strlen(t), &cfg.alloc, &m) == HANT_SOLVER_EINVAL && m.num_items == NULL, "half allocator parse");
    /* zero allocator: malloc, as before */
    cfg.alloc.alloc = NULL;
    HT_CHECK(hant_solver_solve(&p1, &cfg, &r) == HANT_SOLVER_OK && r.item && r.item[0] == 0, "malloc default");
    hant_solver_result_free(&r);
    HT_CHECK(ca.live == 0 && !strcmp(hant_solver_status_string(HANT_SOLVER_ENOMEM), "out of memory"), "status string");
    cfg.beam_width = -2;
    HT_CHECK(hant_solver_solve(&p1, &cfg, &r) == HANT_SOLVER_EINVAL && strstr(hant_solver_last_error(), "beam_width -2"), "names the field: %s", hant_solver_last_error());
}

#ifndef HANT_SOLVER_GLPK
static void test_glpk_cross_check(void) { HT_SKIP("built without GLPK (run: sudo apt-get install -y libglpk-dev && make clean test)"); }
#endif

int main(int argc, char **argv) {
    HT_INIT(argc, argv);
    HT_RUN(test_enum_one_cost);
    HT_RUN(test_enum_strongly_correlated);
    HT_RUN(test_enum_several_costs);
    HT_RUN(test_enum_pairs);
    HT_RUN(test_float_edges);
    HT_RUN(test_infeasible_min_budget);
    HT_RUN(test_diverse_vs_enum);
    HT_RUN(test_pareto_matches_single);
    HT_RUN(test_limits_give_valid_gap);
#ifdef HANT_SOLVER_GLPK
    HT_RUN(test_glpk_medium);
    HT_RUN(test_glpk_diverse);
#else
    HT_RUN(test_glpk_cross_check);
#endif
    HT_RUN(test_parse_hostile);
    HT_RUN(test_parse_good);
    HT_RUN(test_api_errors);
    HT_RUN(test_allocator);
    return HT_SUMMARY();
}
