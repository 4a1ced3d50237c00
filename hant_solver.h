/* hant_solver.h - exact multiple-choice knapsack (MCKP) solver for HANT phase 2.

   Picks exactly one item (candidate operation) per group (layer) so that the
   summed loss is minimal while every summed cost (latency first, then e.g.
   parameters or memory) stays within its budget. The answer is proven: the
   solver reports a lower bound, and "optimal" means nothing better exists.
   Standalone: C11 and libc/libm only; does not need hant.h.

   USAGE
     In exactly one C file:
         #define HANT_SOLVER_IMPLEMENTATION
         #include "hant_solver.h"
     Build: cc -std=c11 -O2 app.c -lm        (add -DHANT_SOLVER_GLPK ... -lglpk
                                              for the GLPK backend)

   OPTIONS (define before including the implementation)
     HANT_SOLVER_GLPK          compile the GLPK backend (needs glpk.h, -lglpk)
     HANT_SOLVER_MALLOC(sz)    compile-time allocator, default malloc; HANT_SOLVER_FREE(p).
                               At run time, hant_solver_config.alloc overrides both.
     HANT_SOLVER_MAX_COSTS     cost dimensions supported (default 8)
     HANT_SOLVER_TRACE         print per-round search statistics to stderr

   QUICK REFERENCE
     hant_solver_solve(&prob, &cfg, &res)          one optimal selection
     hant_solver_pareto(&prob, &cfg, budgets, n, res)  loss-latency frontier
     hant_solver_diverse(&prob, &cfg, k, m, res, &found) k best, pairwise >= m apart
     hant_solver_evaluate(&prob, items, &loss, costs)  exact sums + feasibility
     hant_solver_result_free(&res)
     hant_solver_parse(text, len, &model) / hant_solver_load(path, &model)
     hant_solver_model_free(&model)
     hant_solver_status_string(st), hant_solver_status_text(code|res.status),
     hant_solver_last_error()

   CONVENTIONS
     Functions return hant_solver_status: HANT_SOLVER_OK (0) or a negative error code, and leave a
     message naming the line, field or argument at fault in
     hant_solver_last_error(). The outcome of a solve (optimal, feasible,
     infeasible, unknown) is res.status, not the return code. Zero-initialised
     hant_solver_config gives the defaults: exact branch-and-bound backend, no
     time or node limit, malloc/free. Never exits or aborts on bad input.
     Private names start hant_solver__ (HANT_SOLVER__), so this file and hant.h
     can be implemented in one translation unit.

   FLOATING POINT POLICY (see docs/SOLVER.md)
     The reported loss and costs are the plain double sums, layer 0 first, of
     the chosen items (each layer: item cost, then the pair delta to the next
     layer's item). A solution is feasible iff every such cost sum <= budget,
     compared exactly. Pruning inside the search uses budgets enlarged and
     bounds lowered by 16*(L+8)*DBL_EPSILON times the data magnitude, so float
     rounding can never prune the optimum; only the final exact check decides.

   IMPLEMENTATION SECTIONS (grep for them)
     >>util >>inst >>hull >>lagrange >>dp >>bb >>pareto >>diverse >>glpk >>parse >>api

   LICENSE: MIT, same as hant.h.
*/
#ifndef HANT_SOLVER_H
#define HANT_SOLVER_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef HANT_SOLVER_MAX_COSTS
#define HANT_SOLVER_MAX_COSTS 8
#endif

/* Return codes. */
typedef enum hant_solver_status {
    HANT_SOLVER_OK = 0,
    HANT_SOLVER_EINVAL = -1,   /* bad problem, config or argument */
    HANT_SOLVER_ENOMEM = -2,
    HANT_SOLVER_EPARSE = -3,   /* malformed problem file */
    HANT_SOLVER_EIO = -4,      /* file cannot be read */
    HANT_SOLVER_ENOGLPK = -5   /* GLPK backend requested but not compiled in */
} hant_solver_status;

/* Outcome of a solve (hant_solver_result.status). */
enum {
    HANT_SOLVER_OPTIMAL = 1,    /* proven optimal: loss - bound within the float margin */
    HANT_SOLVER_FEASIBLE = 2,   /* a limit stopped the search: valid solution, bound < loss */
    HANT_SOLVER_INFEASIBLE = 3, /* proven: no selection meets the budgets; see min_budget */
    HANT_SOLVER_UNKNOWN = 4     /* a limit stopped the search before any feasible selection */
};

enum { HANT_SOLVER_BACKEND_BB = 0, HANT_SOLVER_BACKEND_GLPK = 1 };

/* A cost correction applied when layer `layer` picks `item` and layer+1 picks
   `next`: cost[dim] += delta (e.g. negative latency when two blocks fuse).
   Several entries for the same triple add up. */
typedef struct { int layer, item, next, dim; double delta; } hant_solver_pair;

typedef struct {
    int num_layers;              /* L >= 1 groups */
    int num_costs;               /* D, 1..HANT_SOLVER_MAX_COSTS; cost 0 is latency */
    const int *num_items;        /* [L] items per layer, each >= 1 */
    const double *loss;          /* [sum num_items] layer-major, finite */
    const double *cost;          /* [sum num_items * D] item-major, finite, >= 0 */
    const double *budget;        /* [D]; +INFINITY means unconstrained */
    int num_pairs;               /* optional chain corrections */
    const hant_solver_pair *pairs;
} hant_solver_problem;

/* Run-time allocator; all zero: HANT_SOLVER_MALLOC / HANT_SOLVER_FREE (malloc/free). */
typedef struct hant_solver_allocator {
    void *(*alloc)(size_t size, void *user);
    void (*free)(void *ptr, void *user);
    void *user;
} hant_solver_allocator;

typedef struct {
    double time_limit;           /* seconds of wall time; 0: none */
    long long node_limit;        /* states generated by the exact search; 0: none (the
                                    beam heuristic, ~beam x items states, runs regardless) */
    int backend;                 /* HANT_SOLVER_BACKEND_BB (default) or _GLPK */
    double rel_gap;              /* accepted relative gap (loss-bound)/|loss|; 0: exact */
    int beam_width;              /* width of the incumbent heuristic; 0: 16 */
    hant_solver_allocator alloc; /* every allocation of the call, results included; zero: malloc */
} hant_solver_config;

typedef struct {
    int status;                  /* HANT_SOLVER_OPTIMAL .. _UNKNOWN */
    int num_layers, num_costs;
    int *item;                   /* [L] chosen item per layer; NULL when none */
    double loss;                 /* exact sum (see policy); +INF when none */
    double cost[HANT_SOLVER_MAX_COSTS];
    double bound;                /* proven lower bound on the optimum */
    double min_budget[HANT_SOLVER_MAX_COSTS]; /* per cost: smallest sum any selection reaches */
    long long nodes;             /* search states generated (GLPK: B&B nodes) */
    double time_ms;
    hant_solver_allocator alloc; /* set by the solve: what hant_solver_result_free uses */
} hant_solver_result;

/* A problem read from a file; `problem` points into the arrays owned here. */
typedef struct {
    hant_solver_problem problem;
    int *num_items;
    double *loss, *cost, *budget;
    hant_solver_pair *pairs;
    hant_solver_allocator alloc; /* set by the parse: what hant_solver_model_free uses */
} hant_solver_model;

hant_solver_status hant_solver_solve(const hant_solver_problem *p, const hant_solver_config *cfg, hant_solver_result *res);
/* Solves for each budgets[i] on cost 0 (the other budgets as in p). Any order;
   work is shared: preprocessing once, each optimum warm-starts the next larger budget. */
hant_solver_status hant_solver_pareto(const hant_solver_problem *p, const hant_solver_config *cfg,
                       const double *budgets, int n, hant_solver_result *res);
/* res[0] is the optimum; res[i] is the best selection that differs from each of
   res[0..i-1] in at least min_diff layers. *found is how many exist (<= k). */
hant_solver_status hant_solver_diverse(const hant_solver_problem *p, const hant_solver_config *cfg, int k, int min_diff,
                        hant_solver_result *res, int *found);
/* Exact sums of a selection as defined by the policy; returns 1 if within
   every budget, 0 if not, negative on a bad selection. cost may be NULL. */
int hant_solver_evaluate(const hant_solver_problem *p, const int *item, double *loss, double *cost);
void hant_solver_result_free(hant_solver_result *res);

/* Text format: lines "layer item loss cost1 [cost2 ...]" and optionally
   "pair layer item next delta1 [delta2 ...]"; '#' starts a comment. Budgets
   are set to +INFINITY (set model.budget[d] yourself). */
hant_solver_status hant_solver_parse(const char *text, size_t len, hant_solver_model *model);
hant_solver_status hant_solver_load(const char *path, hant_solver_model *model);
/* The same with a run-time allocator (NULL: malloc), kept in model->alloc. */
hant_solver_status hant_solver_parse_with(const char *text, size_t len, const hant_solver_allocator *alloc, hant_solver_model *model);
hant_solver_status hant_solver_load_with(const char *path, const hant_solver_allocator *alloc, hant_solver_model *model);
void hant_solver_model_free(hant_solver_model *model);

/* Names a return code; hant_solver_status_text also names res.status outcomes. */
const char *hant_solver_status_string(hant_solver_status status);
const char *hant_solver_status_text(int code);
const char *hant_solver_last_error(void);
int hant_solver_have_glpk(void);

#ifdef __cplusplus
}
#endif
#endif /* HANT_SOLVER_H */

/* ========================================================================= */
#ifdef HANT_SOLVER_IMPLEMENTATION
#ifndef HANT_SOLVER_IMPLEMENTED
#define HANT_SOLVER_IMPLEMENTED

#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <stdarg.h>
#include <math.h>
#include <float.h>
#include <time.h>
#include <errno.h>
#include <limits.h>
#ifdef HANT_SOLVER_GLPK
#include <glpk.h>
#endif

#ifndef HANT_SOLVER_MALLOC
#define HANT_SOLVER_MALLOC(sz) malloc(sz)
#define HANT_SOLVER_FREE(p) free(p)
#endif

// >>util ---------------------------------------------------------------------

static _Thread_local char hant_solver__err[512];

const char *hant_solver_last_error(void) { return hant_solver__err; }

static int hant_solver__serr(int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(hant_solver__err, sizeof hant_solver__err, fmt, ap);
    va_end(ap);
    return code;
}

const char *hant_solver_status_string(hant_solver_status status) { return hant_solver_status_text((int)status); }

const char *hant_solver_status_text(int code) {
    switch (code) {
    case HANT_SOLVER_OK: return "ok";
    case HANT_SOLVER_EINVAL: return "invalid argument";
    case HANT_SOLVER_ENOMEM: return "out of memory";
    case HANT_SOLVER_EPARSE: return "malformed problem file";
    case HANT_SOLVER_EIO: return "cannot read file";
    case HANT_SOLVER_ENOGLPK: return "GLPK backend not compiled in";
    case HANT_SOLVER_OPTIMAL: return "optimal";
    case HANT_SOLVER_FEASIBLE: return "feasible";
    case HANT_SOLVER_INFEASIBLE: return "infeasible";
    case HANT_SOLVER_UNKNOWN: return "unknown";
    default: return "unknown code";
    }
}

int hant_solver_have_glpk(void) {
#ifdef HANT_SOLVER_GLPK
    return 1;
#else
    return 0;
#endif
}

/* The allocator of the public call running on this thread (zero: the
   compile-time one); the public entry points set it from the config. */
static _Thread_local hant_solver_allocator hant_solver__cur;

static void *hant_solver__salloc(size_t n, size_t size) {
    if (size && n > (size_t)-1 / 2 / size) return NULL;
    size_t bytes = (n && size) ? n * size : 1;
    return hant_solver__cur.alloc ? hant_solver__cur.alloc(bytes, hant_solver__cur.user) : HANT_SOLVER_MALLOC(bytes);
}
static void hant_solver__sfree(void *p) {
    if (!p) return;
    if (hant_solver__cur.free) hant_solver__cur.free(p, hant_solver__cur.user);
    else HANT_SOLVER_FREE(p);
}
/* Frees p with `al` when set, else with the current allocator. */
static void hant_solver__sfree_with(const hant_solver_allocator *al, void *p) {
    if (!al->alloc && !al->free) { hant_solver__sfree(p); return; }
    hant_solver_allocator saved = hant_solver__cur;
    hant_solver__cur = *al;
    hant_solver__sfree(p);
    hant_solver__cur = saved;
}
static hant_solver_allocator hant_solver__alloc_pick(const hant_solver_allocator *al) {
    hant_solver_allocator z = { 0, 0, 0 };
    return al && al->alloc && al->free ? *al : z;
}
/* Grows *p to hold at least need elements of size bytes. */
static int hant_solver__sgrow(void **p, int *cap, int need, size_t size) {
    if (need <= *cap) return 0;
    int nc = *cap ? *cap : 64;
    while (nc < need) { if (nc > INT_MAX / 2) return -1; nc *= 2; }
    void *q = hant_solver__salloc((size_t)nc, size);
    if (!q) return -1;
    if (*p) { memcpy(q, *p, (size_t)*cap * size); hant_solver__sfree(*p); }
    *p = q;
    *cap = nc;
    return 0;
}

