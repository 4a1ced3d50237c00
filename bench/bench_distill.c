/* bench_distill.c - phase-1 distillation throughput of one candidate (issue 6).
 *
 * The setup of bench_torch.py distill-step, in hant: on b0-fm's first stage-3
 * block (input B x 14 x 14 x 24, output B x 7 x 7 x 40), a student
 * MBConv(24->40, e3, k3, s2, SE 0.25, SiLU) in training mode learns the output
 * of a teacher MBConv(24->40, e6, k5, s2, SE 0.25, SiLU) in inference mode,
 * with Adam (lr 1e-3) on the MSE. The step is the one `hant distill` runs:
 * train forward, hant_loss_nmse (the MSE relative to the target's energy),
 * backward, Adam.
 *
 * Rows (JSON lines, the fields of bench_torch.py's rows):
 *   distill-student-step   teacher output precomputed; one candidate, a
 *                          context of THREADS threads (the same op, batch
 *                          and threads as PyTorch's row)
 *   distill-step           the teacher forward included
 *   distill-parallel       how `hant distill` runs phase 1: THREADS
 *                          candidates at once, each on a one-thread context;
 *                          images/s is the sum over the candidates, so it is
 *                          comparable with one candidate on THREADS threads
 *
 * usage: bench_distill [THREADS] [BATCH] [TARGET_MS]
 * BD_DEFER=0 (environment): the training forward's BN apply not deferred
 * (hant__train_defer), for A/B; BD_SCALE=0: the SE's scaling not deferred
 * (hant__train_defer_scale).
 */
#define HANT_IMPLEMENTATION
#include "hant.h"
#include "bench_common.h"

#include <stdio.h>

typedef struct {
    hant_net *teacher, *student;
    hant_optim *opt;
    const float *x;
    float *t, *y;   /* teacher output; student output and its gradient (2 x out) */
    int batch, with_teacher;
    size_t out;
    int failed;
} bench_cand;

static void bench_step(void *p) {
    bench_cand *c = (bench_cand *)p;
    size_t n = (size_t)c->batch * c->out;
    if (c->with_teacher && hant_net_forward(c->teacher, c->x, c->batch, c->t)) { c->failed = 1; return; }
    float *y = c->y, *dy = y + n;
    if (hant_net_train_forward(c->student, c->x, c->batch, y)) { c->failed = 1; return; }
    hant_loss_nmse(y, c->t, n, dy);
    hant_net_zero_grad(c->student);
    hant_net_train_backward(c->student, dy);
    hant_optim_step(c->opt);
}

/* Teacher and student parts of b0-fm block 3 on ctx, teacher output of x precomputed. */
static int bench_cand_make(hant_context *ctx, const float *x, int batch, uint64_t seed, bench_cand *c) {
    hant_arch a, part;
    memset(c, 0, sizeof *c);
    if (hant_arch_builtin("b0-fm", &a)) return 1;
    const int blk = 3;
    hant_block_spec tb = a.blocks[blk];
    if (tb.cin != 24 || tb.cout != 40 || tb.stride != 2 || tb.expansion != 6 || tb.kernel != 5) {
        fprintf(stderr, "b0-fm block %d is not MBConv(24->40, e6, k5, s2)\n", blk);
        return 1;
    }
    if (hant_arch_part(&a, blk, &part) || hant_net_create(ctx, &part, seed, &c->teacher)) return 1;
    a.blocks[blk].expansion = 3; a.blocks[blk].kernel = 3;
    if (hant_arch_part(&a, blk, &part) || hant_net_create(ctx, &part, seed + 1, &c->student)) return 1;
    hant_optim_config oc;
    memset(&oc, 0, sizeof oc);
    oc.kind = HANT_OPTIM_ADAMW; oc.lr = 1e-3f;
    if (hant_optim_create(c->student, &oc, &c->opt)) return 1;
    c->x = x; c->batch = batch; c->out = 7 * 7 * 40;
    c->t = (float *)malloc(sizeof(float) * (size_t)batch * c->out);
    c->y = (float *)malloc(sizeof(float) * 2 * (size_t)batch * c->out);
    if (!c->t || !c->y) return 1;
    return hant_net_forward(c->teacher, x, batch, c->t) != HANT_OK;
}

static void bench_cand_free(bench_cand *c) {
    hant_optim_destroy(c->opt);
    hant_net_destroy(c->student);
    hant_net_destroy(c->teacher);
    free(c->t); free(c->y);
}

