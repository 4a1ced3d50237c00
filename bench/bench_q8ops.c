/* Where an int8 MBConv block's time goes, step by step, beside its fp32 twin
 * (issue 18 item 3). Every distinct MBConv block of b0-fm and b0-224 (or of
 * ARCH) runs as a one-block network at batch 1, as bench_q8blocks times it;
 * each step of the block's forward is then timed alone on the same buffers,
 * in interleaved rounds (fp32 step, int8 step, alternating order), with the
 * library's own threading (each step's fork/join included):
 *   quantise in   fp32 -> u8 of a conv's input (int8: the block's input)
 *   expand        1x1 conv, BN folded, SiLU (int8: u8 out, SiLU in the epilogue)
 *   depthwise     kxk conv, SiLU (fp32 out in both: SE reads it)
 *   SE pool, SE FCs, SE gate (int8: gate x quantise, one pass, u8 out)
 *   project       1x1 conv (fp32 adds the residual in its epilogue)
 *   residual add  int8 only (the f32 epilogue, then an add)
 *   forward       hant_net_forward of the whole block
 * and, outside the sum, expand and depthwise with the activation left out
 * (int8: the linear requantisation epilogue), to price SiLU.
 * "fork/join" is one empty hant__run: the cost of one barrier.
 *
 *   build/cc-avx2/bench_q8ops [THREADS [ROUNDS [ARCH]]]
 * HANT_Q8DW_RUNS=0 in the environment: the int8 depthwise on its tap-pointer kernels.
 */
#define HANT_IMPLEMENTATION
#include "../hant.h"
#include "bench_common.h"
#include <stdio.h>
#include <stdlib.h>

enum { S_QIN, S_EXP, S_DW, S_POOL, S_FC, S_GATE, S_PROJ, S_RES, S_FWD, S_EXPN, S_DWN, S_NSTEP };
static const char *step_name[S_NSTEP] = { "quantise in", "expand", "depthwise", "SE pool", "SE FCs", "SE gate", "project", "residual add", "forward",
                                          "(expand without SiLU)", "(depthwise without SiLU)" };

typedef struct step {
    hant_net *net;
    const float *x;
    float *y;
    int kind, op; /* kind: S_*; op index */
    int scalar;
} step;

static void noop_task(void *arg, int tid, int nt) { (void)arg; (void)tid; (void)nt; }
static void run_noop(void *arg) { hant__run((hant_context *)arg, noop_task, NULL); }

static void run_step(void *arg) {
    step *s = (step *)arg;
    hant_net *net = s->net;
    hant__exec *e = &net->infer_exec[0];
    if (s->kind == S_FWD) { hant_net_forward(net, s->x, 1, s->y); return; }
    const hant__op *o = &net->ops[s->op];
    const float *in = e->slot[o->in];
    float *out = e->slot[o->out];
    if (o->type == HANT__OP_SE) {
        const hant__se *se = &net->ses[o->idx];
        hant__se_params p;
        hant__se_params_of(net, se, &p);
        if (s->kind == S_POOL) hant__se_pass(net->ctx, hant__gap_task, in, NULL, 1, se->hw, p.c, e->se_s[o->idx]);
        else if (s->kind == S_FC) hant__se_excite(net->ctx, &p, e->se_s[o->idx], 1, e->se_h[o->idx], e->se_a[o->idx], e->se_gate[o->idx]);
        else if (o->q8next) {
            hant__q8se_args a = { in, e->se_gate[o->idx], se->hw, p.c, net->units[o->q8next - 1].qin, (uint8_t *)out, (int64_t)se->hw };
            if (a.rows * p.c < HANT__Q8_SE_SERIAL) hant__q8_se_task(&a, 0, 1);
            else hant__run(net->ctx, hant__q8_se_task, &a);
        } else hant__se_pass(net->ctx, hant__scale_task, in, e->se_gate[o->idx], 1, se->hw, p.c, out);
        return;
    }
    const hant__unit *u = &net->units[o->idx];
    hant_conv_shape sh = hant__unit_shape(u, 1);
    const float *res = o->res >= 0 ? e->slot[o->res] : NULL;
    int noact = s->kind == S_EXPN || s->kind == S_DWN;
    if (!u->q8) { hant__conv_forward_packed(net->ctx, &sh, in, u->fw, u->packed, u->fb, noact ? HANT_ACT_NONE : u->act, res, out); return; }
    size_t nin = (size_t)sh.h * sh.w * sh.cin;
    if (s->kind == S_QIN) {
        hant__quant_args qa = { in, nin, u->qin, e->q8buf };
        if (nin < 32768) hant__quantize_task(&qa, 0, 1);
        else hant__run(net->ctx, hant__quantize_task, &qa);
    } else if (s->kind == S_RES) {
        hant__add_inplace(out, res, (size_t)u->oh * u->ow * u->s.cout);
    } else {
        const uint8_t *xq = net->slot_u8[o->in] ? (const uint8_t *)in : e->q8buf;
        hant__q8_epi keep_u8 = u->qc->ep_u8, keep_f32 = u->qc->ep_f32;
        if (noact) { /* the linear epilogues of act NONE (hant_qconv_create) */
            hant__q8_epi *e8 = &u->qc->ep_u8;
            e8->scale = u->qc->mult; e8->lo = (float)-e8->zp; e8->hi = (float)(255 - e8->zp); e8->act = HANT_ACT_NONE; e8->mode = HANT__Q8_OUT_LINEAR;
            u->qc->ep_f32.act = HANT_ACT_NONE;
        }
        if (net->slot_u8[o->out]) hant_qconv_forward_u8(u->qc, 1, sh.h, sh.w, xq, (uint8_t *)out);
        else hant_qconv_forward_f32(u->qc, 1, sh.h, sh.w, xq, out);
        u->qc->ep_u8 = keep_u8; u->qc->ep_f32 = keep_f32;
    }
}