static double hant_solver__now_ms(void) {
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

void hant_solver_result_free(hant_solver_result *res) {
    if (!res) return;
    hant_solver__sfree_with(&res->alloc, res->item);
    res->item = NULL;
}

// >>inst ---------------------------------------------------------------------
/* The validated problem with derived data shared by every solve: offsets,
   pair corrections in CSR form per item, and per-item minimal outgoing delta
   (used to lower-bound chain costs). */
typedef struct {
    int L, D, N;
    int *off;                 /* [L+1] global index of layer's first item */
    const double *loss, *cost;
    double B[HANT_SOLVER_MAX_COSTS];
    int npair;                /* merged (layer,item,next) triples */
    int *po;                  /* [N+1] CSR by global item: outgoing triples */
    int *pnext;               /* [npair] next item (local index in layer+1) */
    double *pdel;             /* [npair*D] */
    double *minout;           /* [N*D] min(0, min outgoing delta); NULL without pairs */
    unsigned char *haspair;   /* [N] item takes part in a pair (no dominance then) */
    double cscale[HANT_SOLVER_MAX_COSTS]; /* sum over layers of max |cost| + |delta| */
    double lscale;            /* sum over layers of max |loss| */
    double minb[HANT_SOLVER_MAX_COSTS];   /* exact smallest reachable sum per cost */
} hant_solver__inst;

static void hant_solver__inst_free(hant_solver__inst *in) {
    hant_solver__sfree(in->off); hant_solver__sfree(in->po); hant_solver__sfree(in->pnext); hant_solver__sfree(in->pdel);
    hant_solver__sfree(in->minout); hant_solver__sfree(in->haspair);
    memset(in, 0, sizeof *in);
}

static int hant_solver__pair_cmp(const void *a, const void *b) {
    const hant_solver_pair *x = a, *y = b;
    if (x->layer != y->layer) return x->layer < y->layer ? -1 : 1;
    if (x->item != y->item) return x->item < y->item ? -1 : 1;
    if (x->next != y->next) return x->next < y->next ? -1 : 1;
    return 0;
}

/* Delta vector of the (layer k item i) -> (layer k+1 item j) transition, or NULL. */
static const double *hant_solver__delta(const hant_solver__inst *in, int k, int i, int j) {
    if (!in->po || k + 1 >= in->L) return NULL;
    int g = in->off[k] + i, lo = in->po[g], hi = in->po[g + 1];
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (in->pnext[mid] < j) lo = mid + 1; else hi = mid;
    }
    return lo < in->po[g + 1] && in->pnext[lo] == j ? in->pdel + (size_t)lo * in->D : NULL;
}

/* The policy's exact sums: layer by layer, item cost then the pair delta. */
static int hant_solver__eval(const hant_solver__inst *in, const int *item, double *loss, double *cost) {
    double l = 0, c[HANT_SOLVER_MAX_COSTS] = {0};
    for (int k = 0; k < in->L; k++) {
        int g = in->off[k] + item[k];
        l += in->loss[g];
        for (int d = 0; d < in->D; d++) c[d] += in->cost[(size_t)g * in->D + d];
        if (k + 1 < in->L) {
            const double *dl = hant_solver__delta(in, k, item[k], item[k + 1]);
            if (dl) for (int d = 0; d < in->D; d++) c[d] += dl[d];
        }
    }
    int ok = 1;
    for (int d = 0; d < in->D; d++) { if (!(c[d] <= in->B[d])) ok = 0; if (cost) cost[d] = c[d]; }
    if (loss) *loss = l;
    return ok;
}

/* Smallest reachable sum of cost d: a shortest path along the chain (pair
   deltas are the only coupling), then the exact sum of that selection. */
static int hant_solver__min_budget(hant_solver__inst *in, int d, int *sel) {
    int L = in->L, maxn = 0;
    for (int k = 0; k < L; k++) if (in->off[k + 1] - in->off[k] > maxn) maxn = in->off[k + 1] - in->off[k];
    double *best = hant_solver__salloc((size_t)in->N, sizeof *best);
    int *from = hant_solver__salloc((size_t)in->N, sizeof *from);
    if (!best || !from) { hant_solver__sfree(best); hant_solver__sfree(from); return -1; }
    for (int k = 0; k < L; k++) {
        int n = in->off[k + 1] - in->off[k];
        double pm = 0; int pa = -1;
        if (k > 0) { /* unlisted transitions cost 0: best predecessor overall */
            for (int i = in->off[k - 1]; i < in->off[k]; i++) if (pa < 0 || best[i] < pm) { pm = best[i]; pa = i - in->off[k - 1]; }
        }
        for (int j = 0; j < n; j++) {
            double bv = pm; int ba = pa;
            if (k > 0 && in->po) { /* every predecessor, with its delta to j */
                bv = INFINITY;
                for (int i = 0; i < in->off[k] - in->off[k - 1]; i++) {
                    const double *dl = hant_solver__delta(in, k - 1, i, j);
                    double v = best[in->off[k - 1] + i] + (dl ? dl[d] : 0);
                    if (v < bv) { bv = v; ba = i; }
                }
            }
            best[in->off[k] + j] = bv + in->cost[(size_t)(in->off[k] + j) * in->D + d];
            from[in->off[k] + j] = ba;
        }
    }
    int a = 0;
    for (int j = 1; j < in->off[L] - in->off[L - 1]; j++) if (best[in->off[L - 1] + j] < best[in->off[L - 1] + a]) a = j;
    for (int k = L - 1; k >= 0; k--) { sel[k] = a; a = from[in->off[k] + a]; }
    double c[HANT_SOLVER_MAX_COSTS];
    hant_solver__eval(in, sel, NULL, c);
    in->minb[d] = c[d];
    hant_solver__sfree(best); hant_solver__sfree(from);
    (void)maxn;
    return 0;
}

static int hant_solver__inst_init(hant_solver__inst *in, const hant_solver_problem *p) {
    memset(in, 0, sizeof *in);
    if (!p) return hant_solver__serr(HANT_SOLVER_EINVAL, "problem is NULL");
    if (p->num_layers < 1) return hant_solver__serr(HANT_SOLVER_EINVAL, "num_layers is %d, need >= 1", p->num_layers);
    if (p->num_costs < 1 || p->num_costs > HANT_SOLVER_MAX_COSTS)
        return hant_solver__serr(HANT_SOLVER_EINVAL, "num_costs is %d, need 1..%d", p->num_costs, HANT_SOLVER_MAX_COSTS);
    if (!p->num_items || !p->loss || !p->cost || !p->budget) return hant_solver__serr(HANT_SOLVER_EINVAL, "num_items, loss, cost and budget must be set");
    int L = p->num_layers, D = p->num_costs;
    in->L = L; in->D = D; in->loss = p->loss; in->cost = p->cost;
    in->off = hant_solver__salloc((size_t)L + 1, sizeof *in->off);
    if (!in->off) return hant_solver__serr(HANT_SOLVER_ENOMEM, "out of memory");
    in->off[0] = 0;
    for (int k = 0; k < L; k++) {
        if (p->num_items[k] < 1) { hant_solver__inst_free(in); return hant_solver__serr(HANT_SOLVER_EINVAL, "layer %d has %d items, need >= 1", k, p->num_items[k]); }
        if (in->off[k] > INT_MAX / 2 - p->num_items[k]) { hant_solver__inst_free(in); return hant_solver__serr(HANT_SOLVER_EINVAL, "too many items"); }
        in->off[k + 1] = in->off[k] + p->num_items[k];
    }
    in->N = in->off[L];
    for (int d = 0; d < D; d++) {
        if (isnan(p->budget[d])) { hant_solver__inst_free(in); return hant_solver__serr(HANT_SOLVER_EINVAL, "budget[%d] is NaN", d); }
        in->B[d] = p->budget[d];
    }
    for (int k = 0; k < L; k++) {
        double ml = 0, mc[HANT_SOLVER_MAX_COSTS] = {0};
        for (int g = in->off[k]; g < in->off[k + 1]; g++) {
            if (!isfinite(p->loss[g])) { int e = hant_solver__serr(HANT_SOLVER_EINVAL, "layer %d item %d: loss is not finite", k, g - in->off[k]); hant_solver__inst_free(in); return e; }
            if (fabs(p->loss[g]) > ml) ml = fabs(p->loss[g]);
            for (int d = 0; d < D; d++) {
                double c = p->cost[(size_t)g * D + d];
                if (!isfinite(c) || c < 0) { int e = hant_solver__serr(HANT_SOLVER_EINVAL, "layer %d item %d: cost %d is %g, need finite >= 0", k, g - in->off[k], d, c); hant_solver__inst_free(in); return e; }
                if (c > mc[d]) mc[d] = c;
            }
        }
        in->lscale += ml;
        for (int d = 0; d < D; d++) in->cscale[d] += mc[d];
    }
    if (p->num_pairs < 0 || (p->num_pairs > 0 && !p->pairs)) { hant_solver__inst_free(in); return hant_solver__serr(HANT_SOLVER_EINVAL, "num_pairs %d without pairs", p->num_pairs); }
    if (p->num_pairs > 0) {
        int np = p->num_pairs, N = in->N;
        for (int q = 0; q < np; q++) {
            const hant_solver_pair *e = &p->pairs[q];
            if (e->layer < 0 || e->layer >= L - 1 || e->item < 0 || e->item >= p->num_items[e->layer] ||
                e->next < 0 || e->next >= p->num_items[e->layer + 1] || e->dim < 0 || e->dim >= D || !isfinite(e->delta)) {
                hant_solver__inst_free(in);
                return hant_solver__serr(HANT_SOLVER_EINVAL, "pair %d (layer %d item %d next %d dim %d delta %g) is out of range", q, e->layer, e->item, e->next, e->dim, e->delta);
            }
        }
        hant_solver_pair *s = hant_solver__salloc((size_t)np, sizeof *s);
        in->po = hant_solver__salloc((size_t)N + 1, sizeof *in->po);
        in->pnext = hant_solver__salloc((size_t)np, sizeof *in->pnext);
        in->pdel = hant_solver__salloc((size_t)np * D, sizeof *in->pdel);
        in->minout = hant_solver__salloc((size_t)N * D, sizeof *in->minout);
        in->haspair = hant_solver__salloc((size_t)N, 1);
        if (!s || !in->po || !in->pnext || !in->pdel || !in->minout || !in->haspair) { hant_solver__sfree(s); hant_solver__inst_free(in); return hant_solver__serr(HANT_SOLVER_ENOMEM, "out of memory"); }
        memcpy(s, p->pairs, (size_t)np * sizeof *s);
        qsort(s, (size_t)np, sizeof *s, hant_solver__pair_cmp);
        memset(in->po, 0, ((size_t)N + 1) * sizeof *in->po);
        memset(in->haspair, 0, (size_t)N);
        int m = 0;
        for (int q = 0; q < np; q++) {
            if (!(m > 0 && q > 0 && !hant_solver__pair_cmp(&s[q], &s[q - 1]))) {
                in->pnext[m] = s[q].next;
                for (int d = 0; d < D; d++) in->pdel[(size_t)m * D + d] = 0;
                in->po[in->off[s[q].layer] + s[q].item + 1]++;
                m++;
            }
            in->pdel[(size_t)(m - 1) * D + s[q].dim] += s[q].delta;
            in->haspair[in->off[s[q].layer] + s[q].item] = 1;
            in->haspair[in->off[s[q].layer + 1] + s[q].next] = 1;
        }
        in->npair = m;
        for (int g = 0; g < N; g++) in->po[g + 1] += in->po[g];
        for (int g = 0; g < N * D; g++) in->minout[g] = 0;
        double md[HANT_SOLVER_MAX_COSTS] = {0};
        for (int g = 0; g < N; g++)
            for (int q = in->po[g]; q < in->po[g + 1]; q++)
                for (int d = 0; d < D; d++) {
                    double v = in->pdel[(size_t)q * D + d];
                    if (!isfinite(v)) { hant_solver__sfree(s); hant_solver__inst_free(in); return hant_solver__serr(HANT_SOLVER_EINVAL, "pair deltas overflow"); }
                    if (v < in->minout[(size_t)g * D + d]) in->minout[(size_t)g * D + d] = v;
                    if (fabs(v) > md[d]) md[d] = fabs(v);
                }
        for (int d = 0; d < D; d++) in->cscale[d] += md[d] * (L - 1);
        hant_solver__sfree(s);
    }
    int *sel = hant_solver__salloc((size_t)L, sizeof *sel);
    if (!sel) { hant_solver__inst_free(in); return hant_solver__serr(HANT_SOLVER_ENOMEM, "out of memory"); }
    for (int d = 0; d < D; d++)
        if (hant_solver__min_budget(in, d, sel)) { hant_solver__sfree(sel); hant_solver__inst_free(in); return hant_solver__serr(HANT_SOLVER_ENOMEM, "out of memory"); }
    hant_solver__sfree(sel);
    return 0;
}