typedef struct { bench_cand *c; double target_ms; hant_bench_stats st; } bench_par;
static void *bench_par_worker(void *p) {
    bench_par *w = (bench_par *)p;
    w->st = hant_bench_time(bench_step, w->c, w->target_ms);
    return NULL;
}

static void bench_row(const char *what, int batch, int threads, hant_bench_stats st, double ips, const char *includes) {
    printf("{\"framework\": \"hant\", \"network\": \"mbconv-24-40-s2\", \"what\": \"%s\", \"batch\": %d, \"threads\": %d, "
           "\"median_ms\": %.4f, \"mad_ms\": %.4f, \"reps\": %d, \"images_per_s\": %.1f, \"isa\": \"%s\", \"includes\": \"%s\"}\n",
           what, batch, threads, st.median_ms, st.mad_ms, st.samples, ips, hant_isa(), includes);
    fflush(stdout);
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 2, batch = argc > 2 ? atoi(argv[2]) : 256;
    double target = argc > 3 ? atof(argv[3]) : 3000;
    if (threads < 1 || threads > 64 || batch < 1 || batch > 4096 || !(target > 0)) {
        fprintf(stderr, "usage: bench_distill [THREADS 1..64] [BATCH 1..4096] [TARGET_MS]\n");
        return 2;
    }
    if (getenv("BD_DEFER")) hant__train_defer = atoi(getenv("BD_DEFER"));
    if (getenv("BD_SCALE")) hant__train_defer_scale = atoi(getenv("BD_SCALE"));
    size_t in = (size_t)batch * 14 * 14 * 24;
    float *x = (float *)malloc(sizeof(float) * in);
    if (!x) return 1;
    uint64_t s = 1;
    for (size_t i = 0; i < in; i++) { /* uniform in [-2, 2), like a BN-normalised activation's range */
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        x[i] = (float)((double)(s >> 40) / (double)(1ull << 24) * 4.0 - 2.0);
    }
    int rc = 1;
    hant_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.threads = threads; cfg.pin_threads = 1;
    hant_context *ctx = NULL, *one[64] = { 0 };
    bench_cand c, par[64];
    memset(&c, 0, sizeof c);
    memset(par, 0, sizeof par);
    if (hant_context_create(&cfg, &ctx) || bench_cand_make(ctx, x, batch, 1, &c)) goto done;

    c.with_teacher = 0;
    hant_bench_stats st = hant_bench_time(bench_step, &c, target);
    bench_row("distill-student-step", batch, threads, st, batch / (st.median_ms / 1e3), "student forward/backward/Adam step (teacher output precomputed)");
    c.with_teacher = 1;
    st = hant_bench_time(bench_step, &c, target);
    bench_row("distill-step", batch, threads, st, batch / (st.median_ms / 1e3), "teacher forward + student forward/backward/Adam step");
    if (c.failed) goto done;

    /* phase 1 as hant distill runs it: one candidate per one-thread context */
    cfg.threads = 1; cfg.pin_threads = 0;
    for (int t = 0; t < threads; t++)
        if (hant_context_create(&cfg, &one[t]) || bench_cand_make(one[t], x, batch, 10 + (uint64_t)t, &par[t])) goto done;
    pthread_t th[64];
    bench_par w[64];
    for (int t = 0; t < threads; t++) { w[t].c = &par[t]; w[t].target_ms = target; pthread_create(&th[t], NULL, bench_par_worker, &w[t]); }
    double ips = 0;
    hant_bench_stats worst = { 0, 0, 0, 1 };
    for (int t = 0; t < threads; t++) {
        pthread_join(th[t], NULL);
        ips += batch / (w[t].st.median_ms / 1e3);
        if (w[t].st.median_ms > worst.median_ms) worst = w[t].st;
    }
    bench_row("distill-parallel", batch, threads, worst, ips, "THREADS candidates at once, one thread each; images/s summed; teacher output precomputed");
    rc = 0;
    for (int t = 0; t < threads; t++) rc |= par[t].failed;
    rc |= c.failed;
done:
    if (rc) fprintf(stderr, "bench_distill: %s\n", hant_last_error());
    bench_cand_free(&c);
    for (int t = 0; t < threads; t++) { bench_cand_free(&par[t]); hant_context_destroy(one[t]); }
    hant_context_destroy(ctx);
    free(x);
    return rc;
}