/* The steps of net's forward: kinds and ops, in order. */
static int plan(hant_net *net, step *st, const float *x, float *y) {
    int k = 0;
    for (int i = 0; i < net->nops; i++) {
        const hant__op *o = &net->ops[i];
        step s = { net, x, y, 0, i, 0 };
        if (o->type == HANT__OP_SE) {
            s.kind = S_POOL; st[k++] = s; s.kind = S_FC; st[k++] = s; s.kind = S_GATE; st[k++] = s;
        } else if (o->type == HANT__OP_UNIT) {
            const hant__unit *u = &net->units[o->idx];
            int conv = u->s.groups > 1 ? S_DW : i == 0 || net->ops[i - 1].type != HANT__OP_SE ? S_EXP : S_PROJ;
            if (u->q8 && !net->slot_u8[o->in]) { s.kind = S_QIN; st[k++] = s; }
            s.kind = conv; st[k++] = s;
            if (conv != S_PROJ) { s.kind = conv == S_EXP ? S_EXPN : S_DWN; st[k++] = s; }
            if (u->q8 && o->res >= 0) { s.kind = S_RES; st[k++] = s; }
        }
    }
    step s = { net, x, y, S_FWD, -1, 0 };
    st[k++] = s;
    return k;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 2, rounds = argc > 2 ? atoi(argv[2]) : 5;
    const char *only = argc > 3 ? argv[3] : NULL;
    if (threads < 1 || threads > 64 || rounds < 1 || rounds > 201) { fprintf(stderr, "usage: bench_q8ops [THREADS 1..64] [ROUNDS 1..201] [ARCH]\n"); return 2; }
    hant_config cfg = { threads, 1, { 0 }, 0 };
    hant_context *ctx;
    if (hant_context_create(&cfg, &ctx)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
#if defined(HANT__Q8_DW_RUNK)
    if (getenv("HANT_Q8DW_RUNS")) hant__q8_dw_runs = atoi(getenv("HANT_Q8DW_RUNS")); /* 0: the tap-pointer depthwise kernels (A/B) */
#endif
    printf("isa %s, int8 %s (weights +-%d), threads %d, batch 1; ms, median of %d interleaved rounds, each a ~2 ms sample\n", hant_isa(),
           hant_int8_isa(), hant_int8_weight_max(), threads, rounds);
    static hant_bench_block_shape sh[128];
    int ns = 0;
    const char *archs[2] = { "b0-fm", "b0-224" };
    for (int ai = 0; ai < 2; ai++)
        if (!only || !strcmp(only, archs[ai])) ns = hant_bench_distinct_blocks(sh, ns, 128, archs[ai], 0);
    double tot[2][2][S_NSTEP + 2];
    memset(tot, 0, sizeof tot);
    double noop[HANT_BENCH_MAX_SAMPLES];
    for (int rd = 0; rd < rounds; rd++) noop[rd] = hant_bench_time(run_noop, ctx, 2.0).median_ms;
    printf("fork/join (one empty hant__run): %.4f ms\n", hant_bench_median(noop, rounds));
    for (int k = 0; k < ns; k++) {
        const hant_bench_block_shape *s = &sh[k];
        int ai = strcmp(s->arch, "b0-fm") != 0;
        hant_block_spec b = s->b, b8 = s->b;
        hant_net *net[2];
        float *x, *y;
        b.quant = 0; b8.quant = HANT_QUANT_INT8;
        if (hant_bench_twin_nets(ctx, s->h, s->w, &b, &b8, &net[0], &net[1], &x, &y)) return 1;
        if (hant_net_calibrate(net[1], x, 1, 100)) { fprintf(stderr, "calibrate: %s\n", hant_last_error()); return 1; }
        hant_net_forward(net[0], x, 1, y);
        hant_net_forward(net[1], x, 1, y);
        step st[2][32];
        int nst[2] = { plan(net[0], st[0], x, y), plan(net[1], st[1], x, y) };
        static double t[2][32][HANT_BENCH_MAX_SAMPLES];
        for (int rd = 0; rd < rounds; rd++)
            for (int v = 0; v < 2; v++) {
                int w = (rd & 1) ? 1 - v : v;
                for (int i = 0; i < nst[w]; i++) t[w][i][rd] = hant_bench_time(run_step, &st[w][i], 2.0).median_ms;
            }
        int mult = 0; /* how often the block occurs in its network */
        hant_arch full;
        hant_arch_builtin(s->arch, &full);
        for (int i = 0; i < full.num_blocks; i++) {
            int h;
            hant_arch_block_input(&full, i, &h, NULL, NULL);
            mult += h == s->h && !memcmp(&full.blocks[i], &s->b, sizeof s->b);
        }
        double per[2][S_NSTEP + 2];
        memset(per, 0, sizeof per);
        for (int w = 0; w < 2; w++)
            for (int i = 0; i < nst[w]; i++) {
                double m = hant_bench_median(t[w][i], rounds);
                per[w][st[w][i].kind] += m;
                if (st[w][i].kind < S_FWD) per[w][S_NSTEP] += m;
            }
        printf("\n%s block %d (x%d): %dx%dx%d -> %d, e %d, k %d, s %d\n| step | fp32 ms | int8 ms |\n|---|---:|---:|\n", s->arch, s->block, mult, s->h, s->w,
               s->b.cin, s->b.cout, s->b.expansion, s->b.kernel, s->b.stride);
        for (int j = 0; j <= S_NSTEP; j++) {
            printf("| %s | %.4f | %.4f |\n", j == S_NSTEP ? "sum of steps" : step_name[j], per[0][j], per[1][j]);
            for (int w = 0; w < 2; w++) tot[ai][w][j] += mult * per[w][j];
        }
        fflush(stdout);
        free(x); free(y);
        hant_net_destroy(net[0]); hant_net_destroy(net[1]);
    }
    for (int ai = 0; ai < 2; ai++) {
        if (tot[ai][0][S_FWD] == 0) continue;
        printf("\n%s, all blocks (each distinct block times its count)\n| step | fp32 ms | int8 ms | fp32 / int8 | share of int8 forward |\n|---|---:|---:|---:|---:|\n", archs[ai]);
        for (int j = 0; j <= S_NSTEP; j++)
            printf("| %s | %.4f | %.4f | %.2fx | %.1f%% |\n", j == S_NSTEP ? "sum of steps" : step_name[j], tot[ai][0][j], tot[ai][1][j],
                   tot[ai][1][j] > 0 ? tot[ai][0][j] / tot[ai][1][j] : 0.0, 100.0 * tot[ai][1][j] / tot[ai][1][S_FWD]);
        double act[2];
        for (int w = 0; w < 2; w++) act[w] = tot[ai][w][S_EXP] - tot[ai][w][S_EXPN] + tot[ai][w][S_DW] - tot[ai][w][S_DWN];
        double conv[2], rest[2];
        for (int w = 0; w < 2; w++) {
            conv[w] = tot[ai][w][S_EXPN] + tot[ai][w][S_DWN] + tot[ai][w][S_PROJ];
            rest[w] = tot[ai][w][S_FWD] - conv[w] - act[w];
        }
        printf("SiLU (expand and depthwise, with minus without): fp32 %.4f ms (%.1f%% of forward), int8 %.4f ms (%.1f%%)\n", act[0],
               100.0 * act[0] / tot[ai][0][S_FWD], act[1], 100.0 * act[1] / tot[ai][1][S_FWD]);
        printf("convs without SiLU: fp32 %.4f, int8 %.4f ms (%.2fx); the rest (SE, quantise, adds, between steps): fp32 %.4f, int8 %.4f ms\n", conv[0],
               conv[1], conv[0] / conv[1], rest[0], rest[1]);
        printf("int8 forward with SiLU free: %.4f ms, %.2fx fp32; with SiLU and the rest free: %.2fx\n", tot[ai][1][S_FWD] - act[1],
               tot[ai][0][S_FWD] / (tot[ai][1][S_FWD] - act[1]), tot[ai][0][S_FWD] / conv[1]);
    }
    hant_context_destroy(ctx);
    return 0;
}