static int hant_solver__evaluate(const hant_solver_problem *p, const int *item, double *loss, double *cost) {
    hant_solver__inst in;
    int rc = hant_solver__inst_init(&in, p);
    if (rc) return rc;
    if (!item) { hant_solver__inst_free(&in); return hant_solver__serr(HANT_SOLVER_EINVAL, "item is NULL"); }
    for (int k = 0; k < in.L; k++)
        if (item[k] < 0 || item[k] >= in.off[k + 1] - in.off[k]) {
            hant_solver__inst_free(&in);
            return hant_solver__serr(HANT_SOLVER_EINVAL, "layer %d: item %d out of range", k, item[k]);
        }
    rc = hant_solver__eval(&in, item, loss, cost);
    hant_solver__inst_free(&in);
    return rc;
}

// >>hull ---------------------------------------------------------------------
/* Per solve: the items still in play, Lagrangian multipliers and the LP
   relaxation of every suffix of layers as a table of hull edges sorted by
   efficiency (loss saved per unit of cost 0), so that the LP bound of
   "layers k..L-1 within budget x" is one binary search (Sinha-Zoltners). */
typedef struct {
    const hant_solver__inst *in;
    int L, D;
    int *base, *base_off;     /* items left after dominance, per layer (local indices) */
    int *act, *act_off;       /* items in play this round (subset of base) */
    double mu[HANT_SOLVER_MAX_COSTS]; /* multipliers of costs 1..D-1 (mu[0] unused) */
    double lam0;              /* LP multiplier of cost 0 */
    double Bt[HANT_SOLVER_MAX_COSTS]; /* budgets enlarged by ctol: the search's relaxed budgets */
    double ctol[HANT_SOLVER_MAX_COSTS], margin;
    double *lpl, *lpc;        /* [N] Lagrangian loss and cost-0 lower bound per item */
    int *tmpi, *tmpi2;        /* [N] scratch */
    int *e_off;               /* [L+1] hull edges of layer k: e_off[k]..e_off[k+1]-1 */
    int *e_from, *e_to;       /* [N] global items at both ends */
    double *e_eff;            /* [N] */
    int *h_start;             /* [L] global item at the hull start (least cost 0) */
    double *base_c, *base_l;  /* [L+1] suffix sums over hull starts */
    double *sufmin;           /* [(L+1)*D] suffix sums of least cost per dimension */
    size_t *t_off; int *t_len;/* [L+1] suffix tables */
    int *t_id; double *t_cc, *t_cr; size_t t_cap;
    double lb_lag;            /* Lagrangian bound with (lam0, mu) over base items */
    double *fixb;             /* [N] Lagrangian bound of selections containing the item */
    int *sel;                 /* [L] scratch selection */
    /* limits */
    double t0, tlim; long long nodes, nlim; int stopped, in_beam; /* the beam ignores the node limit */
} hant_solver__work;

static void hant_solver__work_free(hant_solver__work *w) {
    hant_solver__sfree(w->base); hant_solver__sfree(w->base_off); hant_solver__sfree(w->act); hant_solver__sfree(w->act_off);
    hant_solver__sfree(w->lpl); hant_solver__sfree(w->lpc); hant_solver__sfree(w->tmpi); hant_solver__sfree(w->tmpi2);
    hant_solver__sfree(w->e_off); hant_solver__sfree(w->e_from); hant_solver__sfree(w->e_to); hant_solver__sfree(w->e_eff);
    hant_solver__sfree(w->h_start); hant_solver__sfree(w->base_c); hant_solver__sfree(w->base_l); hant_solver__sfree(w->sufmin);
    hant_solver__sfree(w->fixb); hant_solver__sfree(w->sel); hant_solver__sfree(w->t_off); hant_solver__sfree(w->t_len); hant_solver__sfree(w->t_id); hant_solver__sfree(w->t_cc); hant_solver__sfree(w->t_cr);
    memset(w, 0, sizeof *w);
}

/* Stable merge sort of idx[0..n) by (k1, k2) ascending, or by k1 descending if desc. */
static void hant_solver__sort_keys(int *idx, int *tmp, int n, const double *k1, const double *k2, int desc) {
    int *a = idx, *b = tmp;
    for (int wd = 1; wd < n; wd *= 2) {
        for (int lo = 0; lo < n; lo += 2 * wd) {
            int mid = lo + wd < n ? lo + wd : n, hi = lo + 2 * wd < n ? lo + 2 * wd : n, i = lo, j = mid, o = lo;
            while (i < mid && j < hi) {
                double x = k1[a[i]], y = k1[a[j]];
                int takej = desc ? y > x : (y < x || (y == x && k2 && k2[a[j]] < k2[a[i]]));
                b[o++] = takej ? a[j++] : a[i++];
            }
            while (i < mid) b[o++] = a[i++];
            while (j < hi) b[o++] = a[j++];
        }
        int *t = a; a = b; b = t;
    }
    if (a != idx) memcpy(idx, a, (size_t)n * sizeof *idx);
}

/* Lagrangian loss and cost-0 lower bound per item for the current mu. */
static void hant_solver__lagr_items(hant_solver__work *w) {
    const hant_solver__inst *in = w->in;
    int D = w->D;
    for (int g = 0; g < in->N; g++) {
        double l = in->loss[g];
        for (int d = 1; d < D; d++)
            if (w->mu[d] > 0) l += w->mu[d] * (in->cost[(size_t)g * D + d] + (in->minout ? in->minout[(size_t)g * D + d] : 0));
        w->lpl[g] = l;
        w->lpc[g] = in->cost[(size_t)g * D] + (in->minout ? in->minout[(size_t)g * D] : 0);
    }
}

/* Lower convex hull of each layer's items in play in the (lpc, lpl) plane. */
static void hant_solver__hulls(hant_solver__work *w) {
    const hant_solver__inst *in = w->in;
    int ne = 0;
    for (int k = 0; k < w->L; k++) {
        int n = w->act_off[k + 1] - w->act_off[k], *ix = w->tmpi;
        for (int i = 0; i < n; i++) ix[i] = in->off[k] + w->act[w->act_off[k] + i];
        hant_solver__sort_keys(ix, w->tmpi2, n, w->lpc, w->lpl, 0);
        int *h = w->tmpi2, m = 0; /* tmpi2 is free again after the sort */
        for (int i = 0; i < n; i++) {
            int c = ix[i];
            if (m && !(w->lpl[c] < w->lpl[h[m - 1]])) continue; /* costs more, saves nothing */
            while (m >= 2) {
                int a = h[m - 2], b = h[m - 1];
                /* drop b unless the efficiency strictly falls from a->b to b->c */
                if ((w->lpl[a] - w->lpl[b]) * (w->lpc[c] - w->lpc[b]) <= (w->lpl[b] - w->lpl[c]) * (w->lpc[b] - w->lpc[a])) m--;
                else break;
            }
            h[m++] = c;
        }
        w->e_off[k] = ne;
        w->h_start[k] = h[0];
        for (int i = 0; i + 1 < m; i++) {
            w->e_from[ne] = h[i]; w->e_to[ne] = h[i + 1];
            w->e_eff[ne] = (w->lpl[h[i]] - w->lpl[h[i + 1]]) / (w->lpc[h[i + 1]] - w->lpc[h[i]]);
            ne++;
        }
    }
    w->e_off[w->L] = ne;
    w->base_c[w->L] = 0; w->base_l[w->L] = 0;
    for (int k = w->L - 1; k >= 0; k--) {
        w->base_c[k] = w->base_c[k + 1] + w->lpc[w->h_start[k]];
        w->base_l[k] = w->base_l[k + 1] + w->lpl[w->h_start[k]];
    }
    for (int d = 0; d < w->D; d++) w->sufmin[(size_t)w->L * w->D + d] = 0;
    for (int k = w->L - 1; k >= 0; k--)
        for (int d = 0; d < w->D; d++) {
            double m = INFINITY;
            for (int i = w->act_off[k]; i < w->act_off[k + 1]; i++) {
                int g = in->off[k] + w->act[i];
                double c = in->cost[(size_t)g * w->D + d] + (in->minout ? in->minout[(size_t)g * w->D + d] : 0);
                if (c < m) m = c;
            }
            w->sufmin[(size_t)k * w->D + d] = w->sufmin[(size_t)(k + 1) * w->D + d] + m;
        }
}

/* Root LP over all layers at budget Bt[0]: value (in lpl terms), lam0, and
   the fractional LP solution's usage of every cost (a supergradient for mu). */
static double hant_solver__root_lp(hant_solver__work *w, double *lam0, double *use) {
    const hant_solver__inst *in = w->in;
    int ne = w->e_off[w->L], *ix = w->tmpi;
    double x = w->Bt[0] - w->base_c[0];
    if (x < 0) { *lam0 = 0; return INFINITY; }
    for (int i = 0; i < ne; i++) ix[i] = i;
    hant_solver__sort_keys(ix, w->tmpi2, ne, w->e_eff, NULL, 1);
    double red = 0, lam = 0, theta = 0;
    int crit = -1, i;
    for (i = 0; i < ne; i++) {
        int e = ix[i];
        double dc = w->lpc[w->e_to[e]] - w->lpc[w->e_from[e]];
        if (dc <= x) { x -= dc; red += w->lpl[w->e_from[e]] - w->lpl[w->e_to[e]]; }
        else { crit = e; theta = x / dc; lam = w->e_eff[e]; red += theta * (w->lpl[w->e_from[e]] - w->lpl[w->e_to[e]]); break; }
    }
    *lam0 = lam;
    if (use) {
        int *cur = w->tmpi2; /* tmpi2 free after the sort */
        for (int k = 0; k < w->L; k++) cur[k] = w->h_start[k];
        for (int j = 0; j < i; j++) { int e = ix[j]; int k = 0; while (w->e_off[k + 1] <= e) k++; cur[k] = w->e_to[e]; }
        for (int d = 0; d < w->D; d++) {
            double u = 0;
            for (int k = 0; k < w->L; k++) u += in->cost[(size_t)cur[k] * w->D + d] + (in->minout ? in->minout[(size_t)cur[k] * w->D + d] : 0);
            if (crit >= 0) {
                int a = w->e_from[crit], b = w->e_to[crit];
                u += theta * (in->cost[(size_t)b * w->D + d] - in->cost[(size_t)a * w->D + d] +
                              (in->minout ? in->minout[(size_t)b * w->D + d] - in->minout[(size_t)a * w->D + d] : 0));
            }
            use[d] = u;
        }
    }
    return w->base_l[0] - red;
}

/* Suffix tables: the hull edges of layers k..L-1 merged by efficiency, with
   cumulative cost and loss saved, built from the back by merging. */
static int hant_solver__tables(hant_solver__work *w) {
    size_t need = 0;
    for (int k = 0; k < w->L; k++) need += (size_t)(w->e_off[w->L] - w->e_off[k]);
    if (need > w->t_cap) {
        hant_solver__sfree(w->t_id); hant_solver__sfree(w->t_cc); hant_solver__sfree(w->t_cr);
        w->t_id = hant_solver__salloc(need, sizeof *w->t_id);
        w->t_cc = hant_solver__salloc(need, sizeof *w->t_cc);
        w->t_cr = hant_solver__salloc(need, sizeof *w->t_cr);
        w->t_cap = need;
        if (!w->t_id || !w->t_cc || !w->t_cr) { w->t_cap = 0; return -1; }
    }
    size_t pos = 0;
    w->t_len[w->L] = 0; w->t_off[w->L] = 0;
    /* layout: suffix L-1 first, so suffix k+1 precedes k */
    for (int k = w->L - 1; k >= 0; k--) {
        size_t po = w->t_off[k + 1];
        int pn = w->t_len[k + 1], a = w->e_off[k], ae = w->e_off[k + 1], j = 0;
        w->t_off[k] = pos;
        int n = 0;
        while (a < ae || j < pn) {
            int e;
            if (a < ae && (j >= pn || w->e_eff[a] > w->e_eff[w->t_id[po + j]] ||
                           (w->e_eff[a] == w->e_eff[w->t_id[po + j]] && a < w->t_id[po + j]))) e = a++;
            else e = w->t_id[po + j++];
            w->t_id[pos + n] = e;
            double dc = w->lpc[w->e_to[e]] - w->lpc[w->e_from[e]], dr = w->lpl[w->e_from[e]] - w->lpl[w->e_to[e]];
            w->t_cc[pos + n] = (n ? w->t_cc[pos + n - 1] : 0) + dc;
            w->t_cr[pos + n] = (n ? w->t_cr[pos + n - 1] : 0) + dr;
            n++;
        }
        w->t_len[k] = n;
        pos += (size_t)n;
    }
    return 0;
}

