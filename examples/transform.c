/* transform - HANT through the library alone: a teacher in, a faster student
   out. The phases of `hant transform` (which also writes a report): profile
   the latency table on this CPU, distill every candidate (phase 1), solve the
   selection under the budget (phase 2), assemble, fine-tune with knowledge
   distillation (phase 3), and time the student beside its teacher: the
   measured speed-up with its spread against the target, and each part in
   place against the table's price.

   cc -std=c11 -O2 -march=native examples/transform.c -o transform -lm -lpthread
   ./transform TEACHER.hant DATA_DIR WORK_DIR SPEEDUP OUT.hant [POOL [IMAGES [EPOCHS [SUBSET]]]]

   The table is WORK_DIR/lut.tsv: profiled (and its latency model fitted) on
   the first run; a table already there is extended as it is, not measured
   again (hant profile also checks it for drift). */
#define HANT_IMPLEMENTATION
#include "../hant.h"
#define HANT_SOLVER_IMPLEMENTATION
#include "../hant_solver.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void progress(void *user, const char *stage, int done, int total) {
    (void)user;
    if ((strcmp(stage, "train") && strcmp(stage, "profile")) || done == total) fprintf(stderr, "%s %d/%d\n", stage, done, total);
}

static int fail(const char *what) {
    fprintf(stderr, "transform: %s: %s\n", what, hant_last_error());
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 6) {
        fprintf(stderr, "usage: transform TEACHER.hant DATA_DIR WORK_DIR SPEEDUP OUT.hant [POOL [IMAGES [EPOCHS [SUBSET]]]]\n");
        return 2;
    }
    const char *work = argv[3], *out = argv[5], *pool = argc > 6 ? argv[6] : NULL;
    double speedup = atof(argv[4]);
    hant_context *ctx, *pctx;
    hant_net *teacher, *student;
    hant_dataset data;
    hant_lut lut;
    hant_scores scores;
    hant_selection sel;
    if (hant_context_create(NULL, &ctx)) return fail("context");
    if (hant_net_load(ctx, argv[1], &teacher)) return fail(argv[1]);
    const hant_arch *a = hant_net_arch(teacher);
    if (hant_dataset_open_dir(ctx, argv[2], "train", a->num_classes, &data)) return fail(argv[2]);

    /* the latency table, timed on the deployment's 2 pinned threads (a
       table's thread count is part of its keys): every candidate's part */
    char path[4096];
    snprintf(path, sizeof path, "%s/lut.tsv", work);
    FILE *old = fopen(path, "r");
    hant_config pc = { 0 };
    pc.threads = 2; pc.pin_threads = 1;
    hant_lut_profile_config lc = { 0 };
    lc.pool = pool; lc.no_check = 1; lc.validate = old ? 0 : HANT_VALIDATE_NETWORKS; lc.progress = progress;
    if (old) fclose(old);
    if (mkdir(work, 0777) && errno != EEXIST) { perror(work); return 1; }
    if (hant_context_create(&pc, &pctx) || hant_lut_profile(pctx, a, path, &lc, NULL)) return fail("profile");
    if (hant_lut_load(path, &lut)) return fail(path);

    /* phase 1: DIR/scores.tsv and the candidates' weights (a rerun resumes) */
    hant_distill_config dc = { 0 };
    hant_distill_result dr;
    dc.work_dir = work; dc.teacher_name = argv[1]; dc.progress = progress;
    dc.pool = pool;
    if (argc > 7) dc.images = atoi(argv[7]);
    if (hant_distill(ctx, teacher, &data, &dc, &dr)) return fail("distill");

    /* phase 2: the knapsack from the scores and the latency table, solved exactly */
    snprintf(path, sizeof path, "%s/scores.tsv", work);
    if (hant_scores_load(ctx, path, NULL, &scores) || hant_selection_build(ctx, a, &scores, &lut, &sel)) return fail("selection");
    double budget;
    if (hant_selection_budget(&sel, 0, speedup, 0, &budget)) return fail("budget");
    double bud[3]; /* latency, parameters, the model's knee piece */
    hant_selection_budgets(&sel, budget, 0, bud);
    hant_solver_problem pr = { 0 };
    pr.num_layers = sel.nlayers; pr.num_costs = sel.ncost; pr.num_items = sel.count; pr.loss = sel.loss; pr.cost = sel.cost; pr.budget = bud;
    hant_solver_config sc = { 0 };
    sc.time_limit = 60;
    hant_solver_result res = { 0 };
    if (hant_solver_solve(&pr, &sc, &res) < 0 || !res.item) {
        fprintf(stderr, "transform: no selection: %s\n", hant_solver_last_error());
        return 1;
    }
    const hant_score_row *choice[HANT_MAX_BLOCKS + 1];
    double pred;
    if (hant_selection_choose(&sel, res.item, choice, &pred, NULL)) return fail("choose");
    printf("budget %.4f ms, predicted %.4f ms (teacher %.4f ms)\n", budget, pred, sel.teacher_pred);
    if (hant_student_assemble(ctx, teacher, work, choice, &student)) return fail("assemble");

    /* phase 3: fine-tuning with knowledge distillation from the teacher */
    hant_train_config tc = { 0 };
    hant_train_result tr;
    tc.epochs = argc > 8 ? atoi(argv[8]) : 2;
    tc.subset = argc > 9 ? atoi(argv[9]) : 0;
    tc.lr = 0.02; tc.warmup_epochs = -1; /* no warm-up */
    if (hant_train(ctx, student, teacher, &data, &tc, &tr)) return fail("finetune");
    if (hant_net_save(student, out)) return fail(out);
    printf("%s: validation top-1 %.4f\n", out, tr.val_top1);

    /* the student beside its teacher on the table's threads, in groups of
       interleaved rounds, and its parts in place against the table */
    hant_net *tt, *st;
    hant_speedup_config kc = { 0 };
    hant_speedup_result *chk = (hant_speedup_result *)malloc(sizeof *chk);
    kc.lut = &lut;
    if (!chk || hant_net_load(pctx, argv[1], &tt) || hant_net_load(pctx, out, &st) || hant_speedup_check(tt, st, &kc, chk)) return fail("speed-up check");
    printf("measured beside the teacher: %.2fx +- %.2f (target %.2fx%s; predicted %.2fx)\n", chk->speedup.center, chk->speedup.unc, speedup,
           chk->speedup.center + chk->speedup.unc < speedup ? ", MISSED beyond the uncertainty" : "",
           chk->teacher_pred_ms > 0 && chk->student_pred_ms > 0 ? chk->teacher_pred_ms / chk->student_pred_ms : 0.0);
    for (int i = 0; i < chk->nparts; i++) {
        const hant_part_check *c = &chk->parts[i];
        char name[16];
        if (c->part < 0) snprintf(name, sizeof name, "stem");
        else if (c->part == a->num_blocks) snprintf(name, sizeof name, "head");
        else snprintf(name, sizeof name, "block %d", c->part);
        printf("  part %-9s in place %.4f +- %.4f ms, table %.4f ms at this run's level\n", name, c->inplace_ms, c->unc_ms, c->pred_level_ms);
    }
    free(chk);
    hant_net_destroy(st);
    hant_net_destroy(tt);
    hant_context_destroy(pctx);

    hant_solver_result_free(&res);
    hant_selection_free(&sel);
    hant_scores_free(&scores);
    hant_dataset_free(ctx, &data);
    hant_lut_free(&lut);
    hant_net_destroy(student);
    hant_net_destroy(teacher);
    hant_context_destroy(ctx);
    return 0;
}
