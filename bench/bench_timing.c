/* Which timing statistic survives a noisy host (issue 16)? A few parts of
   b0-fm are timed between two timings of the whole network (the reference),
   N samples each of R runs; per sample the runs' median and their minimum
   are both kept. For each statistic: the ratio to the reference, its ~95%
   interval (hant_ratio_estimate) with no drift check, and the share of
   samples whose two reference timings differ by more than 5%.

     build/cc-native/bench_timing THREADS SAMPLES REPS   (prints a table) */
#define HANT_IMPLEMENTATION
#include "hant.h"
#include <stdio.h>
#include <stdlib.h>

static void stat_time(hant_net *net, int reps, double *med, double *mn) {
    hant_profile_config pc;
    memset(&pc, 0, sizeof pc);
    pc.reps = reps;
    hant_timing t;
    if (hant_profile_net(net, 1, &pc, &t)) { fprintf(stderr, "%s\n", hant_last_error()); exit(1); }
    *med = t.median_ms; *mn = t.min_ms;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 2, n = argc > 2 ? atoi(argv[2]) : 30, reps = argc > 3 ? atoi(argv[3]) : 15;
    if (n < 3 || n > 1000 || reps < 1) { fprintf(stderr, "usage: bench_timing THREADS SAMPLES(3..1000) REPS\n"); return 2; }
    hant_config cfg = { threads, 1, { 0 } };
    hant_context *ctx;
    hant_arch a;
    if (hant_context_create(&cfg, &ctx) || hant_arch_builtin("b0-fm", &a)) return 1;
    hant_net *ref;
    if (hant_net_create(ctx, &a, 1, &ref)) return 1;
    const int parts[] = { HANT_PART_STEM, 0, 5, 12, a.num_blocks };
    double load[3] = { 0 };
    FILE *la = fopen("/proc/loadavg", "r");
    if (la) { if (fscanf(la, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3) load[0] = -1; fclose(la); }
    printf("# b0-fm parts against the whole network, %d threads, %d samples of %d runs, load average %.2f %.2f %.2f\n", threads, n, reps, load[0], load[1], load[2]);
    printf("%-6s %-10s %10s %9s %10s %9s %9s %9s\n", "part", "ref_ms", "ratio_med", "unc_med", "ratio_min", "unc_min", "drift_med", "drift_min");
    double *x1 = malloc(sizeof(double) * (size_t)n), *x2 = malloc(sizeof(double) * (size_t)n), *b1 = malloc(sizeof(double) * (size_t)(n + 1)),
           *b2 = malloc(sizeof(double) * (size_t)(n + 1));
    for (size_t pi = 0; pi < sizeof parts / sizeof parts[0]; pi++) {
        hant_arch pa;
        hant_net *net;
        if (hant_arch_part(&a, parts[pi], &pa) || hant_net_create(ctx, &pa, 1, &net)) return 1;
        stat_time(ref, reps, &b1[0], &b2[0]);
        int drift = 0, drift2 = 0;
        for (int i = 0; i < n; i++) {
            stat_time(net, reps, &x1[i], &x2[i]);
            stat_time(ref, reps, &b1[i + 1], &b2[i + 1]);
            drift += fabs(b1[i + 1] / b1[i] - 1) > 0.05;
            drift2 += fabs(b2[i + 1] / b2[i] - 1) > 0.05;
        }
        hant_ratio q1, q2;
        hant_ratio_estimate(x1, b1, b1 + 1, n, 0, &q1);
        hant_ratio_estimate(x2, b2, b2 + 1, n, 0, &q2);
        double rm, hw;
        hant_median_interval(b1, n + 1, &rm, &hw);
        printf("%-6d %-10.4f %10.5f %8.2f%% %10.5f %8.2f%% %8.0f%% %8.0f%%\n", parts[pi], rm, q1.ratio, 100 * q1.unc, q2.ratio, 100 * q2.unc, 100.0 * drift / n,
               100.0 * drift2 / n);
        hant_net_destroy(net);
    }
    free(x1); free(x2); free(b1); free(b2);
    hant_net_destroy(ref);
    hant_context_destroy(ctx);
    return 0;
}