/* LP bound of layers k..L-1 when cost 0 may use x; +INF if even the least cost exceeds x. */
static double hant_solver__lpf(const hant_solver__work *w, int k, double x) {
    if (k >= w->L) return 0;
    double y = x - w->base_c[k];
    if (y < 0) return INFINITY;
    int n = w->t_len[k];
    const double *cc = n ? w->t_cc + w->t_off[k] : NULL; /* no segments: t_cc may be NULL */
    int lo = 0, hi = n;
    while (lo < hi) { int mid = (lo + hi) / 2; if (cc[mid] > y) hi = mid; else lo = mid + 1; }
    if (lo >= n) return w->base_l[k] - (n ? w->t_cr[w->t_off[k] + n - 1] : 0);
    double c0 = lo ? cc[lo - 1] : 0, r0 = lo ? w->t_cr[w->t_off[k] + lo - 1] : 0;
    return w->base_l[k] - (r0 + w->e_eff[w->t_id[w->t_off[k] + lo]] * (y - c0));
}

// >>lagrange -----------------------------------------------------------------
/* phi(mu) = LP_0(loss + mu.c) - mu.B is a valid lower bound for any mu >= 0
   and concave; maximise it one cost at a time by bisection on the sign of
   its supergradient (usage - budget). Only the bound's strength depends on
   how well this converges, never its validity. */
static double hant_solver__phi(hant_solver__work *w, double *use) {
    double lam;
    hant_solver__lagr_items(w);
    hant_solver__hulls(w);
    double v = hant_solver__root_lp(w, &lam, use);
    for (int d = 1; d < w->D; d++) if (w->mu[d] > 0) v -= w->mu[d] * w->Bt[d];
    return v;
}

static void hant_solver__find_mu(hant_solver__work *w) {
    double use[HANT_SOLVER_MAX_COSTS];
    for (int d = 0; d < w->D; d++) w->mu[d] = 0;
    if (w->D == 1) return;
    for (int sweep = 0; sweep < 2; sweep++)
        for (int d = 1; d < w->D; d++) {
            if (!isfinite(w->Bt[d])) continue;
            double keep = w->mu[d];
            w->mu[d] = 0;
            double v0 = hant_solver__phi(w, use);
            if (!isfinite(v0)) { w->mu[d] = keep; continue; }
            if (use[d] <= w->Bt[d]) continue; /* budget d not binding at mu_d = 0 */
            double lo = 0, hi = w->in->lscale / (w->in->cscale[d] > 0 ? w->in->cscale[d] : 1) + 1e-300;
            int it;
            for (it = 0; it < 80; it++) {
                w->mu[d] = hi;
                hant_solver__phi(w, use);
                if (use[d] <= w->Bt[d]) break;
                lo = hi; hi *= 4;
            }
            double best = v0, bmu = 0;
            for (it = 0; it < 40; it++) {
                w->mu[d] = 0.5 * (lo + hi);
                double v = hant_solver__phi(w, use);
                if (v > best) { best = v; bmu = w->mu[d]; }
                if (use[d] > w->Bt[d]) lo = w->mu[d]; else hi = w->mu[d];
            }
            w->mu[d] = hi;
            if (hant_solver__phi(w, use) > best) bmu = hi;
            w->mu[d] = bmu;
        }
}

// >>dp -----------------------------------------------------------------------
/* Bounded dynamic programming along the layers (Pisinger-style state lists,
   here with float costs): a state is a partial selection of layers 0..k with
   its loss and cost sums. States are dropped when their cost cannot be
   completed within the budgets, when loss + LP bound of the remaining layers
   reaches the threshold P, or when another state with the same future (same
   last item if it has pair corrections, same diversity counts or better) is no
   worse in loss and every cost. What is left at the last layer contains every
   selection better than P. With beam > 0 the same code is the incumbent
   heuristic: only the beam states with the best bounds survive each layer. */
typedef struct {
    double *loss, *cost, *bnd;
    int *item, *prev, *key;
    unsigned short *dist;
    int n, cap;
} hant_solver__pool;

static void hant_solver__pool_free(hant_solver__pool *p) {
    hant_solver__sfree(p->loss); hant_solver__sfree(p->cost); hant_solver__sfree(p->bnd); hant_solver__sfree(p->item);
    hant_solver__sfree(p->prev); hant_solver__sfree(p->key); hant_solver__sfree(p->dist);
    memset(p, 0, sizeof *p);
}

static int hant_solver__pool_reserve(hant_solver__pool *p, int need, int D, int K) {
    if (need <= p->cap) return 0;
    int nc = p->cap ? p->cap : 256;
    while (nc < need) { if (nc > INT_MAX / 4) return -1; nc *= 2; }
    hant_solver__pool q;
    memset(&q, 0, sizeof q);
    q.loss = hant_solver__salloc((size_t)nc, sizeof *q.loss); q.cost = hant_solver__salloc((size_t)nc * D, sizeof *q.cost);
    q.bnd = hant_solver__salloc((size_t)nc, sizeof *q.bnd); q.item = hant_solver__salloc((size_t)nc, sizeof *q.item);
    q.prev = hant_solver__salloc((size_t)nc, sizeof *q.prev); q.key = hant_solver__salloc((size_t)nc, sizeof *q.key);
    q.dist = hant_solver__salloc((size_t)nc * (K ? K : 1), sizeof *q.dist);
    if (!q.loss || !q.cost || !q.bnd || !q.item || !q.prev || !q.key || !q.dist) { hant_solver__pool_free(&q); return -1; }
    if (p->n) {
        memcpy(q.loss, p->loss, (size_t)p->n * sizeof *q.loss); memcpy(q.cost, p->cost, (size_t)p->n * D * sizeof *q.cost);
        memcpy(q.bnd, p->bnd, (size_t)p->n * sizeof *q.bnd); memcpy(q.item, p->item, (size_t)p->n * sizeof *q.item);
        memcpy(q.prev, p->prev, (size_t)p->n * sizeof *q.prev); memcpy(q.key, p->key, (size_t)p->n * sizeof *q.key);
        if (K) memcpy(q.dist, p->dist, (size_t)p->n * K * sizeof *q.dist);
    }
    q.n = p->n; q.cap = nc;
    hant_solver__pool_free(p);
    *p = q;
    return 0;
}

typedef struct {
    hant_solver__work *w;
    double P;                 /* prune states whose bound - margin >= P */
    int beam;
    int K, m; const int *sols;/* diversity: differ from each of K selections in >= m layers */
    double minpruned;         /* min (bound - margin) over states pruned by P */
    double lb_stop;           /* when stopped by a limit: valid bound for the rest */
    hant_solver__pool cur, nxt;
    int *ord, *ord2, ocap, ocap2;
    int *tr_item, *tr_prev, tr_cap, tr_cap2;
    int *tr_off;              /* [L+1] */
    double *dl;               /* [maxn*D] pair deltas of the current parent */
    int maxn;
} hant_solver__dp;

static void hant_solver__dp_free(hant_solver__dp *x) {
    hant_solver__pool_free(&x->cur); hant_solver__pool_free(&x->nxt);
    hant_solver__sfree(x->ord); hant_solver__sfree(x->ord2); hant_solver__sfree(x->tr_item); hant_solver__sfree(x->tr_prev);
    hant_solver__sfree(x->tr_off); hant_solver__sfree(x->dl);
    memset(x, 0, sizeof *x);
}

static int hant_solver__state_cmp(const hant_solver__pool *p, int D, int a, int b) {
    if (p->key[a] != p->key[b]) return p->key[a] < p->key[b] ? -1 : 1;
    if (p->loss[a] != p->loss[b]) return p->loss[a] < p->loss[b] ? -1 : 1;
    for (int d = 0; d < D; d++)
        if (p->cost[(size_t)a * D + d] != p->cost[(size_t)b * D + d]) return p->cost[(size_t)a * D + d] < p->cost[(size_t)b * D + d] ? -1 : 1;
    return a < b ? -1 : a > b;
}

static void hant_solver__sort_states(int *idx, int *tmp, int n, const hant_solver__pool *p, int D) {
    int *a = idx, *b = tmp;
    for (int wd = 1; wd < n; wd *= 2) {
        for (int lo = 0; lo < n; lo += 2 * wd) {
            int mid = lo + wd < n ? lo + wd : n, hi = lo + 2 * wd < n ? lo + 2 * wd : n, i = lo, j = mid, o = lo;
            while (i < mid && j < hi) b[o++] = hant_solver__state_cmp(p, D, a[j], a[i]) < 0 ? a[j++] : a[i++];
            while (i < mid) b[o++] = a[i++];
            while (j < hi) b[o++] = a[j++];
        }
        int *t = a; a = b; b = t;
    }
    if (a != idx) memcpy(idx, a, (size_t)n * sizeof *idx);
}

static int hant_solver__limit(hant_solver__work *w) {
    if (w->stopped) return 1;
    if (w->nlim > 0 && w->nodes >= w->nlim && !w->in_beam) w->stopped = 1;
    else if (w->tlim > 0 && hant_solver__now_ms() - w->t0 > w->tlim) w->stopped = 1;
    return w->stopped;
}

#define HANT_SOLVER__DOM_SCAN 256 /* dominance checks per state when D > 1: fewer only weakens pruning */

