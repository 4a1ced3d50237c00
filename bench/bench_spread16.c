/* Issue 16 (sixteenth session): how much a student's speed-up over its teacher
   moves between measurements minutes apart, against the interval one
   measurement states. Every PASS: each student measured as hant transform
   measured as hant transform measured it up to the fifteenth session
   (hant_bracket against the teacher: the teacher's median of 5 timings as the
   unit, then up to 20 rounds of 10 runs, done at 6 rounds once the ~95%
   interval of the median ratio is within 1%), every kept sample printed with
   its time; with GROUPS > 0 then again as hant transform measures it now
   (GROUPS groups of up to 8 rounds, one before the student's prefixes are
   timed and one after every 3 of them, hant_group_interval); then GAP
   seconds of sleep. Runs for SECONDS. Output lines (tab-separated):
     sample   t_s  pass  student  round  ratio      (ratio: student / teacher)
     run      t_s  pass  student  speedup  unc  samples  ms (the bracket's timing)
     group    t_s  pass  student  group  speedup  unc  ms (the group's timing)
     grouped  t_s  pass  student  speedup  unc  groups
   usage: bench_spread16 THREADS SECONDS GAP GROUPS TEACHER.hant STUDENT.hant...
   (under chrt -f 50: the context's threads inherit SCHED_FIFO) */
#define _POSIX_C_SOURCE 200809L
#define HANT_IMPLEMENTATION
#include "hant.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv) {
    if (argc < 7) { fprintf(stderr, "usage: bench_spread16 THREADS SECONDS GAP GROUPS TEACHER.hant STUDENT.hant...\n"); return 2; }
    int threads = atoi(argv[1]), groups = atoi(argv[4]), ns = argc - 6;
    if (groups > 16) return 2;
    double secs = atof(argv[2]), gap = atof(argv[3]);
    if (ns > 8) return 2;
    hant_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.threads = threads; cfg.pin_threads = 1;
    hant_context *ctx;
    if (hant_context_create(&cfg, &ctx)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
    hant_net *teacher, *st[8];
    if (hant_net_load(ctx, argv[5], &teacher)) { fprintf(stderr, "%s: %s\n", argv[5], hant_last_error()); return 1; }
    for (int i = 0; i < ns; i++)
        if (hant_net_load(ctx, argv[6 + i], &st[i])) { fprintf(stderr, "%s: %s\n", argv[6 + i], hant_last_error()); return 1; }
    const double t0 = hant_time_ms();
    for (int pass = 0; (hant_time_ms() - t0) / 1e3 < secs; pass++) {
        for (int i = 0; i < ns; i++) {
            hant_bracket p;
            memset(&p, 0, sizeof p);
            p.ctx = ctx; p.ref = teacher; p.batch = 1; p.rounds = 20; p.min_rounds = 6; p.target_unc = 0.01; p.drift_tol = 0.10; p.pc.reps = 10;
            p.log_on = 1;
            double r[5], hw;
            for (int k = 0; k < 5; k++) if (hant_bracket_ref(&p, &r[k])) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
            hant_median_interval(r, 5, &p.ref_ms, &hw);
            hant_timing tm;
            const double ts = (hant_time_ms() - t0) / 1e3;
            if (hant_bracket_nets(&p, &st[i], 1, &tm)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
            double te = (hant_time_ms() - t0) / 1e3;
            for (int k = 0; k < p.nlog; k++)
                printf("sample\t%.3f\t%d\t%s\t%d\t%.6f\n", ts + (te - ts) * (k + 0.5) / p.nlog, pass, argv[6 + i], p.log[k].round, p.log[k].ratio);
            double sp = 1 / tm.rel;
            printf("run\t%.3f\t%d\t%s\t%.5f\t%.5f\t%d\t%.1f\n", te, pass, argv[6 + i], sp, tm.unc_ms / tm.median_ms * sp, tm.reps, 1e3 * (te - ts));
            if (groups > 0) { /* hant transform's groups: one, then one after every 6 prefixes' timing, the rest at the end */
                const hant_arch sa = *hant_net_arch(st[i]);
                double gest[16], gunc[16];
                int ng = 0;
                hant_net *nets[8];
                hant_timing pre[8], gt;
#define GROUP()                                                                                                  \
    do {                                                                                                         \
        p.rounds = 8; p.min_rounds = 6; p.target_unc = 0.01;                                                     \
        const double tg = hant_time_ms();                                                                        \
        if (hant_bracket_nets(&p, &st[i], 1, &gt)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }    \
        gest[ng] = 1 / gt.rel; gunc[ng] = gt.unc_ms / gt.median_ms * gest[ng];                                   \
        printf("group\t%.3f\t%d\t%s\t%d\t%.5f\t%.5f\t%.1f\n", (hant_time_ms() - t0) / 1e3, pass, argv[6 + i], ng, gest[ng], gunc[ng], \
               hant_time_ms() - tg);                                                                             \
        ng++;                                                                                                    \
    } while (0)
                GROUP();
                for (int k0 = 0; k0 <= sa.num_blocks; k0 += 3) {
                    p.rounds = 8; p.min_rounds = 3; p.target_unc = 0.03;
                    int k1 = k0 + 3 <= sa.num_blocks + 1 ? k0 + 3 : sa.num_blocks + 1;
                    for (int k = k0; k < k1; k++) {
                        hant_arch pa = sa;
                        pa.num_blocks = k; pa.num_classes = 0; pa.head_cout = 0; pa.head_quant = 0; pa.head_hidden = 0;
                        if (hant_net_create(ctx, &pa, 1, &nets[k - k0])) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
                    }
                    if (hant_bracket_nets(&p, nets, k1 - k0, pre)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
                    for (int k = k0; k < k1; k++) hant_net_destroy(nets[k - k0]);
                    if (ng < groups) GROUP();
                }
                while (ng < groups) GROUP();
#undef GROUP
                hant_group_result g;
                hant_group_interval(gest, gunc, ng, &g);
                te = (hant_time_ms() - t0) / 1e3;
                printf("grouped\t%.3f\t%d\t%s\t%.5f\t%.5f\t%d\n", te, pass, argv[6 + i], g.center, g.unc, g.n);
            }
            fflush(stdout);
            hant_bracket_free(&p);
        }
        if (gap > 0) {
            struct timespec ts = { (time_t)gap, (long)((gap - (double)(time_t)gap) * 1e9) };
            nanosleep(&ts, NULL);
        }
    }
    for (int i = 0; i < ns; i++) hant_net_destroy(st[i]);
    hant_net_destroy(teacher);
    hant_context_destroy(ctx);
    return 0;
}