/* Runs the DP; returns 0 when complete, 1 when stopped by a limit, -1 on OOM. */
static int hant_solver__dp_run(hant_solver__dp *x) {
    hant_solver__work *w = x->w;
    const hant_solver__inst *in = w->in;
    int L = w->L, D = w->D, K = x->K;
    double Peff = x->P;
    x->minpruned = INFINITY;
    x->lb_stop = -INFINITY;
    if (hant_solver__pool_reserve(&x->cur, 1, D, K)) return -1;
    x->cur.n = 1;
    x->cur.loss[0] = 0; x->cur.item[0] = -1; x->cur.prev[0] = -1; x->cur.key[0] = -1;
    for (int d = 0; d < D; d++) x->cur.cost[d] = 0;
    for (int i = 0; i < K; i++) x->cur.dist[i] = 0;
    {
        double b = hant_solver__lpf(w, 0, w->Bt[0]);
        for (int d = 1; d < D; d++) if (w->mu[d] > 0) b -= w->mu[d] * w->Bt[d];
        x->cur.bnd[0] = b;
    }
    int tr_n = 0;
    for (int k = 0; k < L; k++) {
        hant_solver__pool *cur = &x->cur, *nx = &x->nxt;
        int last = k == L - 1, na = w->act_off[k + 1] - w->act_off[k];
        const int *act = w->act + w->act_off[k];
        const double *sm = w->sufmin + (size_t)(k + 1) * D;
        nx->n = 0;
        for (int p = 0; p < cur->n; p++) {
            int gp = k > 0 ? in->off[k - 1] + cur->item[p] : -1;
            int haspd = gp >= 0 && in->po && in->po[gp + 1] > in->po[gp];
            if (haspd) for (int q = in->po[gp]; q < in->po[gp + 1]; q++)
                for (int d = 0; d < D; d++) x->dl[(size_t)in->pnext[q] * D + d] = in->pdel[(size_t)q * D + d];
            if (hant_solver__pool_reserve(nx, nx->n + na, D, K)) return -1;
            for (int a = 0; a < na; a++) {
                int j = act[a], g = in->off[k] + j;
                if ((++w->nodes & 1023) == 0 && hant_solver__limit(w)) {
                    double lb = x->minpruned;
                    for (int q = 0; q < cur->n; q++) if (cur->bnd[q] - w->margin < lb) lb = cur->bnd[q] - w->margin;
                    x->lb_stop = lb;
                    return 1;
                }
                double c[HANT_SOLVER_MAX_COSTS], pend[HANT_SOLVER_MAX_COSTS];
                int ok = 1;
                for (int d = 0; d < D; d++) {
                    /* the policy's summation order, so a final state's sums are
                       exactly the reported ones and rounding is monotone */
                    c[d] = cur->cost[(size_t)p * D + d];
                    if (haspd) c[d] += x->dl[(size_t)j * D + d];
                    c[d] += in->cost[(size_t)g * D + d];
                    if (last) { if (!(c[d] <= in->B[d])) ok = 0; pend[d] = c[d]; continue; }
                    pend[d] = c[d] + (in->minout ? in->minout[(size_t)g * D + d] : 0);
                    if (pend[d] + sm[d] > w->Bt[d]) ok = 0;
                }
                if (!ok) continue;
                int dv_ok = 1;
                for (int i = 0; i < K; i++) {
                    int v = cur->dist[(size_t)p * K + i] + (j != x->sols[(size_t)i * L + k]);
                    if (v > x->m) v = x->m;
                    if (v + (L - 1 - k) < x->m) { dv_ok = 0; break; }
                }
                if (!dv_ok) continue;
                double l = cur->loss[p] + in->loss[g], b = l;
                if (!last) {
                    b += hant_solver__lpf(w, k + 1, w->Bt[0] - pend[0]);
                    for (int d = 1; d < D; d++) if (w->mu[d] > 0) b -= w->mu[d] * (w->Bt[d] - pend[d]);
                }
                if (b - w->margin >= Peff) { if (b - w->margin < x->minpruned) x->minpruned = b - w->margin; continue; }
                int s = nx->n++;
                nx->loss[s] = l; nx->bnd[s] = b; nx->item[s] = j; nx->prev[s] = p;
                nx->key[s] = (!last && in->po && in->po[g + 1] > in->po[g]) ? j : -1;
                for (int d = 0; d < D; d++) nx->cost[(size_t)s * D + d] = c[d];
                for (int i = 0; i < K; i++) {
                    int v = cur->dist[(size_t)p * K + i] + (j != x->sols[(size_t)i * L + k]);
                    nx->dist[(size_t)s * K + i] = (unsigned short)(v > x->m ? x->m : v);
                }
            }
            if (haspd) for (int q = in->po[gp]; q < in->po[gp + 1]; q++)
                for (int d = 0; d < D; d++) x->dl[(size_t)in->pnext[q] * D + d] = 0;
        }
        /* dominance */
        int n = nx->n;
        if (hant_solver__sgrow((void **)&x->ord, &x->ocap, n + 1, sizeof *x->ord)) return -1;
        if (hant_solver__sgrow((void **)&x->ord2, &x->ocap2, n + 1, sizeof *x->ord2)) return -1;
        for (int i = 0; i < n; i++) x->ord[i] = i;
        hant_solver__sort_states(x->ord, x->ord2, n, nx, D);
        int kept = 0, gstart = 0;
        double minc = INFINITY;
        for (int i = 0; i < n; i++) {
            int s = x->ord[i];
            if (kept == 0 || nx->key[x->ord[kept - 1]] != nx->key[s]) { gstart = kept; minc = INFINITY; }
            int dom = 0;
            if (D == 1 && K == 0) dom = !(nx->cost[s] < minc);
            else {
                int lo = kept - HANT_SOLVER__DOM_SCAN > gstart ? kept - HANT_SOLVER__DOM_SCAN : gstart;
                for (int t = kept - 1; t >= lo && !dom; t--) {
                    int u = x->ord[t], ok = 1;
                    for (int d = 0; d < D && ok; d++) if (nx->cost[(size_t)u * D + d] > nx->cost[(size_t)s * D + d]) ok = 0;
                    for (int i2 = 0; i2 < K && ok; i2++) if (nx->dist[(size_t)u * K + i2] < nx->dist[(size_t)s * K + i2]) ok = 0;
                    dom = ok;
                }
            }
            if (dom) continue;
            if (nx->cost[(size_t)s * D] < minc) minc = nx->cost[(size_t)s * D];
            x->ord[kept++] = s;
        }
        if (x->beam > 0 && kept > x->beam) {
            hant_solver__sort_keys(x->ord, x->ord2, kept, nx->bnd, NULL, 0);
            kept = x->beam;
        }
        /* trace and compaction into cur (the parents are no longer needed) */
        if (hant_solver__sgrow((void **)&x->tr_item, &x->tr_cap, tr_n + kept, sizeof *x->tr_item)) return -1;
        if (hant_solver__sgrow((void **)&x->tr_prev, &x->tr_cap2, tr_n + kept, sizeof *x->tr_prev)) return -1;
        x->tr_off[k] = tr_n;
        if (hant_solver__pool_reserve(cur, kept, D, K)) return -1;
        for (int i = 0; i < kept; i++) {
            int s = x->ord[i];
            x->tr_item[tr_n + i] = nx->item[s];
            x->tr_prev[tr_n + i] = nx->prev[s];
            cur->loss[i] = nx->loss[s]; cur->bnd[i] = nx->bnd[s]; cur->item[i] = nx->item[s];
            cur->prev[i] = tr_n + i; cur->key[i] = nx->key[s];
            for (int d = 0; d < D; d++) cur->cost[(size_t)i * D + d] = nx->cost[(size_t)s * D + d];
            for (int i2 = 0; i2 < K; i2++) cur->dist[(size_t)i * K + i2] = nx->dist[(size_t)s * K + i2];
        }
        cur->n = kept;
        tr_n += kept;
        x->tr_off[k + 1] = tr_n;
        if (!kept) break;
    }
    return 0;
}

// >>bb -----------------------------------------------------------------------
/* Sets up a work area and removes dominated items: item j goes when another
   item of its layer has loss and every cost <= j's (one of equal twins stays).
   Items with pair corrections are kept, and so is everything when diversity
   constraints may later need a dominated item. */
static int hant_solver__work_init(hant_solver__work *w, const hant_solver__inst *in, int no_dominance) {
    memset(w, 0, sizeof *w);
    w->in = in; w->L = in->L; w->D = in->D;
    int L = in->L, N = in->N, D = in->D;
    w->base = hant_solver__salloc((size_t)N, sizeof(int)); w->base_off = hant_solver__salloc((size_t)L + 1, sizeof(int));
    w->act = hant_solver__salloc((size_t)N, sizeof(int)); w->act_off = hant_solver__salloc((size_t)L + 1, sizeof(int));
    w->lpl = hant_solver__salloc((size_t)N, sizeof(double)); w->lpc = hant_solver__salloc((size_t)N, sizeof(double));
    w->tmpi = hant_solver__salloc((size_t)N + L + 16, sizeof(int)); w->tmpi2 = hant_solver__salloc((size_t)N + L + 16, sizeof(int));
    w->e_off = hant_solver__salloc((size_t)L + 1, sizeof(int)); w->e_from = hant_solver__salloc((size_t)N, sizeof(int));
    w->e_to = hant_solver__salloc((size_t)N, sizeof(int)); w->e_eff = hant_solver__salloc((size_t)N, sizeof(double));
    w->h_start = hant_solver__salloc((size_t)L, sizeof(int)); w->base_c = hant_solver__salloc((size_t)L + 1, sizeof(double));
    w->base_l = hant_solver__salloc((size_t)L + 1, sizeof(double)); w->sufmin = hant_solver__salloc(((size_t)L + 1) * D, sizeof(double));
    w->t_off = hant_solver__salloc((size_t)L + 1, sizeof(size_t)); w->t_len = hant_solver__salloc((size_t)L + 1, sizeof(int));
    w->fixb = hant_solver__salloc((size_t)N, sizeof(double)); w->sel = hant_solver__salloc((size_t)L, sizeof(int));
    if (!w->base || !w->base_off || !w->act || !w->act_off || !w->lpl || !w->lpc || !w->tmpi || !w->tmpi2 ||
        !w->e_off || !w->e_from || !w->e_to || !w->e_eff || !w->h_start || !w->base_c || !w->base_l ||
        !w->sufmin || !w->t_off || !w->t_len || !w->fixb || !w->sel) { hant_solver__work_free(w); return -1; }
    hant_solver__lagr_items(w); /* mu = 0: lpc is cost 0 (+ least pair delta) */
    int nb = 0;
    for (int k = 0; k < L; k++) {
        int n = in->off[k + 1] - in->off[k], *ix = w->tmpi, nk = 0;
        unsigned char *keep = (unsigned char *)w->tmpi2; /* n bytes fit: tmpi2 holds N+L ints */
        for (int i = 0; i < n; i++) ix[i] = in->off[k] + i;
        if (!no_dominance) {
            /* sort by (loss, cost0): a dominator precedes what it dominates */
            hant_solver__sort_keys(ix, w->e_from, n, in->loss, w->lpc, 0);
        }
        for (int i = 0; i < n; i++) keep[i] = 0;
        int *kl = w->e_to, nkl = 0; /* kept pair-free items, candidates to dominate */
        for (int i = 0; i < n; i++) {
            int g = ix[i], dom = 0;
            if (!no_dominance && !(in->haspair && in->haspair[g])) {
                for (int t = 0; t < nkl && !dom; t++) {
                    int u = kl[t], ok = in->loss[u] <= in->loss[g];
                    for (int d = 0; d < D && ok; d++) if (in->cost[(size_t)u * D + d] > in->cost[(size_t)g * D + d]) ok = 0;
                    dom = ok;
                }
                if (!dom) kl[nkl++] = g;
            }
            if (!dom) keep[g - in->off[k]] = 1;
        }
        w->base_off[k] = nb;
        for (int i = 0; i < n; i++) if (keep[i]) { w->base[nb++] = i; nk++; }
        (void)nk;
    }
    w->base_off[L] = nb;
    return 0;
}

static void hant_solver__res_init(hant_solver_result *r, const hant_solver__inst *in) {
    memset(r, 0, sizeof *r);
    r->num_layers = in->L; r->num_costs = in->D;
    r->loss = INFINITY; r->bound = -INFINITY;
    for (int d = 0; d < in->D; d++) { r->cost[d] = INFINITY; r->min_budget[d] = in->minb[d]; }
}

/* Final states of a DP run in loss order: the first one within the budgets
   (exact check) and the diversity constraints, if its loss is below ub. */
static int hant_solver__pick(hant_solver__dp *x, double ub, int *sel, double *loss, double *cost) {
    hant_solver__work *w = x->w;
    int L = w->L;
    for (int i = 0; i < x->cur.n; i++) {
        int s = i;
        for (int k = L - 1; k >= 0; k--) {
            int pos = x->tr_off[k] + s;
            sel[k] = x->tr_item[pos];
            s = x->tr_prev[pos];
        }
        double l, c[HANT_SOLVER_MAX_COSTS];
        if (!hant_solver__eval(w->in, sel, &l, c)) continue;
        int ok = 1;
        for (int q = 0; q < x->K && ok; q++) {
            int diff = 0;
            for (int k = 0; k < L; k++) diff += sel[k] != x->sols[(size_t)q * L + k];
            ok = diff >= x->m;
        }
        if (!ok) continue;
        if (!(l < ub)) return 0;
        *loss = l;
        memcpy(cost, c, sizeof c);
        return 1;
    }
    return 0;
}

/* One budget vector (in->B): Lagrangian bound and reduced-cost fixing, beam
   incumbent, then exact DP rounds with a growing threshold P = LB + g. A
   round that finds a selection below P is optimal (all else was pruned at
   >= P); one that finds none proves optimum >= P, and g grows. Small
   thresholds fix most items by reduced cost and keep the state lists short. */
static int hant_solver__solve_budget(hant_solver__work *w, const hant_solver_config *cfg, int K, int m, const int *sols,
                              const int *warm, hant_solver_result *res) {
    const hant_solver__inst *in = w->in;
    int L = w->L, D = w->D, rc = 0;
    double f = 16.0 * (L + 8) * DBL_EPSILON;
    double rel_gap = cfg && cfg->rel_gap > 0 ? cfg->rel_gap : 0;
    hant_solver__res_init(res, in);
    w->stopped = 0;
    for (int d = 0; d < D; d++) {
        w->ctol[d] = f * (in->cscale[d] + (isfinite(in->B[d]) ? fabs(in->B[d]) : 0));
        w->Bt[d] = in->B[d] + w->ctol[d];
        if (in->minb[d] > w->Bt[d]) {
            res->status = HANT_SOLVER_INFEASIBLE; res->bound = INFINITY;
            res->time_ms = hant_solver__now_ms() - w->t0;
            return 0;
        }
    }
    memcpy(w->act, w->base, (size_t)w->base_off[L] * sizeof *w->act);
    memcpy(w->act_off, w->base_off, ((size_t)L + 1) * sizeof *w->act_off);
    hant_solver__find_mu(w);
    hant_solver__lagr_items(w);
    hant_solver__hulls(w);
    double lp = hant_solver__root_lp(w, &w->lam0, NULL);
    double mag = 0, mc = 0;
    for (int k = 0; k < L; k++) {
        double a = 0, b = 0;
        for (int i = w->base_off[k]; i < w->base_off[k + 1]; i++) {
            int g = in->off[k] + w->base[i];
            if (fabs(w->lpl[g]) > a) a = fabs(w->lpl[g]);
            if (fabs(w->lpc[g]) > b) b = fabs(w->lpc[g]);
        }
        mag += a; mc += b;
    }
    mag += w->lam0 * (mc + (isfinite(w->Bt[0]) ? fabs(w->Bt[0]) : 0));
    for (int d = 1; d < D; d++) if (w->mu[d] > 0) mag += w->mu[d] * (in->cscale[d] + fabs(w->Bt[d]));
    w->margin = f * mag + DBL_MIN;
    /* Lagrangian reduced costs: any selection containing g has loss >= fixb[g] */
    double lb = 0;
    for (int k = 0; k < L; k++) {
        double mn = INFINITY;
        for (int i = w->base_off[k]; i < w->base_off[k + 1]; i++) {
            int g = in->off[k] + w->base[i];
            double v = w->lpl[g] + (w->lam0 > 0 ? w->lam0 * w->lpc[g] : 0);
            w->fixb[g] = v;
            if (v < mn) mn = v;
        }
        w->tmpi[k] = 0;
        lb += mn;
        for (int i = w->base_off[k]; i < w->base_off[k + 1]; i++) w->fixb[in->off[k] + w->base[i]] -= mn;
    }
    if (w->lam0 > 0) lb -= w->lam0 * w->Bt[0];
    for (int d = 1; d < D; d++) if (w->mu[d] > 0) lb -= w->mu[d] * w->Bt[d];
    if (!isfinite(lp) || !isfinite(lb)) { res->status = HANT_SOLVER_INFEASIBLE; res->bound = INFINITY; res->time_ms = hant_solver__now_ms() - w->t0; return 0; }
    w->lb_lag = lb;
    for (int k = 0; k < L; k++)
        for (int i = w->base_off[k]; i < w->base_off[k + 1]; i++) { int g = in->off[k] + w->base[i]; w->fixb[g] = lb + w->fixb[g] - w->margin; }
    double proven = lb - w->margin, ub = INFINITY;
    int *inc = hant_solver__salloc((size_t)L, sizeof *inc);
    hant_solver__dp x;
    memset(&x, 0, sizeof x);
    x.w = w; x.K = K; x.m = m; x.sols = sols;
    x.maxn = 0;
    for (int k = 0; k < L; k++) if (in->off[k + 1] - in->off[k] > x.maxn) x.maxn = in->off[k + 1] - in->off[k];
    x.tr_off = hant_solver__salloc((size_t)L + 1, sizeof *x.tr_off);
    x.dl = hant_solver__salloc((size_t)x.maxn * D, sizeof *x.dl);
    if (!inc || !x.tr_off || !x.dl) { rc = -1; goto done; }
    memset(x.dl, 0, (size_t)x.maxn * D * sizeof *x.dl);
    if (warm) {
        double l, c[HANT_SOLVER_MAX_COSTS];
        int ok = hant_solver__eval(in, warm, &l, c);
        for (int q = 0; q < K && ok; q++) {
            int diff = 0;
            for (int k = 0; k < L; k++) diff += warm[k] != sols[(size_t)q * L + k];
            ok = diff >= m;
        }
        if (ok) { ub = l; memcpy(inc, warm, (size_t)L * sizeof *inc); res->loss = l; memcpy(res->cost, c, sizeof c); }
    }
    /* incumbent: beam search over the same DP */
    if (hant_solver__tables(w)) { rc = -1; goto done; }
    x.beam = cfg && cfg->beam_width > 0 ? cfg->beam_width : 16;
    x.P = ub;
    {
        w->in_beam = 1;
        int st = hant_solver__dp_run(&x);
        w->in_beam = 0;
        if (st < 0) { rc = -1; goto done; }
        double l, c[HANT_SOLVER_MAX_COSTS];
        if (st == 0 && hant_solver__pick(&x, ub, w->sel, &l, c)) {
            ub = l; memcpy(inc, w->sel, (size_t)L * sizeof *inc); res->loss = l; memcpy(res->cost, c, sizeof c);
        }
    }
    x.beam = 0;
#ifdef HANT_SOLVER_TRACE
    fprintf(stderr, "lb %.10g lp %.10g ub %.10g lam0 %g mu1 %g margin %g nodes %lld t %.1f ms\n", lb, lp - (D > 1 ? w->mu[1] * w->Bt[1] : 0), ub, w->lam0, D > 1 ? w->mu[1] : 0, w->margin, w->nodes, hant_solver__now_ms() - w->t0);
#endif
    double g = isfinite(ub) ? (ub - lb) / 256 : 1e-6 * (fabs(lb) + mag);
    if (!(g > 0)) g = 1;
    int infeasible = 0, round = 0;
    while (!w->stopped) {
        if (isfinite(ub) && ub - proven <= w->margin + rel_gap * fabs(ub)) break;
        round++;
        double P = lb + g;
        if (isfinite(ub) && P >= ub) P = ub;
        /* without an incumbent, a few rounds, then no threshold at all */
        if (!isfinite(ub) && round > 6) P = INFINITY;
        double Peff = isfinite(P) ? P - rel_gap * fabs(P) : P;
        /* reduced-cost fixing */
        double minfixed = INFINITY;
        int na = 0, empty = 0;
        for (int k = 0; k < L; k++) {
            w->act_off[k] = na;
            for (int i = w->base_off[k]; i < w->base_off[k + 1]; i++) {
                int g2 = in->off[k] + w->base[i];
                if (w->fixb[g2] < Peff) w->act[na++] = w->base[i];
                else if (w->fixb[g2] < minfixed) minfixed = w->fixb[g2];
            }
            if (na == w->act_off[k]) empty = 1;
        }
        w->act_off[L] = na;
        double rlb = minfixed;
        int found = 0;
        if (!empty) {
            hant_solver__hulls(w);
            if (hant_solver__tables(w)) { rc = -1; goto done; }
            x.P = Peff;
            int st = hant_solver__dp_run(&x);
#ifdef HANT_SOLVER_TRACE
            fprintf(stderr, "round %d: P-lb %.3g ub-lb %.3g active %d nodes %lld t %.1f ms\n", round, P - lb, ub - lb, na, w->nodes, hant_solver__now_ms() - w->t0);
#endif
            if (st < 0) { rc = -1; goto done; }
            if (st == 1) { double b = x.lb_stop < minfixed ? x.lb_stop : minfixed; if (b > proven) proven = b; break; }
            if (x.minpruned < rlb) rlb = x.minpruned;
            if (x.cur.n > 0 && x.cur.loss[0] < rlb) rlb = x.cur.loss[0];
            double l, c[HANT_SOLVER_MAX_COSTS];
            if (hant_solver__pick(&x, ub, w->sel, &l, c)) {
                found = 1; ub = l; memcpy(inc, w->sel, (size_t)L * sizeof *inc); res->loss = l; memcpy(res->cost, c, sizeof c);
            }
        }
        if (rlb > proven) proven = rlb;
        if (found) break;
        if (!isfinite(P)) { infeasible = !isfinite(ub); break; }
        if (P >= ub) break;
        g *= isfinite(ub) ? 2 : 16; /* state counts grow fast with P: small steps */
    }
    res->nodes = w->nodes;
    if (isfinite(ub)) {
        res->item = hant_solver__salloc((size_t)L, sizeof *res->item);
        if (!res->item) { rc = -1; goto done; }
        memcpy(res->item, inc, (size_t)L * sizeof *inc);
        res->status = w->stopped ? HANT_SOLVER_FEASIBLE : HANT_SOLVER_OPTIMAL;
        res->bound = proven < ub ? proven : ub;
    } else if (infeasible && !w->stopped) {
        res->status = HANT_SOLVER_INFEASIBLE; res->bound = INFINITY;
    } else {
        res->status = HANT_SOLVER_UNKNOWN; res->bound = proven;
    }
done:
    res->time_ms = hant_solver__now_ms() - w->t0;
    hant_solver__sfree(inc);
    hant_solver__dp_free(&x);
    return rc ? hant_solver__serr(HANT_SOLVER_ENOMEM, "out of memory") : 0;
}

static void hant_solver__limits(hant_solver__work *w, const hant_solver_config *cfg) {
    w->t0 = hant_solver__now_ms();
    w->tlim = cfg && cfg->time_limit > 0 ? cfg->time_limit * 1e3 : 0;
    w->nlim = cfg && cfg->node_limit > 0 ? cfg->node_limit : 0;
    w->nodes = 0; w->stopped = 0;
}

#ifdef HANT_SOLVER_GLPK
static int hant_solver__glpk_solve(const hant_solver__inst *in, const hant_solver_config *cfg, int K, int m, const int *sols, hant_solver_result *res);
#endif

static int hant_solver__backend(const hant_solver_config *cfg) {
    int b = cfg ? cfg->backend : 0;
    if (b != HANT_SOLVER_BACKEND_BB && b != HANT_SOLVER_BACKEND_GLPK) return hant_solver__serr(HANT_SOLVER_EINVAL, "backend %d is not bb (0) or glpk (1)", b);
#ifndef HANT_SOLVER_GLPK
    if (b == HANT_SOLVER_BACKEND_GLPK) return hant_solver__serr(HANT_SOLVER_ENOGLPK, "the GLPK backend is not compiled in (define HANT_SOLVER_GLPK, link -lglpk)");
#endif
    return 0;
}

static int hant_solver__check_cfg(const hant_solver_config *cfg) {
    if (!cfg) return 0;
    if (!(cfg->time_limit >= 0)) return hant_solver__serr(HANT_SOLVER_EINVAL, "config: time_limit %g (>= 0)", cfg->time_limit);
    if (!(cfg->rel_gap >= 0)) return hant_solver__serr(HANT_SOLVER_EINVAL, "config: rel_gap %g (>= 0)", cfg->rel_gap);
    if (cfg->node_limit < 0) return hant_solver__serr(HANT_SOLVER_EINVAL, "config: node_limit %lld (>= 0)", cfg->node_limit);
    if (cfg->beam_width < 0) return hant_solver__serr(HANT_SOLVER_EINVAL, "config: beam_width %d (>= 0)", cfg->beam_width);
    if (!cfg->alloc.alloc != !cfg->alloc.free) return hant_solver__serr(HANT_SOLVER_EINVAL, "config: alloc.alloc and alloc.free must be set together");
    return hant_solver__backend(cfg);
}

static hant_solver_status hant_solver__solve(const hant_solver_problem *p, const hant_solver_config *cfg, hant_solver_result *res) {
    if (!res) return hant_solver__serr(HANT_SOLVER_EINVAL, "res is NULL");
    memset(res, 0, sizeof *res);
    int rc = hant_solver__check_cfg(cfg);
    if (rc) return rc;
    hant_solver__inst in;
    if ((rc = hant_solver__inst_init(&in, p))) return rc;
#ifdef HANT_SOLVER_GLPK
    if (cfg && cfg->backend == HANT_SOLVER_BACKEND_GLPK) { rc = hant_solver__glpk_solve(&in, cfg, 0, 0, NULL, res); hant_solver__inst_free(&in); return rc; }
#endif
    hant_solver__work w;
    if (hant_solver__work_init(&w, &in, 0)) { hant_solver__inst_free(&in); return hant_solver__serr(HANT_SOLVER_ENOMEM, "out of memory"); }
    hant_solver__limits(&w, cfg);
    rc = hant_solver__solve_budget(&w, cfg, 0, 0, NULL, NULL, res);
    hant_solver__work_free(&w);
    hant_solver__inst_free(&in);
    return rc;
}

// >>pareto -------------------------------------------------------------------
/* Budgets are solved in increasing order: the dominance filter and pair data
   are built once, and each optimum is feasible for the next larger budget, so
   it starts as the incumbent (often it is already optimal there). */
static hant_solver_status hant_solver__pareto(const hant_solver_problem *p, const hant_solver_config *cfg, const double *budgets, int n, hant_solver_result *res) {
    if (!res || (n > 0 && !budgets) || n < 0) return hant_solver__serr(HANT_SOLVER_EINVAL, "pareto: need n >= 0 budgets and results");
    for (int i = 0; i < n; i++) { memset(&res[i], 0, sizeof res[i]); if (isnan(budgets[i])) return hant_solver__serr(HANT_SOLVER_EINVAL, "pareto: budget %d is NaN", i); }
    int rc = hant_solver__check_cfg(cfg);
    if (rc) return rc;
    hant_solver__inst in;
    if ((rc = hant_solver__inst_init(&in, p))) return rc;
    int *ord = hant_solver__salloc((size_t)n, sizeof *ord), *tmp = hant_solver__salloc((size_t)n, sizeof *tmp);
    hant_solver__work w;
    memset(&w, 0, sizeof w);
    if (!ord || !tmp || hant_solver__work_init(&w, &in, 0)) { rc = hant_solver__serr(HANT_SOLVER_ENOMEM, "out of memory"); goto out; }
    for (int i = 0; i < n; i++) ord[i] = i;
    hant_solver__sort_keys(ord, tmp, n, budgets, NULL, 0);
    const int *warm = NULL;
    for (int i = 0; i < n && !rc; i++) {
        hant_solver_result *r = &res[ord[i]];
        in.B[0] = budgets[ord[i]];
#ifdef HANT_SOLVER_GLPK
        if (cfg && cfg->backend == HANT_SOLVER_BACKEND_GLPK) { rc = hant_solver__glpk_solve(&in, cfg, 0, 0, NULL, r); continue; }
#endif
        hant_solver__limits(&w, cfg);
        rc = hant_solver__solve_budget(&w, cfg, 0, 0, NULL, warm, r);
        if (r->item) warm = r->item;
    }
out:
    if (rc) for (int i = 0; i < n; i++) hant_solver_result_free(&res[i]);
    hant_solver__sfree(ord); hant_solver__sfree(tmp);
    hant_solver__work_free(&w);
    hant_solver__inst_free(&in);
    return rc;
}

// >>diverse ------------------------------------------------------------------
/* Each new selection must differ from every earlier one in >= min_diff
   layers: the DP state carries the Hamming distance to each earlier
   selection (capped at min_diff), drops states that can no longer reach it,
   and only lets a state dominate another whose distances are all <= its own. */
static hant_solver_status hant_solver__diverse(const hant_solver_problem *p, const hant_solver_config *cfg, int k, int min_diff,
                        hant_solver_result *res, int *found) {
    if (found) *found = 0;
    if (!res || k < 0) return hant_solver__serr(HANT_SOLVER_EINVAL, "diverse: need k >= 0 and results");
    for (int i = 0; i < k; i++) memset(&res[i], 0, sizeof res[i]);
    int rc = hant_solver__check_cfg(cfg);
    if (rc) return rc;
    hant_solver__inst in;
    if ((rc = hant_solver__inst_init(&in, p))) return rc;
    if (min_diff < 1 || min_diff > in.L || min_diff > 65535) { hant_solver__inst_free(&in); return hant_solver__serr(HANT_SOLVER_EINVAL, "diverse: min_diff %d not in 1..%d", min_diff, in.L); }
    int L = in.L, nf = 0;
    int *sols = hant_solver__salloc((size_t)(k ? k : 1) * L, sizeof *sols);
    hant_solver__work w;
    memset(&w, 0, sizeof w);
    if (!sols || hant_solver__work_init(&w, &in, 1)) { rc = hant_solver__serr(HANT_SOLVER_ENOMEM, "out of memory"); goto out; }
    for (int i = 0; i < k; i++) {
#ifdef HANT_SOLVER_GLPK
        if (cfg && cfg->backend == HANT_SOLVER_BACKEND_GLPK) rc = hant_solver__glpk_solve(&in, cfg, i, min_diff, sols, &res[i]);
        else
#endif
        { hant_solver__limits(&w, cfg); rc = hant_solver__solve_budget(&w, cfg, i, min_diff, sols, NULL, &res[i]); }
        if (rc) break;
        if (!res[i].item) break;
        memcpy(sols + (size_t)i * L, res[i].item, (size_t)L * sizeof *sols);
        nf++;
    }
out:
    if (found) *found = nf;
    hant_solver__sfree(sols);
    hant_solver__work_free(&w);
    hant_solver__inst_free(&in);
    return rc;
}

// >>glpk ---------------------------------------------------------------------
/* The same problem as a 0-1 program for GLPK's branch-and-cut: x[g] binary,
   one per layer; each pair correction gets y = x_i * x_j linearised by
   y <= x_i, y <= x_j, y >= x_i + x_j - 1 (exact for binary x, any sign of
   delta); a diversity constraint is sum over layers of x[earlier item] <= L - m.
   GLPK works with tolerances, so its answer goes through the same exact check. */
#ifdef HANT_SOLVER_GLPK
typedef struct { double bound; long long nodes, nlim; } hant_solver__glpk_cb;

static void hant_solver__glpk_callback(glp_tree *t, void *info) {
    hant_solver__glpk_cb *c = info;
    int a, n, tot;
    glp_ios_tree_size(t, &a, &n, &tot);
    c->nodes = tot;
    int b = glp_ios_best_node(t);
    if (b) c->bound = glp_ios_node_bound(t, b);
    if (c->nlim > 0 && c->nodes >= c->nlim) glp_ios_terminate(t);
}

static int hant_solver__glpk_solve(const hant_solver__inst *in, const hant_solver_config *cfg, int K, int m, const int *sols, hant_solver_result *res) {
    double t0 = hant_solver__now_ms();
    int L = in->L, D = in->D, N = in->N, np = in->npair;
    hant_solver__res_init(res, in);
    glp_prob *P = glp_create_prob();
    glp_set_obj_dir(P, GLP_MIN);
    int nb = 0, brow[HANT_SOLVER_MAX_COSTS];
    glp_add_cols(P, N + np);
    for (int g = 0; g < N; g++) { glp_set_col_kind(P, g + 1, GLP_BV); glp_set_obj_coef(P, g + 1, in->loss[g]); }
    for (int q = 0; q < np; q++) glp_set_col_bnds(P, N + q + 1, GLP_DB, 0.0, 1.0);
    glp_add_rows(P, L);
    for (int k = 0; k < L; k++) glp_set_row_bnds(P, k + 1, GLP_FX, 1.0, 1.0);
    for (int d = 0; d < D; d++) {
        brow[d] = 0;
        if (!isfinite(in->B[d])) continue;
        brow[d] = glp_add_rows(P, 1);
        glp_set_row_bnds(P, brow[d], GLP_UP, 0.0, in->B[d]);
        nb++;
    }
    int prow = np ? glp_add_rows(P, 3 * np) : 0;
    for (int q = 0; q < np; q++) {
        glp_set_row_bnds(P, prow + 3 * q, GLP_UP, 0.0, 0.0);
        glp_set_row_bnds(P, prow + 3 * q + 1, GLP_UP, 0.0, 0.0);
        glp_set_row_bnds(P, prow + 3 * q + 2, GLP_LO, -1.0, 0.0);
    }
    int drow = K ? glp_add_rows(P, K) : 0;
    for (int i = 0; i < K; i++) glp_set_row_bnds(P, drow + i, GLP_UP, 0.0, (double)(L - m));
    size_t nz = (size_t)N * (1 + nb) + (size_t)np * (nb + 7) + (size_t)K * L + 1;
    int *ia = hant_solver__salloc(nz, sizeof *ia), *ja = hant_solver__salloc(nz, sizeof *ja);
    double *ar = hant_solver__salloc(nz, sizeof *ar);
    if (!ia || !ja || !ar) { hant_solver__sfree(ia); hant_solver__sfree(ja); hant_solver__sfree(ar); glp_delete_prob(P); return hant_solver__serr(HANT_SOLVER_ENOMEM, "out of memory"); }
    int e = 0;
#define HANT_SOLVER__NZ(r, c, v) (e++, ia[e] = (r), ja[e] = (c), ar[e] = (v))
    for (int k = 0; k < L; k++)
        for (int g = in->off[k]; g < in->off[k + 1]; g++) {
            HANT_SOLVER__NZ(k + 1, g + 1, 1.0);
            for (int d = 0; d < D; d++) if (brow[d] && in->cost[(size_t)g * D + d] != 0) HANT_SOLVER__NZ(brow[d], g + 1, in->cost[(size_t)g * D + d]);
        }
    for (int k = 0, q = 0; k + 1 < L; k++)
        for (int g = in->off[k]; np && g < in->off[k + 1]; g++)
            for (int t = in->po[g]; t < in->po[g + 1]; t++, q++) {
                int gj = in->off[k + 1] + in->pnext[t], col = N + q + 1;
                for (int d = 0; d < D; d++) if (brow[d] && in->pdel[(size_t)t * D + d] != 0) HANT_SOLVER__NZ(brow[d], col, in->pdel[(size_t)t * D + d]);
                HANT_SOLVER__NZ(prow + 3 * q, col, 1.0); HANT_SOLVER__NZ(prow + 3 * q, g + 1, -1.0);
                HANT_SOLVER__NZ(prow + 3 * q + 1, col, 1.0); HANT_SOLVER__NZ(prow + 3 * q + 1, gj + 1, -1.0);
                HANT_SOLVER__NZ(prow + 3 * q + 2, col, 1.0); HANT_SOLVER__NZ(prow + 3 * q + 2, g + 1, -1.0); HANT_SOLVER__NZ(prow + 3 * q + 2, gj + 1, -1.0);
            }
    for (int i = 0; i < K; i++)
        for (int k = 0; k < L; k++) HANT_SOLVER__NZ(drow + i, in->off[k] + sols[(size_t)i * L + k] + 1, 1.0);
#undef HANT_SOLVER__NZ
    glp_load_matrix(P, e, ia, ja, ar);
    hant_solver__sfree(ia); hant_solver__sfree(ja); hant_solver__sfree(ar);
    glp_iocp parm;
    glp_init_iocp(&parm);
    hant_solver__glpk_cb cb = { -INFINITY, 0, cfg ? cfg->node_limit : 0 };
    parm.presolve = GLP_ON;
    parm.msg_lev = GLP_MSG_OFF;
    parm.cb_func = hant_solver__glpk_callback;
    parm.cb_info = &cb;
    if (cfg && cfg->time_limit > 0) parm.tm_lim = cfg->time_limit * 1e3 < INT_MAX ? (int)(cfg->time_limit * 1e3) : INT_MAX;
    if (cfg && cfg->rel_gap > 0) parm.mip_gap = cfg->rel_gap;
    int old = glp_term_out(GLP_OFF);
    int ret = glp_intopt(P, &parm);
    glp_term_out(old);
    int st = glp_mip_status(P);
    res->nodes = cb.nodes;
    if (ret == GLP_ENOPFS || st == GLP_NOFEAS) {
        res->status = HANT_SOLVER_INFEASIBLE; res->bound = INFINITY;
    } else if (st == GLP_OPT || st == GLP_FEAS) {
        res->item = hant_solver__salloc((size_t)L, sizeof *res->item);
        if (!res->item) { glp_delete_prob(P); return hant_solver__serr(HANT_SOLVER_ENOMEM, "out of memory"); }
        for (int k = 0; k < L; k++) {
            int best = 0;
            double bv = -1;
            for (int g = in->off[k]; g < in->off[k + 1]; g++) { double v = glp_mip_col_val(P, g + 1); if (v > bv) { bv = v; best = g - in->off[k]; } }
            res->item[k] = best;
        }
        int ok = hant_solver__eval(in, res->item, &res->loss, res->cost);
        double obj = glp_mip_obj_val(P);
        res->status = st == GLP_OPT ? HANT_SOLVER_OPTIMAL : HANT_SOLVER_FEASIBLE;
        res->bound = st == GLP_OPT ? (obj < res->loss ? obj : res->loss) : cb.bound;
        if (!ok) {
            res->status = HANT_SOLVER_UNKNOWN;
            hant_solver__serr(HANT_SOLVER_OK, "glpk: its selection exceeds a budget in the exact check (tolerance)");
        }
    } else {
        res->status = HANT_SOLVER_UNKNOWN; res->bound = cb.bound;
    }
    glp_delete_prob(P);
    res->time_ms = hant_solver__now_ms() - t0;
    return 0;
}
#endif

// >>parse --------------------------------------------------------------------
void hant_solver_model_free(hant_solver_model *m) {
    if (!m) return;
    hant_solver__sfree_with(&m->alloc, m->num_items); hant_solver__sfree_with(&m->alloc, m->loss);
    hant_solver__sfree_with(&m->alloc, m->cost); hant_solver__sfree_with(&m->alloc, m->budget); hant_solver__sfree_with(&m->alloc, m->pairs);
    memset(m, 0, sizeof *m);
}

typedef struct { int layer, item, line, idx; } hant_solver__pent;

static int hant_solver__pent_cmp(const void *a, const void *b) {
    const hant_solver__pent *x = a, *y = b;
    if (x->layer != y->layer) return x->layer < y->layer ? -1 : 1;
    if (x->item != y->item) return x->item < y->item ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* Whole-token parsers: a token is a NUL-terminated copy, so strtod cannot run
   past it and embedded garbage is caught. */
static int hant_solver__ptok_int(const char *t, int *out) {
    if (!*t) return 0;
    long v = 0;
    for (const char *c = t; *c; c++) {
        if (*c < '0' || *c > '9') return 0;
        v = v * 10 + (*c - '0');
        if (v > 100000000) return 0;
    }
    *out = (int)v;
    return 1;
}
static int hant_solver__ptok_double(const char *t, double *out) {
    char *end;
    errno = 0;
    double v = strtod(t, &end);
    if (end == t || *end || !isfinite(v)) return 0;
    *out = v;
    return 1;
}

static hant_solver_status hant_solver__parse(const char *text, size_t len, hant_solver_model *model) {
    if (!model) return hant_solver__serr(HANT_SOLVER_EINVAL, "model is NULL");
    memset(model, 0, sizeof *model);
    if (!text && len) return hant_solver__serr(HANT_SOLVER_EINVAL, "text is NULL");
    int D = 0, ne = 0, ecap = 0, nv = 0, vcap = 0, npl = 0, pcap = 0, rc = 0;
    hant_solver__pent *ent = NULL, *pent = NULL;
    double *val = NULL, *pval = NULL;
    int pvcap = 0;
    size_t pos = 0;
    int line = 0;
    char tok[HANT_SOLVER_MAX_COSTS + 5][64];
    while (pos < len && !rc) {
        size_t end = pos;
        while (end < len && text[end] != '\n') end++;
        line++;
        size_t stop = pos;
        while (stop < end && text[stop] != '#') stop++;
        int nt = 0;
        size_t i = pos;
        while (i < stop) {
            while (i < stop && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\v' || text[i] == '\f')) i++;
            if (i >= stop) break;
            size_t j = i;
            while (j < stop && !(text[j] == ' ' || text[j] == '\t' || text[j] == '\r' || text[j] == '\v' || text[j] == '\f')) j++;
            if (nt >= HANT_SOLVER_MAX_COSTS + 5) { rc = hant_solver__serr(HANT_SOLVER_EPARSE, "line %d: too many fields (at most %d costs)", line, HANT_SOLVER_MAX_COSTS); break; }
            if (j - i >= sizeof tok[0]) { rc = hant_solver__serr(HANT_SOLVER_EPARSE, "line %d: field %d is too long", line, nt + 1); break; }
            memcpy(tok[nt], text + i, j - i);
            tok[nt][j - i] = 0;
            if (strlen(tok[nt]) != j - i) { rc = hant_solver__serr(HANT_SOLVER_EPARSE, "line %d: field %d contains a NUL byte", line, nt + 1); break; }
            nt++;
            i = j;
        }
        pos = end + 1;
        if (rc || nt == 0) continue;
        int ispair = !strcmp(tok[0], "pair"), o = ispair ? 1 : 0;
        int d_here = nt - 3 - ispair;
        if (d_here < 1) {
            rc = hant_solver__serr(HANT_SOLVER_EPARSE, ispair ? "line %d: expected 'pair layer item next delta1 [delta2 ...]'" : "line %d: expected 'layer item loss cost1 [cost2 ...]'", line);
            break;
        }
        if (D == 0) D = d_here;
        if (d_here != D) { rc = hant_solver__serr(HANT_SOLVER_EPARSE, "line %d: %d costs, but earlier lines have %d", line, d_here, D); break; }
        if (D > HANT_SOLVER_MAX_COSTS) { rc = hant_solver__serr(HANT_SOLVER_EPARSE, "line %d: %d costs, at most %d supported", line, D, HANT_SOLVER_MAX_COSTS); break; }
        int a, b, c = 0;
        if (!hant_solver__ptok_int(tok[o], &a)) { rc = hant_solver__serr(HANT_SOLVER_EPARSE, "line %d: layer '%s' is not an integer in 0..100000000", line, tok[o]); break; }
        if (!hant_solver__ptok_int(tok[o + 1], &b)) { rc = hant_solver__serr(HANT_SOLVER_EPARSE, "line %d: item '%s' is not an integer in 0..100000000", line, tok[o + 1]); break; }
        if (ispair && !hant_solver__ptok_int(tok[3], &c)) { rc = hant_solver__serr(HANT_SOLVER_EPARSE, "line %d: next item '%s' is not an integer in 0..100000000", line, tok[3]); break; }
        if (!ispair) {
            if (hant_solver__sgrow((void **)&ent, &ecap, ne + 1, sizeof *ent) || hant_solver__sgrow((void **)&val, &vcap, nv + 1 + D, sizeof *val)) { rc = hant_solver__serr(HANT_SOLVER_ENOMEM, "out of memory"); break; }
            ent[ne].layer = a; ent[ne].item = b; ent[ne].line = line; ent[ne].idx = ne;
            if (!hant_solver__ptok_double(tok[2], &val[nv])) { rc = hant_solver__serr(HANT_SOLVER_EPARSE, "line %d: loss '%s' is not a finite number", line, tok[2]); break; }
            for (int d = 0; d < D; d++) {
                double v;
                if (!hant_solver__ptok_double(tok[3 + d], &v)) { rc = hant_solver__serr(HANT_SOLVER_EPARSE, "line %d: cost%d '%s' is not a finite number", line, d + 1, tok[3 + d]); break; }
                if (v < 0) { rc = hant_solver__serr(HANT_SOLVER_EPARSE, "line %d: cost%d is negative (%s)", line, d + 1, tok[3 + d]); break; }
                val[nv + 1 + d] = v;
            }
            if (rc) break;
            nv += 1 + D; ne++;
        } else {
            if (hant_solver__sgrow((void **)&pent, &pcap, npl + 1, sizeof *pent) || hant_solver__sgrow((void **)&pval, &pvcap, (npl + 1) * D, sizeof *pval)) { rc = hant_solver__serr(HANT_SOLVER_ENOMEM, "out of memory"); break; }
            pent[npl].layer = a; pent[npl].item = b; pent[npl].line = line; pent[npl].idx = c;
            for (int d = 0; d < D; d++)
                if (!hant_solver__ptok_double(tok[4 + d], &pval[(size_t)npl * D + d])) { rc = hant_solver__serr(HANT_SOLVER_EPARSE, "line %d: delta%d '%s' is not a finite number", line, d + 1, tok[4 + d]); break; }
            if (rc) break;
            npl++;
        }
    }
    if (!rc && ne == 0) rc = hant_solver__serr(HANT_SOLVER_EPARSE, "no items: expected lines 'layer item loss cost1 [cost2 ...]'");
    int L = 0;
    if (!rc) {
        qsort(ent, (size_t)ne, sizeof *ent, hant_solver__pent_cmp);
        for (int i = 0; i < ne && !rc; i++) {
            const hant_solver__pent *e = &ent[i], *p = i ? &ent[i - 1] : NULL;
            int pl = p ? p->layer : -1;
            if (e->layer > pl + 1) rc = hant_solver__serr(HANT_SOLVER_EPARSE, "line %d: layer %d, but layer %d has no items (layers must be 0..N-1 without gaps)", e->line, e->layer, pl + 1);
            else if (p && e->layer == pl && e->item == p->item) rc = hant_solver__serr(HANT_SOLVER_EPARSE, "line %d: layer %d item %d already given on line %d", e->line, e->layer, e->item, p->line);
            else if (e->item != (e->layer == pl ? p->item + 1 : 0)) rc = hant_solver__serr(HANT_SOLVER_EPARSE, "line %d: layer %d item %d, but item %d is missing (items must be 0..n-1)", e->line, e->layer, e->item, e->layer == pl ? p->item + 1 : 0);
        }
        if (!rc) L = ent[ne - 1].layer + 1;
    }
    if (!rc) {
        model->num_items = hant_solver__salloc((size_t)L, sizeof(int));
        model->loss = hant_solver__salloc((size_t)ne, sizeof(double));
        model->cost = hant_solver__salloc((size_t)ne * D, sizeof(double));
        model->budget = hant_solver__salloc((size_t)D, sizeof(double));
        model->pairs = hant_solver__salloc((size_t)npl * D + 1, sizeof(hant_solver_pair));
        if (!model->num_items || !model->loss || !model->cost || !model->budget || !model->pairs) rc = hant_solver__serr(HANT_SOLVER_ENOMEM, "out of memory");
    }
    if (!rc) {
        for (int k = 0; k < L; k++) model->num_items[k] = 0;
        for (int i = 0; i < ne; i++) {
            model->num_items[ent[i].layer]++;
            model->loss[i] = val[(size_t)ent[i].idx * (1 + D)];
            for (int d = 0; d < D; d++) model->cost[(size_t)i * D + d] = val[(size_t)ent[i].idx * (1 + D) + 1 + d];
        }
        for (int d = 0; d < D; d++) model->budget[d] = INFINITY;
        int q = 0;
        for (int i = 0; i < npl && !rc; i++) {
            const hant_solver__pent *e = &pent[i];
            if (e->layer >= L - 1) rc = hant_solver__serr(HANT_SOLVER_EPARSE, "line %d: pair layer %d must be below the last layer %d", e->line, e->layer, L - 1);
            else if (e->item >= model->num_items[e->layer]) rc = hant_solver__serr(HANT_SOLVER_EPARSE, "line %d: pair item %d, but layer %d has %d items", e->line, e->item, e->layer, model->num_items[e->layer]);
            else if (e->idx >= model->num_items[e->layer + 1]) rc = hant_solver__serr(HANT_SOLVER_EPARSE, "line %d: pair next item %d, but layer %d has %d items", e->line, e->idx, e->layer + 1, model->num_items[e->layer + 1]);
            else for (int d = 0; d < D; d++) {
                hant_solver_pair *pp = &model->pairs[q++];
                pp->layer = e->layer; pp->item = e->item; pp->next = e->idx; pp->dim = d; pp->delta = pval[(size_t)i * D + d];
            }
        }
        model->problem.num_layers = L; model->problem.num_costs = D; model->problem.num_items = model->num_items;
        model->problem.loss = model->loss; model->problem.cost = model->cost; model->problem.budget = model->budget;
        model->problem.num_pairs = q; model->problem.pairs = model->pairs;
    }
    hant_solver__sfree(ent); hant_solver__sfree(val); hant_solver__sfree(pent); hant_solver__sfree(pval);
    if (rc) hant_solver_model_free(model);
    return rc;
}

static hant_solver_status hant_solver__load(const char *path, hant_solver_model *model) {
    if (model) memset(model, 0, sizeof *model);
    if (!path || !model) return hant_solver__serr(HANT_SOLVER_EINVAL, "path and model must be set");
    FILE *f = fopen(path, "rb");
    if (!f) return hant_solver__serr(HANT_SOLVER_EIO, "%s: cannot open: %s", path, strerror(errno));
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 65536;
            char *q = hant_solver__salloc(nc, 1);
            if (!q) { hant_solver__sfree(buf); fclose(f); return hant_solver__serr(HANT_SOLVER_ENOMEM, "%s: out of memory", path); }
            if (buf) { memcpy(q, buf, n); hant_solver__sfree(buf); }
            buf = q; cap = nc;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0) break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) { hant_solver__sfree(buf); return hant_solver__serr(HANT_SOLVER_EIO, "%s: read error", path); }
    hant_solver_status rc = hant_solver__parse(buf, n, model);
    hant_solver__sfree(buf);
    if (rc) {
        char msg[sizeof hant_solver__err];
        snprintf(msg, sizeof msg, "%s", hant_solver__err);
        hant_solver__serr(rc, "%s: %s", path, msg);
    }
    return rc;
}

// >>api ----------------------------------------------------------------------
/* The public entry points: each runs its body with the caller's allocator
   and records it in the results and models it hands back. */
#define HANT_SOLVER__WITH(al, call) do { hant_solver_allocator saved_ = hant_solver__cur; \
    hant_solver__cur = hant_solver__alloc_pick(al); rc = (call); hant_solver__cur = saved_; } while (0)

hant_solver_status hant_solver_solve(const hant_solver_problem *p, const hant_solver_config *cfg, hant_solver_result *res) {
    hant_solver_status rc;
    HANT_SOLVER__WITH(cfg ? &cfg->alloc : NULL, hant_solver__solve(p, cfg, res));
    if (res) res->alloc = hant_solver__alloc_pick(cfg ? &cfg->alloc : NULL);
    return rc;
}

hant_solver_status hant_solver_pareto(const hant_solver_problem *p, const hant_solver_config *cfg, const double *budgets, int n, hant_solver_result *res) {
    hant_solver_status rc;
    HANT_SOLVER__WITH(cfg ? &cfg->alloc : NULL, hant_solver__pareto(p, cfg, budgets, n, res));
    if (res) for (int i = 0; i < n; i++) res[i].alloc = hant_solver__alloc_pick(cfg ? &cfg->alloc : NULL);
    return rc;
}

hant_solver_status hant_solver_diverse(const hant_solver_problem *p, const hant_solver_config *cfg, int k, int min_diff,
                                       hant_solver_result *res, int *found) {
    hant_solver_status rc;
    HANT_SOLVER__WITH(cfg ? &cfg->alloc : NULL, hant_solver__diverse(p, cfg, k, min_diff, res, found));
    if (res) for (int i = 0; i < k; i++) res[i].alloc = hant_solver__alloc_pick(cfg ? &cfg->alloc : NULL);
    return rc;
}

int hant_solver_evaluate(const hant_solver_problem *p, const int *item, double *loss, double *cost) {
    int rc;
    HANT_SOLVER__WITH(NULL, hant_solver__evaluate(p, item, loss, cost));
    return rc;
}

hant_solver_status hant_solver_parse_with(const char *text, size_t len, const hant_solver_allocator *alloc, hant_solver_model *model) {
    if (alloc && !alloc->alloc != !alloc->free) {
        if (model) memset(model, 0, sizeof *model);
        return hant_solver__serr(HANT_SOLVER_EINVAL, "parse: alloc and free must be set together");
    }
    hant_solver_status rc;
    HANT_SOLVER__WITH(alloc, hant_solver__parse(text, len, model));
    if (model) model->alloc = hant_solver__alloc_pick(alloc);
    return rc;
}
hant_solver_status hant_solver_parse(const char *text, size_t len, hant_solver_model *model) {
    return hant_solver_parse_with(text, len, NULL, model);
}

hant_solver_status hant_solver_load_with(const char *path, const hant_solver_allocator *alloc, hant_solver_model *model) {
    if (alloc && !alloc->alloc != !alloc->free) {
        if (model) memset(model, 0, sizeof *model);
        return hant_solver__serr(HANT_SOLVER_EINVAL, "load: alloc and free must be set together");
    }
    hant_solver_status rc;
    HANT_SOLVER__WITH(alloc, hant_solver__load(path, model));
    if (model) model->alloc = hant_solver__alloc_pick(alloc);
    return rc;
}
hant_solver_status hant_solver_load(const char *path, hant_solver_model *model) {
    return hant_solver_load_with(path, NULL, model);
}

#endif /* HANT_SOLVER_IMPLEMENTED */

#endif /* HANT_SOLVER_IMPLEMENTATION */
