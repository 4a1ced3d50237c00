/* Latency truth (issue 16): the timing math on synthetic timings with known
   drift and noise, the latency model's fit on synthetic networks with a known
   bias, the machine fingerprint and the refusal of foreign tables, the
   single cost model (select's per-part costs add up to the prediction), and
   one real bracketed timing of a tiny network and a tiny student beside its
   teacher (reported, not bounded: a shared machine's timings are noise). No
   other test here reads the clock. Selection under a model with a knee is checked against a
   brute force. */
#define HANT_IMPLEMENTATION
#include "hant.h"
#define HANT_SOLVER_IMPLEMENTATION
#include "hant_solver.h"
#include "hant_test.h"

static char dir[128];

static double gauss(void) { /* Box-Muller on the test rng */
    double u1 = (ht_u64() >> 11) * (1.0 / 9007199254740992.0) + 1e-300, u2 = (ht_u64() >> 11) * (1.0 / 9007199254740992.0);
    return sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
}

/* ---- machine fingerprint ---- */
static const char *intel_text =
    "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 207\nmodel name\t: Intel(R) Xeon(R) Processor\nstepping\t: 2\n"
    "flags\t\t: fpu sse sse2 sse4_2 avx fma avx2 avx512f avx512bw avx512vl avx512_vnni avx_vnni avx512_bf16 hypervisor\n\n"
    "processor\t: 1\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 207\nmodel name\t: Intel(R) Xeon(R) Processor\nstepping\t: 2\n"
    "flags\t\t: fpu sse sse2 sse4_2 avx fma avx2 avx512f avx512bw avx512vl avx512_vnni avx_vnni avx512_bf16 hypervisor\n";
/* the issue's machine: an AVX2-only AMD EPYC (Zen 3), 2 cores */
static const char *zen3_text =
    "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 1\nmodel name\t: AMD EPYC 7B13\nstepping\t: 0\n"
    "flags\t\t: fpu sse4_2 avx f16c fma avx2 bmi2 vaes\n\nprocessor\t: 1\nvendor_id\t: AuthenticAMD\n";

static void test_cpu_parse(void) {
    hant_cpu_info a, z, none;
    hant_cpu_info_parse(intel_text, &a);
    HT_CHECK(!strcmp(a.vendor, "GenuineIntel") && a.family == 6 && a.model == 207 && a.stepping == 2 && a.cores == 2, "intel: %s %d %d %d %d", a.vendor,
             a.family, a.model, a.stepping, a.cores);
    HT_CHECK(!strcmp(a.name, "Intel(R) Xeon(R) Processor"), "name '%s'", a.name);
    HT_CHECK(!strcmp(a.isa, "sse4_2 avx fma avx2 avx512f avx512bw avx512vl avx512_vnni avx_vnni avx512_bf16"), "isa '%s'", a.isa);
    hant_cpu_info_parse(zen3_text, &z);
    HT_CHECK(!strcmp(z.vendor, "AuthenticAMD") && z.family == 25 && z.model == 1 && z.stepping == 0 && z.cores == 2, "zen3 fields");
    HT_CHECK(!strcmp(z.isa, "sse4_2 avx fma f16c avx2"), "zen3 isa '%s'", z.isa);
    hant_cpu_info_parse("", &none);
    HT_CHECK(!none.vendor[0] && none.family == -1 && none.cores == 0 && !strcmp(none.name, "unknown"), "empty text");
    hant_cpu_info_parse("model\n: :\nflags\t:\nprocessor", &none); /* hostile: no crash */
    HT_CHECK(none.cores == 0 && none.family == -1, "fragments: cores %d", none.cores);
    hant_cpu_info here;
    hant_cpu_identify(&here);
    HT_CHECK(here.cores >= 1, "this machine has %d cores", here.cores);
    printf("  this machine: %s, %s family %d model %d stepping %d, %d cores, isa '%s'\n", here.name, here.vendor, here.family, here.model, here.stepping,
           here.cores, here.isa);
}

/* ---- the profile lock ---- */
#include <sys/wait.h>
static void lock_note_wait(void *user, const char *stage, int done, int total) {
    (void)done; (void)total;
    if (!strcmp(stage, "wait")) { char c = 'w'; if (write(*(int *)user, &c, 1) != 1) _exit(3); }
}

/* A second process that asks for the lock waits (progress "wait") until the
   holder lets go, then gets it; on Linux no file is left behind. */
static void test_profile_lock(void) {
    struct stat before, after;
    int had_file = stat("/tmp/hant-profile.lock", &before) == 0;
    int lock = hant_profile_lock(NULL, NULL);
    HT_CHECK(lock >= 0, "the first taker got no lock");
    int p[2];
    HT_CHECK(pipe(p) == 0, "pipe");
    pid_t pid = fork();
    if (pid == 0) { /* the second taker: note the wait, then hold the lock once the parent lets go */
        close(p[0]);
        hant_profile_unlock(lock); /* the child's copy of the parent's lock is not the parent's hold */
        int l2 = hant_profile_lock(lock_note_wait, &p[1]);
        char c = l2 >= 0 ? 'g' : 'f';
        _exit(write(p[1], &c, 1) == 1 ? 0 : 2);
    }
    close(p[1]);
    char c = 0;
    HT_CHECK(read(p[0], &c, 1) == 1 && c == 'w', "the second taker did not report a wait (got '%c')", c);
    struct timespec ts = {0, 100 * 1000 * 1000};
    nanosleep(&ts, NULL);
    hant_profile_unlock(lock);
    c = 0;
    HT_CHECK(read(p[0], &c, 1) == 1 && c == 'g', "the second taker did not get the lock after the first let go (got '%c')", c);
    int status = 0;
    waitpid(pid, &status, 0);
    HT_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the second taker exited with %d", status);
    close(p[0]);
#ifdef __linux__
    HT_CHECK(had_file || stat("/tmp/hant-profile.lock", &after) != 0, "the lock left a file in /tmp");
#else
    (void)had_file; (void)after;
#endif
}

static void test_foreign_table(void) {
    char path[256];
    snprintf(path, sizeof path, "%s/zen3.tsv", dir);
    hant_lut lut, back;
    memset(&lut, 0, sizeof lut);
    lut.threads = 2; lut.batch = 1;
    snprintf(lut.cache, sizeof lut.cache, "warm");
    snprintf(lut.flags, sizeof lut.flags, "cc -O2 -march=native isa=avx2 int8=avx2");
    hant_cpu_info_parse(zen3_text, &lut.machine);
    snprintf(lut.cpu, sizeof lut.cpu, "%s", lut.machine.name);
    snprintf(lut.reference, sizeof lut.reference, "net arch=0123456789abcdef b=1 t=2 p=fp32");
    lut.reference_ms = 1.06;
    hant_timing t = { 0.125, 0.002, 0.12, 15, 0.001, 0.125 / 1.06 };
    HT_CHECK(hant_lut_set(&lut, "conv cin=8 b=1 t=2 p=fp32", &t) == HANT_OK, "set");
    HT_CHECK(hant_lut_save(&lut, path) == HANT_OK, "save: %s", hant_last_error());
    HT_CHECK(hant_lut_load(path, &back) == HANT_OK, "load: %s", hant_last_error());
    HT_CHECK(!strcmp(back.machine.vendor, "AuthenticAMD") && back.machine.family == 25 && back.machine.model == 1 && back.machine.stepping == 0 &&
                 back.machine.cores == 2 && !strcmp(back.machine.isa, lut.machine.isa),
             "fingerprint after a round trip");
    HT_CHECK(!strcmp(back.reference, lut.reference) && HT_CLOSE(back.reference_ms, 1.06, 1e-9, 0), "reference after a round trip");
    const hant_lut_entry *e = hant_lut_find(&back, "conv cin=8 b=1 t=2 p=fp32");
    HT_CHECK(e && HT_CLOSE(e->t.unc_ms, 0.001, 1e-9, 0) && HT_CLOSE(e->t.rel, 0.125 / 1.06, 1e-6, 0), "unc_ms and rel after a round trip");
    hant_cpu_info intel;
    hant_cpu_info_parse(intel_text, &intel);
    int unchecked = -1;
    hant_status st = hant_lut_check_machine(&back, &intel, lut.flags, &unchecked);
    HT_CHECK(st == HANT_ERR_UNSUPPORTED && strstr(hant_last_error(), "vendor AuthenticAMD, here GenuineIntel") && strstr(hant_last_error(), "model 1, here 207") &&
                 strstr(hant_last_error(), "ISA flags"),
             "a Zen 3 table on this Intel: %d '%s'", st, hant_last_error());
    HT_CHECK(hant_lut_check_machine(&back, &back.machine, lut.flags, &unchecked) == HANT_OK && unchecked == 0, "same machine and build");
    st = hant_lut_check_machine(&back, &back.machine, "clang -O2 -march=x86-64-v3 isa=avx2 int8=avx2", &unchecked);
    HT_CHECK(st == HANT_ERR_UNSUPPORTED && strstr(hant_last_error(), "build 'cc -O2"), "another build: '%s'", hant_last_error());
    hant_cpu_info more = back.machine;
    more.cores = 4;
    HT_CHECK(hant_lut_check_machine(&back, &more, NULL, &unchecked) == HANT_ERR_UNSUPPORTED && strstr(hant_last_error(), "2 cores, here 4"), "core count");
    hant_lut_free(&back);
    hant_lut_free(&lut);

    /* an old table (v1, no fingerprint) still loads and is reported unchecked */
    HT_CHECK(hant_lut_load("bench/lut-b0-fm.tsv", &back) == HANT_OK, "bench/lut-b0-fm.tsv: %s", hant_last_error());
    HT_CHECK(!back.machine.vendor[0] && back.count > 100, "old table: no fingerprint, %d entries", back.count);
    HT_CHECK(hant_lut_check_machine(&back, &intel, "x", &unchecked) == HANT_OK && unchecked == 1, "an old table is unchecked, not refused");
    hant_latency_model m;
    hant_lut_model(&back, 1, 2, &m);
    HT_CHECK(m.coef[1] == 1 && m.coef[2] == 0, "old table: the plain sum plus its bias rows");
    hant_lut_free(&back);

    /* hostile header values name the line */
    static const struct { const char *text, *needle; } bad[] = {
        { "# hant latency table v2\n# family\tsix\n", ":2:" },
        { "# hant latency table v2\n# cpu\tx\n# cores\t0\n", ":3:" },
        { "# hant latency table v2\n# reference_ms\t-1\n", ":2:" },
        { "# hant latency table v2\n# reference_ms\tnan\n", ":2:" },
        { "# hant latency table v2\n# model\t99999999999999999999\n", ":2:" },
        { "# hant latency table v2\nkey\tmedian_ms\tmad_ms\tmin_ms\treps\tunc_ms\trel\nconv\t0.1\t0\t0.1\t5\t0.01\n", ":3:" },
        { "# hant latency table v2\nkey\tmedian_ms\tmad_ms\tmin_ms\treps\tunc_ms\trel\nconv\t0.1\t0\t0.1\t5\t-0.01\t1\n", ":3:" },
        { "# hant latency table v2\nkey\tmedian_ms\tmad_ms\tmin_ms\treps\tunc_ms\trel\nconv\t0.1\t0\t0.1\t5\t0.01\tinf\n", ":3:" },
        { "# hant latency table v8\nkey\tmedian_ms\tmad_ms\tmin_ms\treps\nconv\t0.1\t0\t0.1\t5\n", ":1: latency table v8 is newer" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        FILE *f = fopen(path, "w");
        fputs(bad[i].text, f);
        fclose(f);
        st = hant_lut_load(path, &back);
        HT_CHECK(st == HANT_ERR_FORMAT && strstr(hant_last_error(), bad[i].needle), "bad table %zu: status %d, '%s'", i, st, hant_last_error());
    }
    remove(path);
}

/* ---- timing against a reference ---- */
static void test_median_interval(void) {
    double v[] = { 5, 1, 4, 2, 3 }, med, hw;
    HT_CHECK(hant_median_interval(v, 5, &med, &hw) == HANT_OK && med == 3 && hw == 2, "n=5: the range below 6 samples");
    HT_CHECK(v[0] == 5 && v[4] == 3, "input unchanged");
    HT_CHECK(hant_median_interval(v, 0, &med, &hw) != HANT_OK, "no values");
    /* coverage: 2000 samples of n = 25 from a skewed (log-normal) law; the
       interval must hold the true median (1) about 95% of the time */
    ht_seed(7);
    int cover = 0, trials = 2000;
    for (int t = 0; t < trials; t++) {
        double x[25];
        for (int i = 0; i < 25; i++) x[i] = exp(0.3 * gauss());
        hant_median_interval(x, 25, &med, &hw);
        cover += fabs(med - 1) <= hw;
    }
    HT_CHECK(cover >= 0.92 * trials && cover <= 0.995 * trials, "coverage %d of %d", cover, trials);
}

/* The issue's drift: the machine slows from 1.06 to 2.2 ms for the teacher
   over the session, with 3% noise and bursts of a noisy neighbour. Ratios
   bracketed by the reference recover the true ratios; plain timings do not. */
static void test_drift_cancels(void) {
    ht_seed(11);
    enum { NCFG = 20, ROUNDS = 9 };
    double truth[NCFG], x[NCFG][ROUNDS], before[NCFG][ROUNDS], after[NCFG][ROUNDS], plain[NCFG][ROUNDS];
    double refs[NCFG * ROUNDS + 1];
    int nref = 0;
    for (int c = 0; c < NCFG; c++) truth[c] = 0.02 + 0.5 * c / NCFG; /* relative to the reference */
    double clock = 0, total = NCFG * ROUNDS;
    double ref_prev = 1.06;
    refs[nref++] = ref_prev;
    for (int r = 0; r < ROUNDS; r++)
        for (int c = 0; c < NCFG; c++) {
            double speed = 1 + 1.08 * clock / total; /* 1.06 ms -> 2.2 ms */
            double burst = (ht_u64() % 10 == 0) ? 1.5 : 1.0; /* a neighbour for one sample */
            double xs = 1.06 * speed * truth[c] * exp(0.03 * gauss()) * burst;
            clock += 1;
            double speed2 = 1 + 1.08 * clock / total;
            double ref_after = 1.06 * speed2 * exp(0.03 * gauss());
            x[c][r] = xs; before[c][r] = ref_prev; after[c][r] = ref_after; plain[c][r] = xs;
            ref_prev = ref_after;
            refs[nref++] = ref_after;
        }
    double worst = 0, worst_plain = 0, worst_unc = 0;
    int inside = 0;
    for (int c = 0; c < NCFG; c++) {
        hant_ratio q;
        HT_CHECK(hant_ratio_estimate(x[c], before[c], after[c], ROUNDS, 0.10, &q) == HANT_OK, "estimate");
        double e = fabs(q.ratio / truth[c] - 1);
        worst = fmax(worst, e);
        worst_unc = fmax(worst_unc, q.unc);
        inside += e <= q.unc + 1e-12;
        double med, hw;
        hant_median_interval(plain[c], ROUNDS, &med, &hw);
        worst_plain = fmax(worst_plain, fabs(med / 1.06 / truth[c] - 1)); /* against the reference timed once, at the start */
    }
    printf("  drift 1.06 -> 2.2 ms: bracketed ratios off by at most %.2f%% (stated uncertainty up to %.2f%%, %d of %d inside it); "
           "plain timings off by up to %.0f%%\n", 100 * worst, 100 * worst_unc, inside, NCFG, 100 * worst_plain);
    HT_CHECK(worst < 0.04, "bracketed ratios recover the truth within 4%%: worst %.3f", worst);
    HT_CHECK(worst_plain > 0.3, "the drift is real: plain timings are off by %.2f", worst_plain);
    HT_CHECK(inside >= NCFG * 8 / 10, "%d of %d truths inside the stated uncertainty", inside, NCFG);
    double d = hant_drift(refs, nref, 4);
    HT_CHECK(d > 0.6 && d < 1.2, "drift of the reference series %.2f (truth: +108%% end to end, ~+60-110%% between quarter medians)", d);
    double flat[40];
    for (int i = 0; i < 40; i++) flat[i] = 1 + 0.01 * gauss();
    HT_CHECK(hant_drift(flat, 40, 4) < 0.02, "no drift: %.3f", hant_drift(flat, 40, 4));

    /* a step change while one sample runs: its brackets disagree and it is dropped */
    double xs[4] = { 0.5, 0.5, 0.9, 0.5 }, b[4] = { 1, 1, 1, 1 }, a[4] = { 1, 1, 1.8, 1 };
    hant_ratio q;
    hant_ratio_estimate(xs, b, a, 4, 0.05, &q);
    HT_CHECK(q.kept == 3 && q.dropped == 1 && q.ratio == 0.5, "step drift: kept %d dropped %d ratio %g", q.kept, q.dropped, q.ratio);
    /* hostile samples: NaN, zero and negative references are dropped */
    double hx[3] = { NAN, 0.5, 0.5 }, hb[3] = { 1, 0, 1 }, ha[3] = { 1, 1, -1 };
    hant_ratio_estimate(hx, hb, ha, 3, 0, &q);
    HT_CHECK(q.kept == 0 && q.dropped == 3 && q.ratio == 0 && q.unc == 1, "hostile samples");
    HT_CHECK(hant_ratio_estimate(NULL, hb, ha, 3, 0, &q) != HANT_OK, "NULL");
}

/* A speed-up measured in groups (hant transform's side by side): the ratio
   itself moves between groups (truth: 4% per group, as the load of a shared
   machine moved the demo's students), which one run's interval of the median
   cannot see. hant_group_interval must recover that spread from 6 groups of
   8 samples, and its interval must hold the groups of the next measurement
   ~95% of the time (and its center more often), where one run's interval
   holds few of the next runs. */
static void test_group_interval(void) {
    enum { G = 6, M = 8, ONE = 20, NMEAS = 300 };
    const double S = 3.0, sb = 0.04, sw = 0.01;
    ht_seed(77);
    double est[NMEAS][G], center[NMEAS], unc[NMEAS], one[NMEAS], one_unc[NMEAS], ss = 0;
    for (int k = 0; k < NMEAS; k++) {
        double u[G], r[ONE], med, hw;
        for (int g = 0; g < G; g++) {
            const double level = (1 + sb * gauss()) / S; /* the student's time over the teacher's while this group runs */
            for (int i = 0; i < M; i++) r[i] = level * (1 + sw * gauss()) * (ht_u64() % 10 == 0 ? 1.3 : 1.0); /* a neighbour now and then */
            hant_median_interval(r, M, &med, &hw);
            est[k][g] = 1 / med; u[g] = hw / med * est[k][g];
        }
        hant_group_result res;
        HT_CHECK(hant_group_interval(est[k], u, G, &res) == HANT_OK && res.n == G, "groups: %s", hant_last_error());
        center[k] = res.center; unc[k] = res.unc;
        ss += res.sd * res.sd;
        HT_CHECK(res.lo <= res.center && res.center <= res.hi && res.unc > 0, "lo %g center %g hi %g unc %g", res.lo, res.center, res.hi, res.unc);
        /* one run as before: 20 samples at one level of the machine */
        const double level = (1 + sb * gauss()) / S;
        for (int i = 0; i < ONE; i++) r[i] = level * (1 + sw * gauss()) * (ht_u64() % 10 == 0 ? 1.3 : 1.0);
        hant_median_interval(r, ONE, &med, &hw);
        one[k] = 1 / med; one_unc[k] = hw / med * one[k];
    }
    const double sd = sqrt(ss / NMEAS) / S;
    int cov = 0, covc = 0, cov_one = 0;
    double mu = 0;
    for (int k = 0; k + 1 < NMEAS; k++) {
        for (int g = 0; g < G; g++) cov += fabs(est[k + 1][g] - center[k]) <= unc[k];
        covc += fabs(center[k + 1] - center[k]) <= unc[k];
        cov_one += fabs(one[k + 1] - one[k]) <= one_unc[k];
        mu += unc[k] / S;
    }
    printf("  ratio moving 4%% between groups: spread recovered %.2f%%; stated interval +-%.1f%% on average, holding %d of %d groups and %d of %d "
           "centers of the next measurement; one run's interval holds %d of %d next runs\n", 100 * sd, 100 * mu / (NMEAS - 1), cov, G * (NMEAS - 1), covc,
           NMEAS - 1, cov_one, NMEAS - 1);
    HT_CHECK(sd > 0.036 && sd < 0.05, "spread between groups %.4f (truth 0.04, plus the noise of an 8-sample median)", sd);
    HT_CHECK(cov >= G * (NMEAS - 1) * 90 / 100, "the interval holds %d of %d next groups (want ~95%%)", cov, G * (NMEAS - 1));
    HT_CHECK(covc >= (NMEAS - 1) * 95 / 100, "the interval holds %d of %d next centers", covc, NMEAS - 1);
    HT_CHECK(cov_one < (NMEAS - 1) / 2, "one run's interval holds %d of %d next runs: the test does not see the problem", cov_one, NMEAS - 1);

    /* exact figures: t(3) = 3.182, sd 0.1732, sqrt(1 + 1/4) */
    double e[4] = { 2.8, 3.1, 2.8, 3.1 }, eu[4] = { 0.05, 0.05, 0.05, 0.05 };
    hant_group_result q;
    HT_CHECK(hant_group_interval(e, eu, 4, &q) == HANT_OK && fabs(q.center - 2.95) < 1e-12 && fabs(q.sd - 0.173205) < 1e-6 &&
             fabs(q.unc - 3.182 * 0.173205081 * sqrt(1.25)) < 1e-6 && q.lo == 2.8 && q.hi == 3.1, "exact: center %g sd %g unc %g", q.center, q.sd, q.unc);
    /* groups that agree: the groups' own intervals are the floor */
    double f[4] = { 3, 3, 3, 3 }, fu[4] = { 0.02, 0.04, 0.04, 0.06 };
    HT_CHECK(hant_group_interval(f, fu, 4, &q) == HANT_OK && q.sd == 0 && fabs(q.unc - 0.04 * sqrt(1.25)) < 1e-12, "floor: unc %g", q.unc);
    HT_CHECK(hant_group_interval(f, NULL, 4, &q) == HANT_OK && q.unc == 0, "no group intervals: unc %g", q.unc);
    /* one group: its own interval */
    HT_CHECK(hant_group_interval(f, fu + 1, 1, &q) == HANT_OK && q.n == 1 && q.unc == 0.04 && q.center == 3, "one group: unc %g", q.unc);
    /* hostile estimates are skipped; none left, or no groups, is an error */
    double h[5] = { NAN, 0, -1, INFINITY, 2 }, hu[5] = { 0.1, 0.1, 0.1, 0.1, 0.01 };
    HT_CHECK(hant_group_interval(h, hu, 5, &q) == HANT_OK && q.n == 1 && q.center == 2 && q.unc == 0.01, "hostile: n %d center %g unc %g", q.n, q.center, q.unc);
    HT_CHECK(hant_group_interval(h, hu, 4, &q) == HANT_ERR_INVALID_ARG && strstr(hant_last_error(), "no group"), "all hostile accepted");
    HT_CHECK(hant_group_interval(h, hu, 0, &q) == HANT_ERR_INVALID_ARG && hant_group_interval(NULL, hu, 2, &q) == HANT_ERR_INVALID_ARG, "g 0 or NULL accepted");
}

/* ---- the latency model ---- */
/* Synthetic networks with a known bias: measured = 0.05 + 1.12 sum(t)
   - 0.004 per part + 0.006 per million weights, 1% noise. The fit must
   recover it, and predict held-out networks within 3.5%. */
static void test_model_fit(void) {
    ht_seed(3);
    enum { N = 60, K = HANT_LATENCY_TERMS };
    const double truth[K] = { 0.05, 1.12, -0.004, 0.006 };
    double X[N][K], y[N];
    memset(X, 0, sizeof X); /* no part-hinge columns: none in the truth */
    for (int i = 0; i < N; i++) {
        int parts = 10 + (int)(ht_u64() % 8);
        X[i][0] = 1; X[i][1] = 0; X[i][2] = parts; X[i][3] = 0;
        for (int p = 0; p < parts; p++) {
            X[i][1] += 0.005 + 0.06 * (double)(ht_u64() % 1000) / 1000;
            X[i][3] += 0.3 * (double)(ht_u64() % 1000) / 1000;
        }
        y[i] = 0;
        for (int k = 0; k < K; k++) y[i] += truth[k] * X[i][k];
        y[i] *= 1 + 0.01 * gauss();
    }
    hant_latency_model m;
    HT_CHECK(hant_latency_fit(&X[0][0], y, N / 2, NULL, 0, &m) == HANT_OK, "fit: %s", hant_last_error());
    printf("  fit on %d networks: network %+.4f (+-%.4f) ms, time x%.4f (+-%.4f), part %+.5f (+-%.5f) ms, mwords %+.5f (+-%.5f) ms; residual %.2f%%\n", m.nfit,
           m.coef[0], m.se[0], m.coef[1], m.se[1], m.coef[2], m.se[2], m.coef[3], m.se[3], 100 * m.resid);
    HT_CHECK(fabs(m.coef[1] - truth[1]) < 0.03, "time coefficient %.4f (truth %.2f)", m.coef[1], truth[1]);
    HT_CHECK(fabs(m.coef[2] - truth[2]) < 0.006, "per-part term %.5f (truth %.3f)", m.coef[2], truth[2]);
    HT_CHECK(fabs(m.coef[3] - truth[3]) < 0.006, "weights term %.5f (truth %.3f)", m.coef[3], truth[3]);
    HT_CHECK(fabs(m.coef[1] - truth[1]) < 4 * m.se[1] + 1e-3 && m.se[1] > 0, "the standard error is honest: %.4f +- %.4f", m.coef[1], m.se[1]);
    HT_CHECK(m.resid > 0.005 && m.resid < 0.015, "residual %.4f ~ the 1%% noise", m.resid);
    double worst = 0, plain_worst = 0;
    for (int i = N / 2; i < N; i++) {
        worst = fmax(worst, fabs(hant_latency_eval(&m, X[i]) / y[i] - 1));
        plain_worst = fmax(plain_worst, fabs(X[i][1] / y[i] - 1));
    }
    printf("  held out: worst error %.2f%% (the plain sum: %.1f%%)\n", 100 * worst, 100 * plain_worst);
    HT_CHECK(worst < 0.035, "held-out worst error %.4f", worst);
    HT_CHECK(plain_worst > 0.05, "the bias is real: plain sum off by %.3f", plain_worst);

    /* ridge: with 3 networks and a strong pull the fit stays at the prior */
    HT_CHECK(hant_latency_fit(&X[0][0], y, 3, NULL, 1e6, &m) == HANT_OK && fabs(m.coef[1] - 1) < 1e-3 && fabs(m.coef[2]) < 1e-4, "ridge toward the prior");
    /* the plain sum exactly: the fit finds {0, 1, 0, 0} */
    double y2[N];
    for (int i = 0; i < N; i++) y2[i] = X[i][1];
    HT_CHECK(hant_latency_fit(&X[0][0], y2, N, NULL, 0, &m) == HANT_OK && fabs(m.coef[1] - 1) < 1e-6 && m.resid < 1e-9, "exact data, coef %g resid %g",
             m.coef[1], m.resid);
    /* hostile: a non-positive or NaN latency, degenerate columns */
    y2[4] = NAN;
    HT_CHECK(hant_latency_fit(&X[0][0], y2, N, NULL, 0, &m) == HANT_ERR_INVALID_ARG && strstr(hant_last_error(), "network 4"), "NaN latency");
    y2[4] = 0;
    HT_CHECK(hant_latency_fit(&X[0][0], y2, N, NULL, 0, &m) == HANT_ERR_INVALID_ARG, "zero latency");
    double Z[2][K] = { { 1, 0, 0, 0 }, { 1, 0, 0, 0 } }, yz[2] = { 1, 1 };
    HT_CHECK(hant_latency_fit(&Z[0][0], yz, 2, NULL, 0, &m) == HANT_OK && m.coef[1] == 1 && fabs(m.coef[0] - 1) < 1e-6, "all-zero columns keep the prior");
}

/* The weight cost's knee (bench/RESULTS.md, "Why the demo's students
   overshot" and "The knee"): a network streams its weights only beyond the
   cache. Synthetic truth: measured = 0.02 + 1.1 sum + 0.045 max(0, W - 0.6)
   ms (W in million words), 1% noise. Fitted on mid-sized networks alone, a
   linear model overprices small ones (the students); fitted on networks that
   span both, as hant profile --validate draws them, the fit must recover the
   knee, its slope and the bias, and predict held-out networks of both kinds
   within a few percent. */
static void test_model_knee(void) {
    ht_seed(7);
    enum { N = 60, K = HANT_LATENCY_TERMS };
    double Xm[N][K], ym[N], Xs[N][K], ys[N];
    memset(Xm, 0, sizeof Xm); memset(Xs, 0, sizeof Xs);
    for (int i = 0; i < 2 * N; i++) {
        int small = i >= N, parts = 12 + (int)(ht_u64() % 7);
        double *x = small ? Xs[i - N] : Xm[i], *y = small ? &ys[i - N] : &ym[i];
        x[0] = 1; x[1] = 0; x[2] = parts; x[3] = 0;
        for (int p = 0; p < parts; p++) {
            double u = (double)(ht_u64() % 1000) / 1000, v = (double)(ht_u64() % 1000) / 1000;
            x[1] += small ? 0.002 + 0.006 * u : 0.01 + 0.03 * u;
            x[3] += small ? 0.01 + 0.06 * v : 0.05 + 0.2 * v;
        }
        *y = (0.02 + 1.1 * x[1] + 0.045 * fmax(0, x[3] - 0.6)) * (1 + 0.01 * gauss());
    }
    hant_latency_model mid, both;
    /* the mid-sized networks (W 1.1-2.9) never see the knee */
    HT_CHECK(hant_latency_fit(&Xm[0][0], ym, N, NULL, 0.01, &mid) == HANT_OK, "fit on mid-sized networks");
    /* fitted on the even networks of both kinds, scored on the odd ones */
    double Xe[N][K], ye[N];
    for (int i = 0; i < N / 2; i++) {
        memcpy(Xe[2 * i], Xm[2 * i], sizeof Xe[0]); ye[2 * i] = ym[2 * i];
        memcpy(Xe[2 * i + 1], Xs[2 * i], sizeof Xe[0]); ye[2 * i + 1] = ys[2 * i];
    }
    HT_CHECK(hant_latency_fit(&Xe[0][0], ye, N, NULL, 0, &both) == HANT_OK, "fit on both kinds (no ridge: recover the truth)");
    double worst_mid = 0, worst_both = 0, worst_both_mid = 0;
    for (int i = 0; i < N; i++) worst_mid = fmax(worst_mid, hant_latency_eval(&mid, Xs[i]) / ys[i] - 1);
    for (int i = 1; i < N; i += 2) {
        worst_both = fmax(worst_both, fabs(hant_latency_eval(&both, Xs[i]) / ys[i] - 1));
        worst_both_mid = fmax(worst_both_mid, fabs(hant_latency_eval(&both, Xm[i]) / ym[i] - 1));
    }
    printf("  knee: fitted on mid-sized networks, small ones overpriced by up to %.0f%%; fitted on both kinds: knee %.3f (truth 0.6), %.4f +- %.4f ms "
           "per million words beyond it (truth 0.045), network %+.4f ms (truth 0.02), time x%.3f (1.1); held out: small %.1f%%, mid %.1f%%\n",
           100 * worst_mid, both.knee, both.knee_coef, both.knee_se, both.coef[0], both.coef[1], 100 * worst_both, 100 * worst_both_mid);
    HT_CHECK(worst_mid > 0.15, "the knee is real: small networks overpriced by %.3f", worst_mid);
    HT_CHECK(fabs(both.knee - 0.6) < 0.12, "knee recovered: %.3f (truth 0.6)", both.knee);
    HT_CHECK(fabs(both.knee_coef - 0.045) < 0.012 && both.knee_se > 0, "slope beyond the knee recovered: %.4f +- %.4f (truth 0.045)", both.knee_coef, both.knee_se);
    HT_CHECK(fabs(both.coef[0] - 0.02) < 0.008, "bias recovered: %.4f (truth 0.02)", both.coef[0]);
    HT_CHECK(fabs(both.coef[1] - 1.1) < 0.05 && fabs(both.coef[3]) < 0.01, "time x%.3f (1.1), linear weight term %.4f (0)", both.coef[1], both.coef[3]);
    HT_CHECK(worst_both < 0.035 && worst_both_mid < 0.035, "both kinds within 3.5%%: %.3f %.3f", worst_both, worst_both_mid);
    /* no knee in the data (the linear truth of test_model_fit's kind): none
       that matters is fitted; a concave bend is never taken (it would break
       the knapsack's exactness) */
    double yl[N], yc[N];
    for (int i = 0; i < N; i++) {
        yl[i] = (0.02 + 1.1 * Xe[i][1] + 0.01 * Xe[i][3]) * (1 + 0.01 * gauss());
        yc[i] = (0.02 + 1.1 * Xe[i][1] + 0.06 * Xe[i][3] - 0.05 * fmax(0, Xe[i][3] - 0.6)) * (1 + 0.002 * gauss());
    }
    hant_latency_model lin, conc;
    HT_CHECK(hant_latency_fit(&Xe[0][0], yl, N, NULL, 0.01, &lin) == HANT_OK && hant_latency_fit(&Xe[0][0], yc, N, NULL, 0.01, &conc) == HANT_OK, "fits");
    printf("  linear truth: knee slope %.4f at %.3f; concave truth: knee slope %.4f\n", lin.knee_coef, lin.knee, conc.knee_coef);
    HT_CHECK(lin.knee_coef < 0.01, "linear data: knee slope %.4f ~ 0", lin.knee_coef);
    HT_CHECK(conc.knee_coef >= 0, "never a concave knee: %g", conc.knee_coef);
    /* too few networks for six terms: the linear model */
    HT_CHECK(hant_latency_fit(&Xe[0][0], ye, 12, NULL, 0.01, &lin) == HANT_OK && lin.knee_coef == 0, "12 networks: no knee");
}

/* The cheapest network out of sample (issue 16, twenty-second session).
   Truth: measured = 1.05 sum + 0.0005 ms per part + 0.045 ms per million
   words beyond 0.6 (the knee), no network term and no linear weights term
   (both at their bound 0), 2% noise. The fold that is fitted holds 20
   networks, as a --validate 40 fold: 10 uniform (14-18 parts, W 1.5-3.4)
   and 10 skewed to cheap candidates (10-14 parts, W 0.2-1); the network
   predicted is the cheapest kind (10 parts, ~0.04 ms, W ~0.3). Unconstrained,
   the fit trades a negative network term for the knee's slope and misses the
   cheap network by a quarter on most seeds (bench/bench_refit23.py, the
   same synthetic truth: median 25%, 41 of 60 seeds over 10%); held >= 0,
   the median error over the seeds is a few percent. */
static void test_model_cheap(void) {
    enum { N = 20, K = HANT_LATENCY_TERMS, S = 24 };
    double err[S];
    int neg = 0;
    for (int s = 0; s < S; s++) {
        ht_seed(100 + (uint64_t)s);
        double X[N + 1][K], y[N + 1];
        memset(X, 0, sizeof X);
        for (int i = 0; i <= N; i++) {
            int cheap = i == N, skewed = i & 1, parts = cheap ? 10 : skewed ? 10 + (int)(ht_u64() % 5) : 14 + (int)(ht_u64() % 5);
            X[i][0] = 1; X[i][2] = parts;
            for (int p = 0; p < parts; p++) {
                double u = (double)(ht_u64() % 1000) / 1000, v = (double)(ht_u64() % 1000) / 1000;
                X[i][1] += cheap ? 0.001 + 0.005 * u : skewed ? 0.002 + 0.012 * u : 0.005 + 0.03 * u;
                X[i][3] += cheap ? 0.01 + 0.04 * v : skewed ? 0.01 + 0.1 * v : 0.02 + 0.3 * v;
            }
            y[i] = (1.05 * X[i][1] + 0.0005 * parts + 0.045 * fmax(0, X[i][3] - 0.6)) * (1 + (cheap ? 0 : 0.02 * gauss()));
        }
        hant_latency_model m;
        HT_CHECK(hant_latency_fit(&X[0][0], y, N, NULL, 0.01, &m) == HANT_OK, "seed %d: fit: %s", s, hant_last_error());
        err[s] = fabs(hant_latency_eval(&m, X[N]) / y[N] - 1);
        neg += m.coef[0] < 0 || m.coef[3] < 0;
        HT_CHECK(m.coef[0] >= 0 && m.coef[3] >= 0, "seed %d: network term %g, weights term %g held >= 0", s, m.coef[0], m.coef[3]);
    }
    qsort(err, S, sizeof err[0], hant__cmp_double);
    printf("  the cheapest network from 20-network folds, %d seeds: error median %.1f%%, 3rd worst %.1f%%, worst %.1f%%; %d fits with a negative term\n", S,
           100 * err[S / 2], 100 * err[S - 3], 100 * err[S - 1], neg);
    HT_CHECK(err[S / 2] < 0.06, "the cheapest network's median error %.3f", err[S / 2]);
    HT_CHECK(err[S - 3] < 0.20, "the cheapest network's 3rd worst error %.3f", err[S - 3]);
    /* a real network term (0.02 ms) and weights term are still found */
    ht_seed(5);
    enum { M = 40 };
    double Xp[M][K], yp[M];
    memset(Xp, 0, sizeof Xp);
    for (int i = 0; i < M; i++) {
        int parts = 10 + (int)(ht_u64() % 9);
        Xp[i][0] = 1; Xp[i][2] = parts;
        for (int p = 0; p < parts; p++) { Xp[i][1] += 0.002 + 0.03 * (double)(ht_u64() % 1000) / 1000; Xp[i][3] += 0.3 * (double)(ht_u64() % 1000) / 1000; }
        yp[i] = (0.02 + 1.1 * Xp[i][1] + 0.0005 * parts + 0.01 * Xp[i][3]) * (1 + 0.005 * gauss());
    }
    hant_latency_model mp;
    HT_CHECK(hant_latency_fit(&Xp[0][0], yp, M, NULL, 0, &mp) == HANT_OK, "fit: %s", hant_last_error());
    HT_CHECK(fabs(mp.coef[0] - 0.02) < 0.004 && fabs(mp.coef[3] - 0.01) < 0.004 && fabs(mp.coef[1] - 1.1) < 0.03, "positive terms recovered: network %.4f (0.02), "
             "mwords %.4f (0.01), time x%.3f (1.1)", mp.coef[0], mp.coef[3], mp.coef[1]);
}

/* The knee on capped words (issue 16, twenty-third session): a part too big
   for L2 streams its weights when timed alone too, so a network pays the
   knee only for the sum over parts of min(w, cap). Truth: 1.05 sum + 0.0005
   ms per part + 0.05 ms per million capped words beyond 2.0, cap 0.298
   (hant_latency_cap(8): 0.6 of a 2 MiB L2), 1% noise; parts' words skewed
   small with a third of them above the cap. Fitted on 60 networks with the
   cap chosen from the whole grid (hant_latency_fit_cap, cap < 0) and from
   around a 2 MiB L2's (cap > 0, what hant profile does), the cap must come
   out within one grid step, the slope and the knee near the truth, and 60
   held-out networks be predicted within a few percent; the knee on W (the
   old form) must do clearly worse on them. */
static void test_model_capped_knee(void) {
    ht_seed(23);
    enum { N = 120, K = HANT_LATENCY_TERMS, H = N / 2 };
    static double X[N][K], y[N];
    memset(X, 0, sizeof X);
    const double cap = hant_latency_cap(8);
    for (int i = 0; i < N; i++) {
        double x[K];
        int parts = 6 + (int)(ht_u64() % 13);
        X[i][0] = 1;
        for (int p = 0; p < parts; p++) {
            double u = (double)(ht_u64() % 1000) / 1000, v = (double)(ht_u64() % 1000) / 1000;
            memset(x, 0, sizeof x);
            x[1] = 0.002 + 0.03 * u; x[2] = 1; x[3] = 0.7 * v * v;
            for (int j = 0; j < HANT_LATENCY_KAPPAS; j++) x[HANT_LATENCY_COEFS + j] = fmax(0.0, x[3] - hant_latency_kappa(j) * x[1]);
            for (int j = 0; j < HANT_LATENCY_OMEGAS; j++) x[HANT_LATENCY_COEFS + HANT_LATENCY_KAPPAS + j] = x[3] * fmax(0.0, 1 - x[3] / hant_latency_omega(j));
            for (int j = 0; j < HANT_LATENCY_CAPS; j++) x[HANT_LATENCY_COEFS + HANT_LATENCY_KAPPAS + HANT_LATENCY_OMEGAS + j] = fmin(x[3], hant_latency_cap(j));
            for (int k = 1; k < K; k++) X[i][k] += x[k];
        }
        double wc = X[i][HANT_LATENCY_COEFS + HANT_LATENCY_KAPPAS + HANT_LATENCY_OMEGAS + 8];
        y[i] = (1.05 * X[i][1] + 0.0005 * parts + 0.05 * fmax(0, wc - 2.0)) * (1 + 0.01 * gauss());
    }
    hant_latency_model g, f, w;
    HT_CHECK(hant_latency_fit_cap(&X[0][0], y, H, NULL, 0.01, -1, &g) == HANT_OK, "fit, the cap from the grid: %s", hant_last_error());
    HT_CHECK(hant_latency_fit_cap(&X[0][0], y, H, NULL, 0.01, 0.6 * 2 * 1048576 / 4e6, &f) == HANT_OK, "fit, the cap of a 2 MiB L2");
    HT_CHECK(hant_latency_fit(&X[0][0], y, H, NULL, 0.01, &w) == HANT_OK, "fit, the knee on W");
    double eg[H], ef[H], ew[H];
    for (int i = 0; i < H; i++) {
        eg[i] = fabs(hant_latency_eval(&g, X[H + i]) / y[H + i] - 1);
        ef[i] = fabs(hant_latency_eval(&f, X[H + i]) / y[H + i] - 1);
        ew[i] = fabs(hant_latency_eval(&w, X[H + i]) / y[H + i] - 1);
    }
    qsort(eg, H, sizeof eg[0], hant__cmp_double); qsort(ef, H, sizeof ef[0], hant__cmp_double); qsort(ew, H, sizeof ew[0], hant__cmp_double);
    printf("  capped knee (truth: cap %.3f, 0.05 ms per million words beyond 2.0): the grid's cap %.3f, knee %.3f, slope %.4f +- %.4f; held out median / worst "
           "%.2f%% / %.2f%%; around the L2 cap: %.3f, slope %.4f at %.3f, %.2f%% / %.2f%%; the knee on W (%.4f at %.3f): %.2f%% / %.2f%%\n",
           cap, g.knee_cap, g.knee, g.knee_coef, g.knee_se, 100 * eg[H / 2], 100 * eg[H - 1], f.knee_cap, f.knee_coef, f.knee, 100 * ef[H / 2], 100 * ef[H - 1],
           w.knee_coef, w.knee, 100 * ew[H / 2], 100 * ew[H - 1]);
    HT_CHECK(g.knee_coef > 0 && fabs(log(g.knee_cap / cap)) <= log(1.25) + 1e-9, "cap within a grid step: %.3f (truth %.3f)", g.knee_cap, cap);
    HT_CHECK(fabs(log(f.knee_cap / cap)) <= log(1.25) + 1e-9, "the cap around a 2 MiB L2's: %.4f", f.knee_cap);
    HT_CHECK(fabs(f.knee_coef - 0.05) < 0.0125 && fabs(f.knee - 2.0) < 0.3, "slope %.4f (0.05) and knee %.3f (2.0) recovered", f.knee_coef, f.knee);
    HT_CHECK(eg[H - 1] < 0.035 && ef[H - 1] < 0.035, "held out within 3.5%%: %.4f %.4f", eg[H - 1], ef[H - 1]);
    HT_CHECK(ew[H - 1] > 1.5 * ef[H - 1] && ew[H / 2] > ef[H / 2], "the knee on W does worse: worst %.4f against %.4f", ew[H - 1], ef[H - 1]);
    /* no knee in the truth (linear in W): choosing among the caps and none
       takes none that matters */
    double yl[N];
    for (int i = 0; i < N; i++) yl[i] = (1.05 * X[i][1] + 0.0005 * X[i][2] + 0.01 * X[i][3]) * (1 + 0.01 * gauss());
    hant_latency_model l;
    HT_CHECK(hant_latency_fit_cap(&X[0][0], yl, H, NULL, 0.01, 0.6 * 2 * 1048576 / 4e6, &l) == HANT_OK && l.knee_coef < 0.01,
             "linear truth: knee slope %.4f (cap %.3f) ~ 0", l.knee_coef, l.knee_cap);
}

/* ---- a table that drifted since it was made ----
   Synthetic entries (the teacher's 18 parts and its network, ratios to the
   reference with a 1.5% stated uncertainty) timed again later: (a) noise
   only; (b) the machine 40% slower, which the reference bracketing cancels
   (the ratios hold, only the unit moved); (c) the ratios themselves moved by
   a known 12% (e.g. whole networks preempted at their barriers). The check
   must recover the drift factor within its stated uncertainty, flag (c) and
   the unit of (b), and pass (a). */
static void test_table_drift(void) {
    ht_seed(16);
    enum { N = 19, TRIALS = 200 };
    double then[N], tu[N], now[N], nu[N];
    int false_alarm = 0, missed = 0, covered = 0;
    double worst = 0;
    for (int trial = 0; trial < TRIALS; trial++) {
        double truth = trial % 2 ? 0.88 : 1.0; /* odd trials: the ratios moved by -12% */
        for (int i = 0; i < N; i++) {
            double rel = 0.2 + 3 * (double)(ht_u64() % 1000) / 1000;
            then[i] = rel * exp(0.0075 * gauss()); tu[i] = 0.015;
            now[i] = truth * rel * exp(0.0075 * gauss()); nu[i] = 0.015;
        }
        hant_drift_result d;
        HT_CHECK(hant_drift_check(then, tu, now, nu, N, 0.03, &d) == HANT_OK && d.n == N, "check");
        double e = fabs(d.factor / truth - 1);
        worst = fmax(worst, e);
        covered += e <= d.unc;
        if (truth == 1.0) false_alarm += d.drifted;
        else missed += !d.drifted;
    }
    printf("  ratios drifted by -12%% in half of %d trials: factor off by at most %.2f%%, truth inside the stated interval in %d; "
           "%d false alarms, %d missed\n", TRIALS, 100 * worst, covered, false_alarm, missed);
    HT_CHECK(worst < 0.02, "drift factor recovered within 2%%: %.4f", worst);
    HT_CHECK(covered >= TRIALS * 85 / 100, "the stated uncertainty covers the truth in %d of %d", covered, TRIALS);
    HT_CHECK(false_alarm == 0 && missed == 0, "%d false alarms, %d missed", false_alarm, missed);
    /* the unit: one reference timing then and now, the machine 40% slower */
    double rthen = 0.0512, runc = 0.01, rnow = 0.0512 * 1.4, rnu = 0.02;
    hant_drift_result u;
    HT_CHECK(hant_drift_check(&rthen, &runc, &rnow, &rnu, 1, 0.03, &u) == HANT_OK && u.drifted && fabs(u.factor - 1.4) < 1e-9, "unit drift x%.3f", u.factor);
    rnow = 0.0512 * 1.03;
    HT_CHECK(hant_drift_check(&rthen, &runc, &rnow, &rnu, 1, 0.03, &u) == HANT_OK && !u.drifted, "3%% is within tolerance + uncertainty");
    /* a drift within the timings' own uncertainty is not flagged, one beyond it is */
    double t3[3] = { 1, 1, 1 }, u3[3] = { 0.3, 0.3, 0.3 }, n3[3] = { 1.2, 1.2, 1.2 };
    HT_CHECK(hant_drift_check(t3, u3, n3, u3, 3, 0.03, &u) == HANT_OK && !u.drifted && u.unc > 0.2, "noisy entries: unc %.3f", u.unc);
    HT_CHECK(hant_drift_check(t3, NULL, n3, NULL, 3, 0.03, &u) == HANT_OK && u.drifted, "exact entries: 20%% is drift");
    /* hostile: no usable entry, NULL, negative tolerance */
    double z[2] = { 0, NAN }, o[2] = { 1, 1 };
    HT_CHECK(hant_drift_check(z, NULL, o, NULL, 2, 0.03, &u) == HANT_ERR_INVALID_ARG, "no usable entry");
    HT_CHECK(hant_drift_check(NULL, NULL, o, NULL, 2, 0.03, &u) == HANT_ERR_INVALID_ARG, "NULL");
    HT_CHECK(hant_drift_check(o, NULL, o, NULL, 2, -1, &u) == HANT_ERR_INVALID_ARG, "negative tolerance");

    /* rescaling a table: entries and the model's ms terms scale, the ratio term does not */
    hant_lut lut;
    memset(&lut, 0, sizeof lut);
    hant_timing t = { 0.5, 0.01, 0.45, 5, 0.02, 2.5 };
    HT_CHECK(hant_lut_set(&lut, "stem x b=1 t=2 p=fp32", &t) == HANT_OK, "set");
    hant_latency_model m = { { 0.01, 1.04, 0.001, 0.04 }, { 0.001, 0.01, 0.0001, 0.004 }, 0.03, 31, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
    HT_CHECK(hant_lut_set_model(&lut, 1, 2, &m) == HANT_OK, "model");
    lut.reference_ms = 0.2;
    HT_CHECK(hant_lut_rescale(&lut, 1.5) == HANT_OK, "rescale");
    hant_latency_model m2;
    hant_lut_model(&lut, 1, 2, &m2);
    const hant_lut_entry *e = hant_lut_find(&lut, "stem x b=1 t=2 p=fp32");
    HT_CHECK(e && fabs(e->t.median_ms - 0.75) < 1e-12 && fabs(e->t.unc_ms - 0.03) < 1e-12 && e->t.rel == 2.5, "entry rescaled, ratio kept");
    HT_CHECK(fabs(m2.coef[0] - 0.015) < 1e-12 && m2.coef[1] == 1.04 && fabs(m2.coef[3] - 0.06) < 1e-12 && m2.resid == 0.03 && m2.nfit == 31,
             "model: ms terms x1.5, ratio term kept: %g %g %g", m2.coef[0], m2.coef[1], m2.coef[3]);
    HT_CHECK(fabs(lut.reference_ms - 0.3) < 1e-12, "reference_ms rescaled");
    HT_CHECK(hant_lut_rescale(&lut, 0) == HANT_ERR_INVALID_ARG && hant_lut_rescale(&lut, NAN) == HANT_ERR_INVALID_ARG, "bad factors");
    /* reference_unc round-trips through the file */
    snprintf(lut.reference, sizeof lut.reference, "stem x b=1 t=2 p=fp32");
    lut.reference_unc = 0.0125;
    char path[256];
    snprintf(path, sizeof path, "%s/drift.tsv", dir);
    hant_lut back;
    HT_CHECK(hant_lut_save(&lut, path) == HANT_OK && hant_lut_load(path, &back) == HANT_OK, "save/load: %s", hant_last_error());
    HT_CHECK(fabs(back.reference_unc - 0.0125) < 1e-9 && fabs(back.reference_ms - 0.3) < 1e-9, "reference_unc %g", back.reference_unc);
    hant_lut_free(&back);
    hant_lut_free(&lut);
}

/* A change that comes and goes within a run (issue 16: a drift check passed,
   and seconds later every network measured 14-30% slow). Synthetic
   validation: 51 networks x 8 rounds (a window per round), each sample its network's true ratio
   times the machine's state times 1.5% noise; the teacher's table entry
   known. The check must stay quiet on a steady run, flag a +20% episode of
   two rounds (unsteady), flag a run that is +15% throughout against the
   table (drifted), and let +2% pass (within the 3% tolerance). */
static void test_steady(void) {
    ht_seed(17);
    enum { NN = 51, R = 8, TRIALS = 60 };
    struct hant_bracket_sample log[NN * R];
    double med[NN], truth[NN], q[NN * R], tq[R];
    int alarms[4] = { 0 }, flagged[4] = { 0 };
    double worst_factor = 0;
    for (int trial = 0; trial < 4 * TRIALS; trial++) {
        int kind = trial % 4; /* 0 steady, 1 an episode of +20% in rounds 3-4, 2 +15% throughout, 3 +2% throughout */
        for (int k = 0; k < NN; k++) truth[k] = 0.1 + 3 * (double)(ht_u64() % 1000) / 1000;
        int n = 0;
        for (int r = 0; r < R; r++)
            for (int k = 0; k < NN; k++) {
                double state = kind == 1 ? (r == 3 || r == 4 ? 1.2 : 1) : kind == 2 ? 1.15 : kind == 3 ? 1.02 : 1;
                log[n].net = k; log[n].round = r; log[n].ratio = truth[k] * state * exp(0.015 * gauss());
                n++;
            }
        /* each network's median over the run, as hant_bracket_nets reports it */
        for (int k = 0; k < NN; k++) {
            double v[R], hw;
            for (int r = 0; r < R; r++) v[r] = log[r * NN + k].ratio;
            hant_median_interval(v, R, &med[k], &hw);
        }
        for (int i = 0; i < n; i++) q[i] = log[i].ratio / med[log[i].net];
        for (int r = 0; r < R; r++) tq[r] = log[r * NN].ratio / truth[0]; /* the teacher (net 0) over its table entry */
        hant_steady_result within, table;
        HT_CHECK(hant_steady_check(q, n, R, 0.03, &within) == HANT_OK && within.n == n && within.windows == R, "within");
        HT_CHECK(hant_steady_check(tq, R, 1, 0.03, &table) == HANT_OK && table.n == R, "against the table");
        int flag = within.unsteady || table.drifted;
        if (kind == 0 || kind == 3) alarms[kind] += flag;
        else flagged[kind] += kind == 1 ? within.unsteady : table.drifted;
        if (kind == 1 && within.unsteady) HT_CHECK(within.worst == 3 || within.worst == 4, "the episode's round: %d", within.worst);
        if (kind == 2) worst_factor = fmax(worst_factor, fabs(table.factor / 1.15 - 1));
    }
    printf("  %d steady runs: %d alarms; +2%% throughout: %d alarms; an episode of +20%% in 2 of 8 rounds: flagged in %d of %d; "
           "+15%% throughout: flagged in %d of %d (factor within %.2f%%)\n", TRIALS, alarms[0], alarms[3], flagged[1], TRIALS, flagged[2], TRIALS, 100 * worst_factor);
    HT_CHECK(alarms[0] == 0 && alarms[3] == 0, "false alarms: %d steady, %d at +2%%", alarms[0], alarms[3]);
    HT_CHECK(flagged[1] == TRIALS, "episodes flagged: %d of %d", flagged[1], TRIALS);
    HT_CHECK(flagged[2] == TRIALS && worst_factor < 0.02, "drift flagged: %d of %d, factor off by %.3f", flagged[2], TRIALS, worst_factor);
    /* hostile */
    hant_steady_result s;
    double bad[3] = { NAN, 0, -1 };
    HT_CHECK(hant_steady_check(bad, 3, 1, 0.03, &s) == HANT_ERR_INVALID_ARG, "no usable sample");
    HT_CHECK(hant_steady_check(NULL, 3, 1, 0.03, &s) == HANT_ERR_INVALID_ARG && hant_steady_check(q, 3, 0, 0.03, &s) == HANT_ERR_INVALID_ARG &&
             hant_steady_check(q, 3, 1, -1, &s) == HANT_ERR_INVALID_ARG, "bad arguments");
    HT_CHECK(hant_steady_check(q, 3, 10, 0.03, &s) == HANT_OK && s.windows == 3, "more windows than samples: %d", s.windows);
}

/* select's per-part costs plus the network term equal hant_lut_predict, for
   any table, so the budget and the validation score one model. */
/* hant_entry_drift, the test hant profile --check and validation share: the
   teacher's samples (ratio to the reference, noise sd 1%) over its entry. A 5%
   drift (the x1.044-1.066 validation saw an hour later) is found at tol 3%;
   none, or 1% (inside tol), is not. */
static void test_entry_drift(void) {
    const double entry = 17.0, drifts[4] = { 1.0, 1.01, 1.05, 0.94 };
    const int want[4] = { 0, 0, 1, 1 };
    uint64_t rng = 7;
    for (int d = 0; d < 4; d++) {
        double q[12];
        for (int i = 0; i < 12; i++) {
            double u = 0;
            for (int k = 0; k < 12; k++) { rng = rng * 6364136223846793005ull + 1442695040888963407ull; u += (double)(rng >> 11) / 9007199254740992.0; }
            q[i] = entry * drifts[d] * (1 + 0.01 * (u - 6)); /* Irwin-Hall: sd 1% */
        }
        hant_steady_result r;
        HT_CHECK(hant_entry_drift(q, 12, entry, 0.03, &r) == HANT_OK, "entry drift: %s", hant_last_error());
        HT_CHECK(r.drifted == want[d], "drift x%.2f: factor %.4f +- %.4f, drifted %d", drifts[d], r.factor, r.unc, r.drifted);
        HT_CHECK(fabs(r.factor / drifts[d] - 1) < 0.01, "drift x%.2f: factor %.4f", drifts[d], r.factor);
    }
    hant_steady_result r;
    HT_CHECK(hant_entry_drift(drifts, 4, 0, 0.03, &r) != HANT_OK, "entry 0 refused");
}

static void test_one_model(void) {
    hant_arch a;
    HT_CHECK(hant_arch_builtin("b0-fm", &a) == HANT_OK, "b0-fm");
    int id = -1;
    for (int b = 0; b < a.num_blocks && id < 0; b++) if (a.blocks[b].stride == 1 && a.blocks[b].cin == a.blocks[b].cout) id = b;
    HT_CHECK(id >= 0, "b0-fm has a block that identity can replace");
    if (id < 0) return;
    a.blocks[id].kind = HANT_BLOCK_IDENTITY; /* an identity block costs nothing */
    a.blocks[5].quant = HANT_QUANT_INT8;
    a.head_quant = HANT_QUANT_INT8;
    hant_lut lut;
    memset(&lut, 0, sizeof lut);
    lut.batch = 1; lut.threads = 2;
    double plain = 0;
    for (int p = HANT_PART_STEM; p <= a.num_blocks; p++) {
        if (p >= 0 && p < a.num_blocks && a.blocks[p].kind == HANT_BLOCK_IDENTITY) continue;
        char sig[256], key[256];
        hant_part_signature(&a, p, sig, sizeof sig);
        hant_lut_key(key, sizeof key, sig, 1, 2, "fp32");
        hant_timing t = { 0.01 + 0.001 * (p + 1), 0, 0, 1, 0, 0 };
        HT_CHECK(hant_lut_set(&lut, key, &t) == HANT_OK, "set %s", key);
    }
    for (int p = HANT_PART_STEM; p <= a.num_blocks; p++) { /* repeated blocks share one key */
        if (p >= 0 && p < a.num_blocks && a.blocks[p].kind == HANT_BLOCK_IDENTITY) continue;
        char sig[256], key[256];
        hant_part_signature(&a, p, sig, sizeof sig);
        hant_lut_key(key, sizeof key, sig, 1, 2, "fp32");
        plain += hant_lut_find(&lut, key)->t.median_ms;
    }
    double pred, sum;
    HT_CHECK(hant_lut_predict(&lut, &a, 1, 2, &pred) == HANT_OK && HT_CLOSE(pred, plain, 1e-12, 0), "no model: the plain sum %.9f vs %.9f (%s)", pred, plain, hant_last_error());
    hant_latency_model m;
    memset(&m, 0, sizeof m);
    m.coef[0] = 0.07; m.coef[1] = 1.1; m.coef[2] = -0.003; m.coef[3] = 0.02; m.nfit = 50; m.resid = 0.02;
    m.kappa = 3; m.hinge_coef = 0.05; /* off the grid: part costs use it as it is */
    m.cache_words = 0.05; m.cache_coef = 0.5; /* the blocks here hold 0.001-0.1 million words: the term is nonzero */
    HT_CHECK(hant_lut_set_model(&lut, 1, 2, &m) == HANT_OK, "set model: %s", hant_last_error());
    hant_latency_model back;
    hant_lut_model(&lut, 1, 2, &back);
    HT_CHECK(!memcmp(back.coef, m.coef, sizeof m.coef) && back.nfit == 50 && back.resid == 0.02 && back.kappa == 3 && back.hinge_coef == 0.05 &&
             back.cache_words == 0.05 && back.cache_coef == 0.5, "model round trip");
    HT_CHECK(hant_lut_predict(&lut, &a, 1, 2, &pred) == HANT_OK, "predict: %s", hant_last_error());
    sum = back.coef[0];
    for (int p = HANT_PART_STEM; p <= a.num_blocks; p++) {
        double ms;
        HT_CHECK(hant_lut_part_ms(&lut, &a, p, 1, 2, &ms) == HANT_OK, "part %d", p);
        if (p == id) HT_CHECK(ms == 0, "identity costs %g", ms);
        sum += ms;
    }
    HT_CHECK(HT_CLOSE(sum, pred, 1e-12, 1e-12), "per-part costs %.9f vs predict %.9f", sum, pred);
    double x[HANT_LATENCY_TERMS];
    hant_latency_part_terms(&lut, &a, 5, 1, 2, x);
    hant_part_layout l;
    hant_arch_part_layout(&a, 5, &l);
    {   /* block 5 has SE: its fp32 SE weights count whole, the int8 convs a quarter */
        const hant_block_spec *b5 = &a.blocks[5];
        double hid = (double)b5->cin * b5->expansion, r = (int)((float)b5->cin * b5->se_ratio), se = 2 * hid * r + r + hid;
        HT_CHECK(b5->se_ratio > 0 && HT_CLOSE(x[3], 0.25e-6 * ((double)l.param_count - se) + 1e-6 * se, 1e-15, 1e-9),
                 "int8 weights count a quarter, SE whole: %.6f", x[3]);
    }
    a.blocks[7].expansion += 1; /* a block the table does not hold */
    HT_CHECK(hant_lut_predict(&lut, &a, 1, 2, &pred) == HANT_ERR_INVALID_ARG && strstr(hant_last_error(), "no entry"), "missing key named");
    /* the model rows survive a save and a load */
    char path[256];
    snprintf(path, sizeof path, "%s/model.tsv", dir);
    HT_CHECK(hant_lut_save(&lut, path) == HANT_OK, "save");
    hant_lut l2;
    HT_CHECK(hant_lut_load(path, &l2) == HANT_OK, "load: %s", hant_last_error());
    hant_lut_model(&l2, 1, 2, &back);
    HT_CHECK(HT_CLOSE(back.coef[2], -0.003, 1e-9, 0) && back.nfit == 50 && HT_CLOSE(back.cache_coef, 0.5, 1e-9, 0), "model after a round trip");
    {   /* a table whose model has the cache term is v5: an older hant refuses it rather than price without it */
        FILE *f = fopen(path, "r");
        char line[64] = "";
        HT_CHECK(f && fgets(line, sizeof line, f) && !strcmp(line, "# hant latency table v5\n"), "cache term: saved as v5 (%s)", line);
        if (f) fclose(f);
    }
    hant_lut_free(&l2);
    hant_lut_free(&lut);
    remove(path);
}

/* The part hinge (bench/RESULTS.md, "The knee"): a part streams the weights
   its compute does not hide. Synthetic truth, per part: 1.1 t + 0.04 max(0,
   w - kappa_8 t) ms (kappa_8 = 17.3 million words per ms), per network
   +0.02 ms, t and w drawn independently, 1% noise. The fit must find the
   grid's kappa_8 (or a neighbour), the slope and the bias, and predict held-out
   networks better than the linear model. */
static void test_model_hinge(void) {
    ht_seed(13);
    enum { N = 120, K = HANT_LATENCY_TERMS, C = HANT_LATENCY_COEFS };
    static double X[N][K], y[N];
    memset(X, 0, sizeof X);
    const double kappa = hant_latency_kappa(8);
    for (int i = 0; i < N; i++) {
        int parts = 12 + (int)(ht_u64() % 7);
        X[i][0] = 1;
        double h = 0;
        for (int p = 0; p < parts; p++) {
            double t = 0.005 + 0.045 * (double)(ht_u64() % 1000) / 1000, w = 0.01 + 0.39 * (double)(ht_u64() % 1000) / 1000;
            X[i][1] += t; X[i][2] += 1; X[i][3] += w;
            for (int j = 0; j < HANT_LATENCY_KAPPAS; j++) X[i][C + j] += fmax(0, w - hant_latency_kappa(j) * t);
            h += fmax(0, w - kappa * t);
        }
        y[i] = (0.02 + 1.1 * X[i][1] + 0.04 * h) * (1 + 0.01 * gauss());
    }
    hant_latency_model m;
    HT_CHECK(hant_latency_fit(&X[0][0], y, N / 2, NULL, 0, &m) == HANT_OK, "fit: %s", hant_last_error());
    double worst = 0, worst_lin = 0;
    hant_latency_model lin = m;
    lin.hinge_coef = 0; lin.knee_coef = 0;
    { /* the linear model on the same networks, for comparison */
        static double Xl[N / 2][K];
        memcpy(Xl, X, sizeof Xl);
        for (int i = 0; i < N / 2; i++) for (int j = 0; j < HANT_LATENCY_KAPPAS; j++) Xl[i][C + j] = 0;
        HT_CHECK(hant_latency_fit(&Xl[0][0], y, N / 2, NULL, 0, &lin) == HANT_OK && lin.hinge_coef == 0, "linear fit");
    }
    for (int i = N / 2; i < N; i++) {
        worst = fmax(worst, fabs(hant_latency_eval(&m, X[i]) / y[i] - 1));
        worst_lin = fmax(worst_lin, fabs(hant_latency_eval(&lin, X[i]) / y[i] - 1));
    }
    printf("  part hinge: kappa %.2f (truth %.2f), %.4f +- %.4f ms per million words beyond it (truth 0.04), network %+.4f ms (0.02), time x%.3f (1.1); "
           "held out: worst %.1f%% (linear model %.1f%%)\n", m.kappa, kappa, m.hinge_coef, m.hinge_se, m.coef[0], m.coef[1], 100 * worst, 100 * worst_lin);
    HT_CHECK(fabs(log(m.kappa / kappa)) < 0.45, "kappa %.2f (truth %.2f, the grid's neighbours 0.68x and 1.5x)", m.kappa, kappa);
    HT_CHECK(fabs(m.hinge_coef - 0.04) < 0.012 && m.hinge_se > 0, "slope %.4f (truth 0.04)", m.hinge_coef);
    HT_CHECK(fabs(m.coef[0] - 0.02) < 0.01 && fabs(m.coef[1] - 1.1) < 0.06, "bias %.4f (0.02), time x%.3f (1.1)", m.coef[0], m.coef[1]);
    HT_CHECK(worst < 0.035 && worst < worst_lin, "held out worst %.3f (linear %.3f)", worst, worst_lin);
}

/* The cache term (bench/RESULTS.md, "Worst networks"): a part whose weights
   fit in cache alone pays for them again in a network. Synthetic truth, per
   part: 1.1 t + 0.08 w max(0, 1 - w / omega_4) ms (omega_4 = 1.01 million
   words), per network +0.02 ms; parts' w from 0.01 to 1.5 million words (some
   beyond omega), t independent; 1% noise. The fit must find omega_4 (or a
   neighbour) and the slope, and predict held-out networks better than the
   linear model; on the same networks without the term it keeps none. */
static void test_model_cache(void) {
    ht_seed(17);
    enum { N = 120, K = HANT_LATENCY_TERMS, C = HANT_LATENCY_COEFS, O = HANT_LATENCY_COEFS + HANT_LATENCY_KAPPAS };
    static double X[N][K], y[N], y0[N];
    memset(X, 0, sizeof X);
    const double om = hant_latency_omega(4);
    for (int i = 0; i < N; i++) {
        int parts = 12 + (int)(ht_u64() % 7);
        X[i][0] = 1;
        double h = 0;
        for (int p = 0; p < parts; p++) {
            double t = 0.005 + 0.045 * (double)(ht_u64() % 1000) / 1000, w = 0.01 + 1.49 * pow((double)(ht_u64() % 1000) / 1000, 2);
            X[i][1] += t; X[i][2] += 1; X[i][3] += w;
            for (int j = 0; j < HANT_LATENCY_KAPPAS; j++) X[i][C + j] += fmax(0, w - hant_latency_kappa(j) * t);
            for (int j = 0; j < HANT_LATENCY_OMEGAS; j++) X[i][O + j] += w * fmax(0, 1 - w / hant_latency_omega(j));
            h += w * fmax(0, 1 - w / om);
        }
        double noise = 1 + 0.01 * gauss();
        y[i] = (0.02 + 1.1 * X[i][1] + 0.08 * h) * noise;
        y0[i] = (0.02 + 1.1 * X[i][1]) * noise;
    }
    hant_latency_model m, lin, none;
    HT_CHECK(hant_latency_fit(&X[0][0], y, N / 2, NULL, 0, &m) == HANT_OK, "fit: %s", hant_last_error());
    { /* the linear model on the same networks: the cache columns zeroed */
        static double Xl[N / 2][K];
        memcpy(Xl, X, sizeof Xl);
        for (int i = 0; i < N / 2; i++) for (int j = 0; j < HANT_LATENCY_OMEGAS; j++) Xl[i][O + j] = 0;
        HT_CHECK(hant_latency_fit(&Xl[0][0], y, N / 2, NULL, 0, &lin) == HANT_OK && lin.cache_coef == 0, "linear fit");
    }
    HT_CHECK(hant_latency_fit(&X[0][0], y0, N / 2, NULL, 0, &none) == HANT_OK, "fit without the term: %s", hant_last_error());
    double worst = 0, worst_lin = 0;
    for (int i = N / 2; i < N; i++) {
        worst = fmax(worst, fabs(hant_latency_eval(&m, X[i]) / y[i] - 1));
        worst_lin = fmax(worst_lin, fabs(hant_latency_eval(&lin, X[i]) / y[i] - 1));
    }
    printf("  cache term: %.2f million words (truth %.2f), %.4f +- %.4f ms per million words (truth 0.08), network %+.4f ms (0.02), time x%.3f (1.1); "
           "held out: worst %.1f%% (linear model %.1f%%); without the term in the truth: %.4f\n", m.cache_words, om, m.cache_coef, m.cache_se, m.coef[0],
           m.coef[1], 100 * worst, 100 * worst_lin, none.cache_coef);
    printf("  (hinge %.4f at %.2f, knee %.4f at %.3f, part %.4f, mwords %.4f)\n", m.hinge_coef, m.kappa, m.knee_coef, m.knee, m.coef[2], m.coef[3]);
    HT_CHECK(fabs(log(m.cache_words / om)) < 0.45, "cache_words %.2f (truth %.2f, the grid's neighbours 0.67x and 1.5x)", m.cache_words, om);
    HT_CHECK(fabs(m.cache_coef - 0.08) < 0.025 && m.cache_se > 0, "slope %.4f (truth 0.08)", m.cache_coef);
    /* the part hinge's gate (F > 4 over a grid) let a chance hinge in (0.03 at 3.4), paid for by a negative
       weights term (-0.027) and a time factor of x1.18, until the weights term was held >= 0 (twenty-second
       session): now no hinge, x1.10; the held-out error still falls to a third of the linear model's (which
       lost its negative weights term too: 13.3% -> 15.0%; this fit 4.4% -> 5.0%) */
    HT_CHECK(fabs(m.coef[1] - 1.1) < 0.03 && m.hinge_coef == 0, "time x%.3f (truth 1.1), no chance hinge (%.4f)", m.coef[1], m.hinge_coef);
    HT_CHECK(worst < 0.055 && worst < worst_lin / 2, "held out worst %.3f (linear %.3f)", worst, worst_lin);
    HT_CHECK(none.cache_coef == 0, "no cache term in the truth: none kept (%.4f)", none.cache_coef);
}

/* An int8 block's SE runs in fp32 (hant.h: int8 blocks), so the weights
   column w counts its SE words whole and the int8 convs' a quarter
   (bench/RESULTS.md, fifteenth session: late int8 SE blocks ran 1.8x their
   time alone inside a network). Synthetic truth: 0.02 + 1.1 sum t + 0.05 W
   ms, W the weights read (SE whole), 0.5% noise, on b0-fm networks with int8
   blocks with and without SE. The fit on hant_latency_terms must recover
   0.05 per million words, and predict held-out networks better than the same
   fit on the old column (every int8 weight a quarter). */
static void test_model_se_words(void) {
    ht_seed(23);
    enum { N = 80, K = HANT_LATENCY_TERMS };
    static double X[N][K], Xo[N][K], y[N];
    hant_lut lut;
    memset(&lut, 0, sizeof lut);
    lut.batch = 1; lut.threads = 2;
    hant_arch base;
    HT_CHECK(hant_arch_builtin("b0-fm", &base) == HANT_OK, "b0-fm");
    double se_seen = 0;
    for (int i = 0; i < N; i++) {
        hant_arch a = base;
        for (int b = 0; b < a.num_blocks; b++) {
            a.blocks[b].quant = ht_u64() % 5 < 3 ? HANT_QUANT_INT8 : 0;
            a.blocks[b].expansion = ht_u64() % 2 ? 6 : 3;
            if (ht_u64() % 2) { a.blocks[b].se_ratio = 0; a.blocks[b].act = HANT_ACT_RELU; }
        }
        double truth_w = 0, tsum = 0;
        for (int p = HANT_PART_STEM; p <= a.num_blocks; p++) {
            char sig[256], key[256];
            hant_part_signature(&a, p, sig, sizeof sig);
            hant_lut_key(key, sizeof key, sig, 1, 2, "fp32");
            if (!hant_lut_find(&lut, key)) {
                hant_timing t = { 0.005 + 0.04 * (double)(ht_u64() % 1000) / 1000, 0, 0, 1, 0, 0 };
                HT_CHECK(hant_lut_set(&lut, key, &t) == HANT_OK, "set %s", key);
            }
            tsum += hant_lut_find(&lut, key)->t.median_ms;
            hant_part_layout l;
            hant_arch_part_layout(&a, p, &l);
            double w = (double)l.param_count, se = 0;
            if (p >= 0 && p < a.num_blocks && a.blocks[p].se_ratio > 0) {
                double hid = (double)a.blocks[p].cin * a.blocks[p].expansion, r = (int)((float)a.blocks[p].cin * a.blocks[p].se_ratio);
                se = 2 * hid * (r < 1 ? 1 : r) + (r < 1 ? 1 : r) + hid;
            }
            int q8 = p >= 0 && p < a.num_blocks && a.blocks[p].quant;
            truth_w += 1e-6 * (q8 ? 0.25 * (w - se) + se : w);
            if (q8) se_seen += 0.75e-6 * se;
        }
        HT_CHECK(hant_latency_terms(&lut, &a, 1, 2, X[i]) == HANT_OK, "terms: %s", hant_last_error());
        HT_CHECK(HT_CLOSE(X[i][3], truth_w, 1e-9, 1e-9), "network %d: w %.6f, the weights read %.6f", i, X[i][3], truth_w);
        HT_CHECK(HT_CLOSE(X[i][1], tsum, 1e-9, 1e-9), "network %d: sum", i);
        y[i] = (0.02 + 1.1 * tsum + 0.05 * truth_w) * (1 + 0.005 * gauss());
        /* the old column: every weight of an int8 block a quarter */
        memcpy(Xo[i], X[i], sizeof X[i]);
        double old = 0;
        for (int p = HANT_PART_STEM; p <= a.num_blocks; p++) {
            hant_part_layout l;
            hant_arch_part_layout(&a, p, &l);
            old += 1e-6 * (double)l.param_count * (p >= 0 && p < a.num_blocks && a.blocks[p].quant ? 0.25 : 1.0);
        }
        Xo[i][3] = old;
        for (int j = HANT_LATENCY_COEFS; j < K; j++) Xo[i][j] = 0; /* the linear model only, both fits */
        for (int j = HANT_LATENCY_COEFS; j < K; j++) X[i][j] = 0;
    }
    HT_CHECK(se_seen > 1, "the networks hold int8 SE weights (%.2f million words more)", se_seen);
    hant_latency_model m, mo;
    HT_CHECK(hant_latency_fit(&X[0][0], y, N / 2, NULL, 0, &m) == HANT_OK, "fit: %s", hant_last_error());
    HT_CHECK(hant_latency_fit(&Xo[0][0], y, N / 2, NULL, 0, &mo) == HANT_OK, "fit, old column: %s", hant_last_error());
    double worst = 0, worst_old = 0;
    for (int i = N / 2; i < N; i++) {
        worst = fmax(worst, fabs(hant_latency_eval(&m, X[i]) / y[i] - 1));
        worst_old = fmax(worst_old, fabs(hant_latency_eval(&mo, Xo[i]) / y[i] - 1));
    }
    printf("  int8 SE words whole: %.4f +- %.4f ms per million words (truth 0.05; old column %.4f), time x%.3f (1.1); held out: worst %.2f%% (old column %.2f%%)\n",
           m.coef[3], m.se[3], mo.coef[3], m.coef[1], 100 * worst, 100 * worst_old);
    HT_CHECK(fabs(m.coef[3] - 0.05) < 0.01 && fabs(m.coef[1] - 1.1) < 0.05, "mwords %.4f (truth 0.05), time x%.3f (1.1)", m.coef[3], m.coef[1]);
    HT_CHECK(worst < worst_old, "held out worst %.4f (old column %.4f)", worst, worst_old);
    hant_lut_free(&lut);
}

/* The solver's optimum under budget B (0 when there is none), its network
   sa, and sa priced by the selection (pred) and by hant_lut_predict (pa). */
static int sel_solve(const hant_selection *sel, const hant_arch *a, const hant_lut *lut, double B, hant_solver_result *res, hant_arch *sa,
                     double *pred, double *pa) {
    double bud[3];
    hant_selection_budgets(sel, B, 0, bud);
    hant_solver_problem pr;
    memset(&pr, 0, sizeof pr);
    pr.num_layers = sel->nlayers; pr.num_costs = sel->ncost; pr.num_items = sel->count; pr.loss = sel->loss; pr.cost = sel->cost; pr.budget = bud;
    hant_solver_config cfg;
    memset(&cfg, 0, sizeof cfg);
    memset(res, 0, sizeof *res);
    HT_CHECK(hant_solver_solve(&pr, &cfg, res) >= 0, "solve");
    if (!res->item) return 0;
    const hant_score_row *ch[HANT_MAX_BLOCKS + 1];
    hant_selection_choose(sel, res->item, ch, pred, NULL);
    *sa = *a;
    for (int b = 0; b < a->num_blocks; b++) sa->blocks[b] = ch[b]->spec;
    HT_CHECK(hant_lut_predict(lut, sa, 1, 2, pa) == HANT_OK, "predict");
    return 1;
}

/* A synthetic table for the selection and in-place tests: b0-fm's parts,
   and in each of the last IP_NB blocks the teacher's block and two
   candidates of its quick pool (their times and weights set, scores from
   their weights; the candidates' networks in cands). */
enum { IP_NB = 5, IP_C = 3 };
static void ip_table(const hant_arch *a, hant_lut *lut, hant_scores *sc, hant_score_row *rows, hant_arch *cands, int *ncands) {
    static hant_block_spec pool[HANT_POOL_MAX];
    char sig[256], key[256];
    memset(lut, 0, sizeof *lut);
    lut->batch = 1; lut->threads = 2;
    memset(sc, 0, sizeof *sc);
    *ncands = 0;
    for (int p = HANT_PART_STEM; p <= a->num_blocks; p++) {
        hant_part_signature(a, p, sig, sizeof sig);
        hant_lut_key(key, sizeof key, sig, 1, 2, "fp32");
        hant_timing t = { 0.02 + 0.01 * (double)(ht_u64() % 1000) / 1000, 0, 0, 1, 0, 0 };
        hant_lut_set(lut, key, &t);
    }
    for (int b = 0; b < a->num_blocks; b++) {
        int h, w, n = 0;
        hant_arch_block_input(a, b, &h, &w, NULL);
        HT_CHECK(hant_pool_generate(&a->blocks[b], h, w, "quick", pool, HANT_POOL_MAX, &n) == HANT_OK && n >= IP_C, "pool of block %d", b);
        int mine = b >= a->num_blocks - IP_NB;
        for (int c = 0; c < (mine ? IP_C : 1); c++) {
            hant_score_row *r = &rows[sc->count++];
            hant_arch one = *a;
            r->block = b;
            r->spec = mine ? pool[c == 0 ? 0 : c == 1 ? n / 2 : n - 1] : a->blocks[b];
            r->spec.tiled = 0;
            one.blocks[b] = r->spec;
            hant_block_signature(&r->spec, h, w, r->signature, sizeof r->signature);
            hant_part_layout l;
            hant_arch_part_layout(&one, b, &l);
            r->params = (int64_t)l.param_count;
            hant_part_signature(&one, b, sig, sizeof sig);
            hant_lut_key(key, sizeof key, sig, 1, 2, "fp32");
            const hant_lut_entry *e = hant_lut_find(lut, key);
            double ms = e ? e->t.median_ms : 0.005 + 0.1e-6 * (double)r->params * (0.8 + 0.4 * (double)(ht_u64() % 1000) / 1000);
            if (!e && r->spec.kind != HANT_BLOCK_IDENTITY) { hant_timing t = { ms, 0, 0, 1, 0, 0 }; hant_lut_set(lut, key, &t); }
            r->score = 1 - 2e-6 * (double)r->params + 0.05 * (double)(ht_u64() % 1000) / 1000;
            if (mine && c > 0) cands[(*ncands)++] = one;
        }
    }
    sc->rows = rows;
}

/* Selection under a model with a knee stays exact: with the knee's second
   latency budget (hant_selection_budgets) every network the solver picks is
   within the budget as the model prices it (hant_lut_predict of the
   assembled network), and its score equals a brute force over every
   selection of a small problem (b0-fm, its last 5 blocks with 3 candidates
   each, the others the teacher's own). The linear budget alone would overshoot. */
static void test_knee_selection(void) {
    hant_arch a;
    HT_CHECK(hant_arch_builtin("b0-fm", &a) == HANT_OK, "b0-fm");
    hant_lut lut;
    hant_scores sc;
    static hant_score_row rows[HANT_MAX_BLOCKS * IP_C];
    hant_arch cands[IP_NB * IP_C];
    int nc;
    ht_seed(11);
    ip_table(&a, &lut, &sc, rows, cands, &nc);
    /* the model: its knee in the middle of the networks' weights, steep */
    hant_latency_model m;
    memset(&m, 0, sizeof m);
    m.coef[0] = 0.01; m.coef[1] = 1.1; m.coef[2] = 0.001; m.coef[3] = 0.01; m.nfit = 50;
    HT_CHECK(hant_lut_set_model(&lut, 1, 2, &m) == HANT_OK, "model");
    hant_context *ctx;
    HT_CHECK(hant_context_create(NULL, &ctx) == HANT_OK, "context");
    hant_selection sel;
    /* the knee on W, then on capped words (v6: min(w, cap) per part, the cap
       between the candidates' smallest and largest words, so that some pass
       it): the selection's knee budget counts the same words as hant_lut_predict */
    double cap = 0;
    for (int pass = 0; pass < 2; pass++) {
    m.knee = 0; m.knee_coef = pass ? 1.0 : 0; m.knee_cap = pass ? cap : 0;
    HT_CHECK(hant_lut_set_model(&lut, 1, 2, &m) == HANT_OK, "model");
    HT_CHECK(hant_selection_build(ctx, &a, &sc, &lut, &sel) == HANT_OK, "build: %s", hant_last_error());
    /* every selection, by brute force: the weights' range sets the knee */
    enum { S = 243 }; /* 3^5 */
    int items[S][HANT_MAX_BLOCKS + 1];
    double wsel[S], lo_w = INFINITY, hi_w = 0;
    for (int k = 0; k < S; k++) {
        for (int l = 0, r = k; l < sel.nlayers; l++) { items[k][l] = sel.count[l] > 1 ? r % sel.count[l] : 0; if (sel.count[l] > 1) r /= sel.count[l]; }
        wsel[k] = sel.fixed_mwords;
        for (int l = 0, off = 0; l < sel.nlayers; off += sel.count[l], l++) wsel[k] += sel.mwords[off + items[k][l]];
        lo_w = fmin(lo_w, wsel[k]); hi_w = fmax(hi_w, wsel[k]);
    }
    int capped = 0;
    double lo_i = INFINITY, hi_i = 0;
    for (int l = 0, off = 0; l < sel.nlayers; off += sel.count[l], l++)
        for (int i = 0; i < sel.count[l] && sel.count[l] > 1; i++) { lo_i = fmin(lo_i, sel.mwords[off + i]); hi_i = fmax(hi_i, sel.mwords[off + i]); capped += pass && sel.mwords[off + i] == cap; }
    if (!pass) cap = 0.5 * (lo_i + hi_i);
    hant_selection_free(&sel);
    m.knee = 0.5 * (lo_w + hi_w);
    m.knee_coef = 1.0;
    HT_CHECK(hant_lut_set_model(&lut, 1, 2, &m) == HANT_OK, "model with its knee at %.3f million words", m.knee);
    HT_CHECK(hant_selection_build(ctx, &a, &sc, &lut, &sel) == HANT_OK && sel.ncost == 3, "build with the knee: %d costs", sel.ncost);
    int ok_pred = 1, ok_exact = 1, found = 0, linear_over = 0;
    double worst_over = 0;
    for (int j = 0; j < 12; j++) {
        double B = sel.fastest_ms + (sel.slowest_ms - sel.fastest_ms) * (0.02 + 0.9 * j / 11);
        /* brute force: the best score within B as the model prices it, and the best by the linear budget alone */
        double best = INFINITY, best_lin = INFINITY, lin_pred = 0;
        for (int k = 0; k < S; k++) {
            const hant_score_row *ch[HANT_MAX_BLOCKS + 1];
            double pred, loss = 0, lin = sel.fixed_ms;
            hant_selection_choose(&sel, items[k], ch, &pred, NULL);
            for (int l = 0, off = 0; l < sel.nlayers; off += sel.count[l], l++) { loss += sel.loss[off + items[k][l]]; lin += sel.cost[(size_t)sel.ncost * (off + items[k][l])]; }
            if (pred <= B && loss < best) best = loss;
            if (lin <= B && loss < best_lin) { best_lin = loss; lin_pred = pred; }
        }
        if (lin_pred > B) { linear_over++; worst_over = fmax(worst_over, lin_pred / B - 1); }
        hant_solver_result res;
        hant_arch sa;
        double pred, pa;
        if (!sel_solve(&sel, &a, &lut, B, &res, &sa, &pred, &pa)) { ok_exact &= best == INFINITY; continue; }
        found++;
        ok_pred &= HT_CLOSE(pred, pa, 1e-12, 1e-12) && pa <= B * (1 + 1e-12);
        ok_exact &= HT_CLOSE(res.loss, best, 1e-12, 1e-12);
        hant_solver_result_free(&res);
    }
    printf("  knee%s at %.3f of %.3f-%.3f million words (%d candidates capped): %d of 12 budgets solved, all within budget by the model: %s, equal to brute force: %s; "
           "the linear budget alone overshoots %d of them (worst %.1f%%)\n", pass ? " on words capped per part" : "", m.knee, lo_w, hi_w, capped, found,
           ok_pred ? "yes" : "NO", ok_exact ? "yes" : "NO", linear_over, 100 * worst_over);
    HT_CHECK(found >= 10, "budgets solved: %d", found);
    HT_CHECK(ok_pred, "every selection within its budget as hant_lut_predict prices it (exactly)");
    HT_CHECK(ok_exact, "the solver's optimum equals the brute force");
    HT_CHECK(linear_over > 0, "the knee's budget matters: the linear one alone overshoots %d budgets", linear_over);
    HT_CHECK(!pass || capped > 0, "the cap binds: %d items", capped);
    hant_selection_free(&sel);
    }
    {   /* the cap is its own row: saved as v6 and read back; the same table without the row (an older
           hant's v5, the knee on W) still loads and predicts as before, uncapped */
        char path[256], line[256];
        snprintf(path, sizeof path, "%s/knee-cap.tsv", dir);
        double p6, p6b, p5, want5 = 0;
        HT_CHECK(hant_lut_predict(&lut, &a, 1, 2, &p6) == HANT_OK && hant_lut_save(&lut, path) == HANT_OK, "save: %s", hant_last_error());
        FILE *f = fopen(path, "r"), *g;
        HT_CHECK(f && fgets(line, sizeof line, f) && !strcmp(line, "# hant latency table v6\n"), "a capped knee is v6: %s", line);
        hant_lut l6, l5;
        hant_latency_model b6, b5;
        HT_CHECK(hant_lut_load(path, &l6) == HANT_OK && hant_lut_predict(&l6, &a, 1, 2, &p6b) == HANT_OK, "load v6: %s", hant_last_error());
        hant_lut_model(&l6, 1, 2, &b6);
        HT_CHECK(HT_CLOSE(b6.knee_cap, cap, 1e-6, 0) && HT_CLOSE(p6b, p6, 1e-6, 1e-9), "cap %.6f (%.6f), teacher %.6f (%.6f) after a round trip", b6.knee_cap, cap, p6b, p6);
        char old[300];
        snprintf(old, sizeof old, "%s/knee-v5.tsv", dir);
        g = fopen(old, "w");
        fputs("# hant latency table v5\n", g);
        while (f && fgets(line, sizeof line, f)) if (strncmp(line, "model knee-cap ", 15)) fputs(line, g);
        if (f) fclose(f);
        fclose(g);
        HT_CHECK(hant_lut_load(old, &l5) == HANT_OK && hant_lut_predict(&l5, &a, 1, 2, &p5) == HANT_OK, "load v5: %s", hant_last_error());
        hant_lut_model(&l5, 1, 2, &b5);
        double x[HANT_LATENCY_TERMS];
        HT_CHECK(hant_latency_terms(&l5, &a, 1, 2, x) == HANT_OK, "terms");
        want5 = hant_latency_eval(&b5, x);
        HT_CHECK(b5.knee_cap == 0 && b5.knee_coef == 1.0 && HT_CLOSE(p5, want5, 1e-9, 1e-12) && p5 >= p6, "v5: no cap, the knee on W: %.6f (%.6f; capped %.6f)", p5, want5, p6);
        hant_lut_free(&l6); hant_lut_free(&l5);
        remove(path); remove(old);
    }
    {   /* the teacher's validated time (v7): the price a speed-up target divides, for its own
           architecture only; without the row (or zeroed) the model's prediction, as before */
        char path[256], line[256];
        snprintf(path, sizeof path, "%s/teacher-price.tsv", dir);
        double pred, price, budget, row = 0;
        int meas = -1;
        HT_CHECK(hant_lut_predict(&lut, &a, 1, 2, &pred) == HANT_OK && hant_lut_teacher_price(&lut, &a, 1, 2, &price, &meas) == HANT_OK &&
                 price == pred && meas == 0, "no row: the model's price %.6f (%.6f, measured %d)", price, pred, meas);
        row = 0.9 * pred;
        HT_CHECK(hant_lut_set_teacher_price(&lut, &a, 1, 2, row) == HANT_OK && hant_lut_save(&lut, path) == HANT_OK, "save: %s", hant_last_error());
        FILE *f = fopen(path, "r");
        HT_CHECK(f && fgets(line, sizeof line, f) && !strcmp(line, "# hant latency table v7\n"), "a teacher price is v7: %s", line);
        if (f) fclose(f);
        hant_lut l7;
        HT_CHECK(hant_lut_load(path, &l7) == HANT_OK, "load v7: %s", hant_last_error());
        HT_CHECK(hant_lut_teacher_price(&l7, &a, 1, 2, &price, &meas) == HANT_OK && HT_CLOSE(price, row, 1e-6, 1e-9) && meas == 1,
                 "the row read back: %.6f (%.6f, measured %d)", price, row, meas);
        HT_CHECK(hant_selection_build(ctx, &a, &sc, &l7, &sel) == HANT_OK && sel.teacher_measured == 1 && HT_CLOSE(sel.teacher_pred, row, 1e-6, 1e-9),
                 "selection's teacher price %.6f (%.6f)", sel.teacher_pred, row);
        const double sp = row / (0.5 * (sel.fastest_ms + sel.slowest_ms)); /* a target inside the pool's range */
        budget = -1;
        HT_CHECK(hant_selection_budget(&sel, 0, sp, 0, &budget) == HANT_OK && HT_CLOSE(budget, row / sp, 1e-6, 1e-9), "budget %.6f (%.6f): %s", budget, row / sp,
                 hant_last_error());
        hant_selection_free(&sel);
        hant_arch other = a;
        other.blocks[0].expansion = other.blocks[0].expansion == 1 ? 3 : 1;
        HT_CHECK(hant_lut_teacher_price(&l7, &other, 1, 2, &price, &meas) != HANT_OK || meas == 0, "another architecture does not take the row");
        /* rescaled with the table, as the model's ms rows are */
        HT_CHECK(hant_lut_rescale(&l7, 0.5) == HANT_OK && hant_lut_teacher_price(&l7, &a, 1, 2, &price, &meas) == HANT_OK && HT_CLOSE(price, 0.5 * row, 1e-6, 1e-9),
                 "rescaled: %.6f (%.6f)", price, 0.5 * row);
        HT_CHECK(hant_lut_set_teacher_price(&l7, &a, 1, 2, 0) == HANT_OK && hant_lut_teacher_price(&l7, &a, 1, 2, &price, &meas) == HANT_OK && meas == 0,
                 "zeroed: the model's price again");
        HT_CHECK(hant_lut_save(&l7, path) == HANT_OK && (f = fopen(path, "r")) && fgets(line, sizeof line, f) && !strcmp(line, "# hant latency table v6\n"),
                 "zeroed: v6 again: %s", line);
        if (f) fclose(f);
        HT_CHECK(hant_lut_set_teacher_price(&l7, &a, 1, 2, NAN) != HANT_OK, "NaN refused");
        hant_lut_free(&l7);
        remove(path);
    }
    hant_context_destroy(ctx);
    hant_lut_free(&lut);
}


/* The signature key of the in-place row of arch's block b. */
static void ip_key(const hant_arch *a, int b, char *key, size_t size) {
    char sig[256];
    hant_part_signature(a, b, sig, sizeof sig);
    snprintf(key, size, "inplace %s b=1 t=2 p=fp32", sig);
}

/* Synthetic timings with a known in-place offset per candidate: the truth is
   a linear model plus delta[c] for every block where candidate c runs (per
   block the offsets sum to 0 over the teacher's block, 0, and its two
   candidates, +d and -d). The in-place rows hold what hant profile --inplace
   measures (the teacher with c swapped in over the teacher);
   hant_lut_model_fit, given random networks' timings, must recover every
   delta and find that they hold (scale ~1). Before that, offsets that hold
   only in the teacher (the networks do not have them): the scale must come
   out ~0 and the prediction stay the model's. */
static void test_inplace_fit(void) {
    hant_arch a;
    HT_CHECK(hant_arch_builtin("b0-fm", &a) == HANT_OK, "b0-fm");
    ht_seed(21);
    hant_lut lut;
    hant_scores sc;
    static hant_score_row rows[HANT_MAX_BLOCKS * IP_C];
    hant_arch cands[IP_NB * IP_C];
    int nc = 0, cblock[IP_NB * IP_C];
    ip_table(&a, &lut, &sc, rows, cands, &nc);
    for (int i = 0; i < nc; i++) cblock[i] = a.num_blocks - IP_NB + i / (IP_C - 1);
    hant_latency_model truth;
    memset(&truth, 0, sizeof truth);
    truth.coef[0] = -0.02; truth.coef[1] = 1.12; truth.coef[2] = 0.0005; truth.coef[3] = 0.05; truth.nfit = 1;
    HT_CHECK(hant_lut_set_model(&lut, 1, 2, &truth) == HANT_OK, "the true model");
    double delta[IP_NB * IP_C];
    for (int i = 0; i < nc; i += 2) { delta[i] = 0.004 + 0.012 * (double)(ht_u64() % 1000) / 1000; delta[i + 1] = -delta[i]; }
    /* a row is a signature: equal blocks (b0-fm's repeated ones) share their offsets */
    for (int i = 0; i < nc; i++)
        for (int j = 0; j < i; j++) {
            char ki[300], kj[300];
            ip_key(&cands[i], cblock[i], ki, sizeof ki);
            ip_key(&cands[j], cblock[j], kj, sizeof kj);
            if (!strcmp(ki, kj)) { delta[i] = delta[j]; break; }
        }
    enum { N = 60 };
    static hant_arch nets[N];
    double y[N], tt;
    for (int scene = 1; scene >= 0; scene--) { /* the second leaves the table with its corrections */
        HT_CHECK(hant_lut_set_model(&lut, 1, 2, &truth) == HANT_OK, "the true model");
        for (int i = 0; i < lut.count; i++) if (!strncmp(lut.entries[i].key, "inplace ", 8)) lut.entries[i].t.median_ms = 0;
        /* the true latency of a network: the model plus (scene 0) its candidates' offsets */
#define IP_TRUE(net, out, with) do { \
        HT_CHECK(hant_lut_predict(&lut, (net), 1, 2, (out)) == HANT_OK, "predict: %s", hant_last_error()); \
        for (int i_ = 0; (with) && i_ < nc; i_++) \
            if (!memcmp(&(net)->blocks[cblock[i_]], &cands[i_].blocks[cblock[i_]], sizeof cands[i_].blocks[0])) *(out) += delta[i_]; } while (0)
        ht_seed(22);
        /* what hant profile --inplace measures (before any row: the plain model prices) */
        double ts[IP_NB * IP_C];
        IP_TRUE(&a, &tt, 1);
        for (int i = 0; i < nc; i++) IP_TRUE(&cands[i], &ts[i], 1);
        for (int k = 0; k < N; k++) {
            nets[k] = a;
            for (int b = a.num_blocks - IP_NB; b < a.num_blocks; b++) {
                int c = (int)(ht_u64() % IP_C);
                if (c) nets[k].blocks[b] = cands[(b - (a.num_blocks - IP_NB)) * (IP_C - 1) + c - 1].blocks[b];
            }
            IP_TRUE(&nets[k], &y[k], scene == 0);
            y[k] *= 1 + 0.0005 * gauss();
        }
        for (int i = 0; i < nc; i++) {
            char key[300];
            ip_key(&cands[i], cblock[i], key, sizeof key);
            hant_timing t = { 0, 0, tt, 10, 0.0002, ts[i] / tt };
            HT_CHECK(hant_lut_set(&lut, key, &t) == HANT_OK, "in-place row %d: %s", i, hant_last_error());
        }
#undef IP_TRUE
        hant_latency_model m;
        /* without the candidates: the plain fit, the rows left as they are (0) */
        HT_CHECK(hant_lut_model_fit(&lut, &a, NULL, NULL, 0, nets, y, N, 1e-6, &m) == HANT_OK, "fit without corrections: %s", hant_last_error());
        double plain_worst = 0, worst = 0, worst_d = 0, scale = -1, sxy = 0, sxx = 0, syy = 0;
        for (int k = 0; k < N; k++) { double p; hant_lut_predict(&lut, &nets[k], 1, 2, &p); plain_worst = fmax(plain_worst, fabs(p / y[k] - 1)); }
        HT_CHECK(hant_lut_model_fit(&lut, &a, cands, cblock, nc, nets, y, N, 1e-6, &m) == HANT_OK, "fit with corrections: %s", hant_last_error());
        const hant_lut_entry *se = hant_lut_find(&lut, "model inplace-scale b=1 t=2 p=fp32");
        if (se) scale = se->t.median_ms;
        for (int i = 0; i < nc; i++) {
            char key[300];
            ip_key(&cands[i], cblock[i], key, sizeof key);
            const hant_lut_entry *e = hant_lut_find(&lut, key);
            HT_CHECK(e != NULL, "row %d", i);
            if (e) worst_d = fmax(worst_d, fabs(e->t.median_ms - (scene == 0 ? delta[i] : 0)));
            if (e) { sxy += e->t.median_ms * delta[i]; sxx += e->t.median_ms * e->t.median_ms; syy += delta[i] * delta[i]; }
        }
        for (int k = 0; k < N; k++) { double p; hant_lut_predict(&lut, &nets[k], 1, 2, &p); worst = fmax(worst, fabs(p / y[k] - 1)); }
        const double r = sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : 0;
        printf("  %s: scale %.3f, corrections within %.5f ms of %s (correlation %.3f); networks' worst error %.2f%% (the model alone %.2f%%)\n",
               scene == 0 ? "offsets of 0.004-0.016 ms that hold in every network" : "offsets that hold only in the teacher", scale, worst_d,
               scene == 0 ? "them" : "0", r, 100 * worst, 100 * plain_worst);
        if (scene == 0) {
            /* what the rows pin is each candidate against the teacher's block: the
               model's time coefficient and the corrections can trade a little */
            HT_CHECK(scale > 0.7, "the offsets hold: scale %.3f", scale);
            HT_CHECK(r > 0.8 && worst_d < 0.01, "the in-place offsets recovered: correlation %.3f, worst %.5f ms off", r, worst_d);
            HT_CHECK(worst < 0.5 * plain_worst, "networks priced better with them: worst %.4f (without %.4f)", worst, plain_worst);
        } else {
            HT_CHECK(scale >= 0 && scale < 0.1, "offsets the networks lack are not used: scale %.3f", scale);
            HT_CHECK(worst < 0.005, "networks priced as the model: worst %.4f", worst);
        }
    }
    /* the table keeps them: saved as v4, loaded, the same prediction */
    char path[256];
    snprintf(path, sizeof path, "%s/inplace.tsv", dir);
    HT_CHECK(hant_lut_save(&lut, path) == HANT_OK, "save");
    FILE *f = fopen(path, "r");
    char first[64] = "";
    if (f) { if (!fgets(first, sizeof first, f)) first[0] = 0; fclose(f); }
    HT_CHECK(!strcmp(first, "# hant latency table v4\n"), "a table with corrections is v4: '%s'", first);
    hant_lut back;
    double p0, p1;
    HT_CHECK(hant_lut_load(path, &back) == HANT_OK, "load: %s", hant_last_error());
    hant_lut_predict(&lut, &nets[3], 1, 2, &p0);
    HT_CHECK(hant_lut_predict(&back, &nets[3], 1, 2, &p1) == HANT_OK && HT_CLOSE(p0, p1, 1e-5, 1e-5), "the loaded table prices alike (%.6f, %.6f)", p0, p1);
    /* a rescaled machine: corrections are ms and scale with it */
    HT_CHECK(hant_lut_rescale(&back, 1.5) == HANT_OK && hant_lut_predict(&back, &nets[3], 1, 2, &p1) == HANT_OK && HT_CLOSE(p1, 1.5 * p0, 1e-5, 1e-4),
             "rescaled x1.5: %.6f against %.6f", p1, 1.5 * p0);
    hant_lut_free(&back);
    hant_lut_free(&lut);
    /* hostile in-place rows: no ratio, no teacher time, NaN, a negative ratio; a v7 table */
    static const struct { const char *text, *needle; } bad[] = {
        { "# hant latency table v4\nkey\tmedian_ms\tmad_ms\tmin_ms\treps\tunc_ms\trel\ninplace conv b=1 t=2 p=fp32\t0.01\t0\t1.0\t5\t0\t0\n", ":3:" },
        { "# hant latency table v4\nkey\tmedian_ms\tmad_ms\tmin_ms\treps\tunc_ms\trel\ninplace conv b=1 t=2 p=fp32\t0.01\t0\t0\t5\t0\t1.01\n", ":3:" },
        { "# hant latency table v4\nkey\tmedian_ms\tmad_ms\tmin_ms\treps\tunc_ms\trel\ninplace conv b=1 t=2 p=fp32\tnan\t0\t1\t5\t0\t1.01\n", ":3:" },
        { "# hant latency table v4\nkey\tmedian_ms\tmad_ms\tmin_ms\treps\tunc_ms\trel\ninplace conv b=1 t=2 p=fp32\t-0.01\t0\t1\t5\t0\t-1\n", ":3:" },
        { "# hant latency table v4\nkey\tmedian_ms\tmad_ms\tmin_ms\treps\tunc_ms\trel\ninplace conv b=1 t=2 p=fp32\t-1e12\t0\t1\t5\t0\t1\n", ":3:" },
        { "# hant latency table v8\nkey\tmedian_ms\tmad_ms\tmin_ms\treps\tunc_ms\trel\n", ":1: latency table v8 is newer" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        f = fopen(path, "w");
        fputs(bad[i].text, f);
        fclose(f);
        hant_status st = hant_lut_load(path, &back);
        HT_CHECK(st == HANT_ERR_FORMAT && strstr(hant_last_error(), bad[i].needle), "bad table %zu: status %d, '%s'", i, st, hant_last_error());
    }
    /* a negative correction is a table's right (a candidate cheaper in place) */
    f = fopen(path, "w");
    fputs("# hant latency table v4\nkey\tmedian_ms\tmad_ms\tmin_ms\treps\tunc_ms\trel\ninplace conv b=1 t=2 p=fp32\t-0.01\t0\t1\t5\t0\t0.98\n", f);
    fclose(f);
    HT_CHECK(hant_lut_load(path, &back) == HANT_OK && back.count == 1, "a negative correction loads: %s", hant_last_error());
    hant_lut_free(&back);
    remove(path);
}

/* Selection with in-place corrections (one negative, large enough that the
   clamp at 0 acts) equals a brute force over all 243 selections on 12
   budgets and never exceeds a budget as hant_lut_predict prices it; the
   table's times alone would overshoot some budgets. */
static void test_inplace_selection(void) {
    hant_arch a;
    HT_CHECK(hant_arch_builtin("b0-fm", &a) == HANT_OK, "b0-fm");
    ht_seed(23);
    hant_lut lut;
    hant_scores sc;
    static hant_score_row rows[HANT_MAX_BLOCKS * IP_C];
    hant_arch cands[IP_NB * IP_C];
    int nc = 0;
    ip_table(&a, &lut, &sc, rows, cands, &nc);
    hant_latency_model m;
    memset(&m, 0, sizeof m);
    m.coef[0] = 0.01; m.coef[1] = 1.1; m.coef[2] = 0.001; m.coef[3] = 0.01; m.nfit = 50;
    HT_CHECK(hant_lut_set_model(&lut, 1, 2, &m) == HANT_OK, "model");
    for (int i = 0; i < nc; i++) {
        char key[300];
        const int b = a.num_blocks - IP_NB + i / (IP_C - 1);
        double part;
        hant_lut_part_ms(&lut, &cands[i], b, 1, 2, &part);
        /* large offsets both ways; candidate 0 cheaper in place than its whole cost */
        double d = i == 0 ? -2 * part : (i % 2 ? 1 : -0.5) * (0.3 + 0.5 * (double)(ht_u64() % 1000) / 1000) * part;
        ip_key(&cands[i], b, key, sizeof key);
        hant_timing t = { d, 0, 1.0, 10, 0.001, 1.0 };
        HT_CHECK(hant_lut_set(&lut, key, &t) == HANT_OK, "row %d", i);
    }
    double p0;
    hant_lut_part_ms(&lut, &cands[0], a.num_blocks - IP_NB, 1, 2, &p0);
    HT_CHECK(p0 == 0, "a part never costs below 0: %g", p0);
    hant_context *ctx;
    HT_CHECK(hant_context_create(NULL, &ctx) == HANT_OK, "context");
    hant_selection sel;
    HT_CHECK(hant_selection_build(ctx, &a, &sc, &lut, &sel) == HANT_OK, "build: %s", hant_last_error());
    enum { S = 243 };
    int items[S][HANT_MAX_BLOCKS + 1];
    for (int k = 0; k < S; k++)
        for (int l = 0, r = k; l < sel.nlayers; l++) { items[k][l] = sel.count[l] > 1 ? r % sel.count[l] : 0; if (sel.count[l] > 1) r /= sel.count[l]; }
    int ok_pred = 1, ok_exact = 1, found = 0, plain_over = 0;
    for (int j = 0; j < 12; j++) {
        double B = sel.fastest_ms + (sel.slowest_ms - sel.fastest_ms) * (0.02 + 0.9 * j / 11);
        double best = INFINITY;
        for (int k = 0; k < S; k++) {
            const hant_score_row *ch[HANT_MAX_BLOCKS + 1];
            double pred, loss = 0;
            hant_selection_choose(&sel, items[k], ch, &pred, NULL);
            for (int l = 0, off = 0; l < sel.nlayers; off += sel.count[l], l++) loss += sel.loss[off + items[k][l]];
            if (pred <= B && loss < best) best = loss;
        }
        hant_solver_result res;
        hant_arch sa;
        double pred, pa, plain = 0;
        if (!sel_solve(&sel, &a, &lut, B, &res, &sa, &pred, &pa)) { ok_exact &= best == INFINITY; continue; }
        found++;
        plain = pa - hant_lut_inplace_sum(&lut, &sa, 1, 2);
        ok_pred &= HT_CLOSE(pred, pa, 1e-12, 1e-12) && pa <= B * (1 + 1e-12);
        ok_exact &= HT_CLOSE(res.loss, best, 1e-12, 1e-12);
        plain_over += plain > B * (1 + 1e-9) || pa > B * (1 + 1e-9); /* priced without the corrections it would differ */
        hant_solver_result_free(&res);
    }
    /* the budgets would be priced differently without the corrections */
    hant_lut plain_lut = lut;
    plain_lut.entries = NULL; plain_lut.count = plain_lut.cap = 0;
    for (int i = 0; i < lut.count; i++) if (strncmp(lut.entries[i].key, "inplace ", 8)) hant_lut_set(&plain_lut, lut.entries[i].key, &lut.entries[i].t);
    double tp, tq;
    hant_lut_predict(&lut, &cands[1], 1, 2, &tp);
    hant_lut_predict(&plain_lut, &cands[1], 1, 2, &tq);
    printf("  in-place corrections: %d of 12 budgets solved, all within budget as hant_lut_predict prices them: %s, equal to brute force: %s; "
           "a candidate's network %.4f ms with its correction, %.4f without\n", found, ok_pred ? "yes" : "NO", ok_exact ? "yes" : "NO", tp, tq);
    HT_CHECK(found >= 10, "budgets solved: %d", found);
    HT_CHECK(ok_pred, "every selection within its budget as hant_lut_predict prices it");
    HT_CHECK(ok_exact, "the solver's optimum equals the brute force");
    HT_CHECK(fabs(tp - tq) > 1e-4, "the correction is priced");
    (void)plain_over;
    hant_lut_free(&plain_lut);
    hant_selection_free(&sel);
    hant_context_destroy(ctx);
    hant_lut_free(&lut);
}

/* Validation's networks (hant__prof_draw): with the int8 head on offer, some
   random networks have it and some not, from a stream of their own: every
   network's blocks, its candidate indices, and the block stream's state after
   the draw (the folds') are those drawn without it; the teacher keeps its head. */
static void test_validate_head(void) {
    hant_arch a;
    HT_CHECK(hant_arch_builtin("b0-fm", &a) == HANT_OK, "b0-fm");
    HT_CHECK(a.head_cout > 0 && a.num_classes > 0 && !a.head_quant, "b0-fm has an fp32 head conv");
    static hant_block_spec spec[HANT_MAX_BLOCKS][HANT_POOL_MAX];
    static int order[HANT_MAX_BLOCKS * HANT_POOL_MAX];
    hant__prof p;
    memset(&p, 0, sizeof p);
    p.nblocks = a.num_blocks;
    for (int b = 0; b < a.num_blocks; b++) {
        int h, w, c;
        hant_arch_block_input(&a, b, &h, &w, &c);
        HT_CHECK(hant_pool_generate(&a.blocks[b], h, w, "quick+q8", spec[b], HANT_POOL_MAX, &p.count[b]) == HANT_OK && p.count[b] > 1, "pool %d: %s", b,
                 hant_last_error());
        p.spec[b] = spec[b];
        for (int k = 0; k < p.count[b]; k++) order[b * HANT_POOL_MAX + k] = p.count[b] - 1 - k;
    }
    enum { NN = 41 };
    static hant_arch n0[NN], n1[NN];
    static int c0[NN * HANT_MAX_BLOCKS], c1[NN * HANT_MAX_BLOCKS];
    char s0[NN] = { 0 }, s1[NN] = { 0 };
    for (uint64_t seed = 1; seed <= 3; seed++) {
        uint64_t r0 = seed * 0x9E3779B97F4A7C15ull + 12345, r1 = r0;
        hant__prof_draw(&p, &a, order, 0.5, 0, 0, seed, &r0, NN, n0, c0, s0);
        hant__prof_draw(&p, &a, order, 0.5, 0, 1, seed, &r1, NN, n1, c1, s1);
        HT_CHECK(r0 == r1, "seed %d: the block stream moved with the head's draw", (int)seed);
        HT_CHECK(!memcmp(c0, c1, sizeof(int) * NN * (size_t)a.num_blocks) && !memcmp(s0, s1, NN), "seed %d: candidates or kinds differ", (int)seed);
        int q = 0, same = 1;
        for (int k = 0; k < NN; k++) {
            same &= !memcmp(n0[k].blocks, n1[k].blocks, sizeof(hant_block_spec) * (size_t)a.num_blocks);
            HT_CHECK(!n0[k].head_quant, "seed %d: net %d has the int8 head without the offer", (int)seed, k);
            if (k == 0) HT_CHECK(!n1[0].head_quant, "seed %d: the teacher's head changed", (int)seed);
            else q += n1[k].head_quant == HANT_QUANT_INT8;
            n1[k].head_quant = 0;
            same &= !memcmp(&n0[k], &n1[k], sizeof n0[k]); /* the head aside, the same network */
        }
        HT_CHECK(same, "seed %d: a network's blocks differ with the int8 head on offer", (int)seed);
        HT_CHECK(q >= 8 && q <= NN - 9, "seed %d: %d of %d random networks with the int8 head", (int)seed, q, NN - 1);
    }
    /* near the teacher (a share 0.25: networks 4, 8, ...): 1 to half of the blocks swapped for
       their uniform draw, the rest the teacher's own (candidate -1); every other network, and the
       block stream after the draw, as drawn without them */
    int seen[HANT_MAX_BLOCKS + 1] = { 0 }, kinds = 0;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        uint64_t r0 = seed * 0x9E3779B97F4A7C15ull + 12345, r1 = r0;
        hant__prof_draw(&p, &a, order, 0.5, 0, 1, seed, &r0, NN, n0, c0, s0);
        hant__prof_draw(&p, &a, order, 0.5, 0.25, 1, seed, &r1, NN, n1, c1, s1);
        HT_CHECK(r0 == r1, "seed %d: the block stream moved with the near draws", (int)seed);
        int other_same = 1, near_ok = 1, nnear = 0;
        for (int k = 1; k < NN; k++) {
            const int *i1 = c1 + (size_t)k * a.num_blocks;
            if (k % 4) {
                other_same &= s0[k] == s1[k] && !memcmp(&n0[k], &n1[k], sizeof n0[k]) && !memcmp(c0 + (size_t)k * a.num_blocks, i1, sizeof(int) * (size_t)a.num_blocks);
                continue;
            }
            nnear++;
            int m = 0;
            for (int b = 0; b < a.num_blocks; b++) {
                if (i1[b] < 0) near_ok &= !memcmp(&n1[k].blocks[b], &a.blocks[b], sizeof a.blocks[b]);
                else { m++; near_ok &= !memcmp(&n1[k].blocks[b], &p.spec[b][i1[b]], sizeof a.blocks[b]); }
            }
            near_ok &= s1[k] == HANT__VAL_NEAR && m >= 1 && 2 * m <= a.num_blocks + 1 && n1[k].head_quant == n0[k].head_quant;
            kinds += !seen[m]++;
        }
        HT_CHECK(nnear == 10 && near_ok, "seed %d: %d near networks, each 1 to half of its blocks swapped: %s", (int)seed, nnear, near_ok ? "yes" : "NO");
        HT_CHECK(other_same, "seed %d: a network not near the teacher changed with the near draws", (int)seed);
    }
    HT_CHECK(kinds >= 5, "near networks swap %d different numbers of blocks in 30", kinds);
}

/* One real measurement, reported: a tiny network bracketed by a larger
   reference, as hant profile does. Bounded only by sanity. */
static void test_tiny_bracketed(void) {
    hant_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.threads = 1;
    hant_context *ctx;
    HT_CHECK(hant_context_create(&cfg, &ctx) == HANT_OK, "context");
    hant_arch small, big;
    memset(&small, 0, sizeof small);
    small.in_h = small.in_w = 8; small.in_c = 8; small.num_blocks = 1;
    small.blocks[0].kind = HANT_BLOCK_CONV; small.blocks[0].cin = small.blocks[0].cout = 8; small.blocks[0].kernel = 3; small.blocks[0].stride = 1;
    small.blocks[0].act = HANT_ACT_RELU;
    big = small;
    big.in_h = big.in_w = 16;
    hant_net *ns = NULL, *nb = NULL;
    HT_CHECK(hant_net_create(ctx, &small, 1, &ns) == HANT_OK && hant_net_create(ctx, &big, 1, &nb) == HANT_OK, "nets: %s", hant_last_error());
    if (ns && nb) {
        hant_profile_config pc;
        memset(&pc, 0, sizeof pc);
        pc.reps = 9; pc.warmup = 2;
        enum { R = 9 };
        double x[R], b[R], a[R];
        hant_timing t;
        hant_profile_net(nb, 1, &pc, &t);
        double prev = t.median_ms;
        for (int r = 0; r < R; r++) {
            hant_profile_net(ns, 1, &pc, &t); x[r] = t.median_ms;
            hant_profile_net(nb, 1, &pc, &t); b[r] = prev; a[r] = t.median_ms; prev = t.median_ms;
        }
        hant_ratio q;
        HT_CHECK(hant_ratio_estimate(x, b, a, R, 0.10, &q) == HANT_OK && isfinite(q.ratio) && q.ratio >= 0, "estimate");
        printf("  tiny conv 8x8 over 16x16: ratio %.3f +- %.1f%% (%d kept, %d dropped; 4x the work predicts ~0.25-0.4)\n", q.ratio, 100 * q.unc, q.kept,
               q.dropped);
        /* a part timed with the cores' L2 evicted before every run (--cache evict): it runs, and costs no less */
        hant_timing warm, ev;
        pc.evict = 1; pc.evict_bytes = (size_t)1 << 20;
        HT_CHECK(hant_profile_net(nb, 1, &pc, &ev) == HANT_OK && ev.min_ms > 0 && ev.reps == 9, "evicted timing: %s", hant_last_error());
        pc.evict = 0;
        HT_CHECK(hant_profile_net(nb, 1, &pc, &warm) == HANT_OK, "warm timing");
        printf("  16x16 conv alone: %.4f ms warm, %.4f ms with L2 evicted before every run (reported, not bounded)\n", warm.min_ms, ev.min_ms);
    }
    hant_net_destroy(ns); hant_net_destroy(nb);
    hant_context_destroy(ctx);
}

/* hant_speedup_check (hant transform's check, through the API): its errors,
   and on a tiny teacher and a student with one block made identity, the
   counts, prior groups, and each part's price and level taken from the table
   exactly. The times themselves are reported, bounded only by sanity. */
static void test_speedup_check(void) {
    hant_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.threads = 1;
    hant_context *ctx;
    HT_CHECK(hant_context_create(&cfg, &ctx) == HANT_OK, "context");
    static hant_arch ta, sa, other;
    memset(&ta, 0, sizeof ta);
    ta.in_h = ta.in_w = 16; ta.in_c = 3; ta.num_classes = 10;
    ta.stem_cout = 16; ta.stem_kernel = 3; ta.stem_stride = 1; ta.stem_act = HANT_ACT_RELU;
    ta.head_cout = 32; ta.head_act = HANT_ACT_RELU; ta.num_blocks = 3;
    for (int b = 0; b < 3; b++) {
        hant_block_spec *k = &ta.blocks[b];
        k->kind = HANT_BLOCK_CONV; k->cin = k->cout = 16; k->kernel = 3; k->stride = 1; k->act = HANT_ACT_RELU;
    }
    sa = ta; sa.blocks[1].kind = HANT_BLOCK_IDENTITY;
    other = ta; other.in_h = other.in_w = 8;
    hant_net *tn = NULL, *sn = NULL, *on = NULL;
    HT_CHECK(hant_net_create(ctx, &ta, 1, &tn) == HANT_OK && hant_net_create(ctx, &sa, 2, &sn) == HANT_OK && hant_net_create(ctx, &other, 3, &on) == HANT_OK,
             "nets: %s", hant_last_error());
    if (!tn || !sn || !on) goto done;
    static hant_speedup_result r;
    hant_speedup_config sc;
    memset(&sc, 0, sizeof sc);
    HT_CHECK(hant_speedup_check(NULL, sn, &sc, &r) == HANT_ERR_INVALID_ARG && hant_speedup_check(tn, sn, &sc, NULL) == HANT_ERR_INVALID_ARG, "NULL refused");
    HT_CHECK(hant_speedup_check(tn, on, &sc, &r) == HANT_ERR_INVALID_ARG && strstr(hant_last_error(), "8x8x3"), "another input refused: %s", hant_last_error());
    {
        hant_context *c2;
        hant_net *s2 = NULL;
        HT_CHECK(hant_context_create(&cfg, &c2) == HANT_OK && hant_net_create(c2, &sa, 2, &s2) == HANT_OK, "a second context");
        HT_CHECK(hant_speedup_check(tn, s2, &sc, &r) == HANT_ERR_INVALID_ARG && strstr(hant_last_error(), "two contexts"), "a student of another context refused: %s",
                 hant_last_error());
        hant_net_destroy(s2);
        hant_context_destroy(c2);
    }
    sc.groups = HANT_SPEEDUP_MAX_GROUPS + 1;
    HT_CHECK(hant_speedup_check(tn, sn, &sc, &r) == HANT_ERR_INVALID_ARG, "too many groups refused");
    sc.groups = 2; sc.prior = 2;
    HT_CHECK(hant_speedup_check(tn, sn, &sc, &r) == HANT_ERR_INVALID_ARG, "prior groups without their estimates refused");
    /* a table of the parts: stem, the conv block (shared key), head */
    hant_lut lut;
    memset(&lut, 0, sizeof lut);
    lut.batch = 1; lut.threads = 1;
    for (int p = HANT_PART_STEM; p <= ta.num_blocks; p++) {
        char sig[256], key[256];
        hant_part_signature(&ta, p, sig, sizeof sig);
        hant_lut_key(key, sizeof key, sig, 1, 1, "fp32");
        hant_timing t = { 0.002 + 0.001 * (p + 1), 0, 0, 1, 0, 0 };
        HT_CHECK(hant_lut_set(&lut, key, &t) == HANT_OK, "set %s", key);
    }
    const double prior_est[2] = { 1.5, 1.6 }, prior_unc[2] = { 0.01, 0.02 };
    sc.lut = &lut; sc.prior_est = prior_est; sc.prior_unc = prior_unc;
    HT_CHECK(hant_speedup_check(tn, sn, &sc, &r) == HANT_OK, "check: %s", hant_last_error());
    HT_CHECK(r.ngroups == 4 && r.speedup.n == 4 && r.group_est[0] == 1.5 && r.group_unc[1] == 0.02 && r.group_est[2] > 0 && r.group_est[3] > 0,
             "groups: %d (%d used), %g %g %g %g", r.ngroups, r.speedup.n, r.group_est[0], r.group_est[1], r.group_est[2], r.group_est[3]);
    HT_CHECK(r.teacher_ms > 0 && HT_CLOSE(r.student_ms, r.teacher_ms / r.speedup.center, 1e-12, 0), "teacher %g ms, student %g ms", r.teacher_ms, r.student_ms);
    double tp = -1, sp = -1;
    HT_CHECK(hant_lut_teacher_price(&lut, &ta, 1, 1, &tp, NULL) == HANT_OK && hant_lut_predict(&lut, &sa, 1, 1, &sp) == HANT_OK, "prices");
    HT_CHECK(r.teacher_pred_ms == tp && r.student_pred_ms == sp && HT_CLOSE(r.level, r.teacher_ms / tp, 1e-12, 0), "the table's prices: %g %g (%g %g), level %g",
             r.teacher_pred_ms, r.student_pred_ms, tp, sp, r.level);
    HT_CHECK(r.nparts == sa.num_blocks + 2 && r.parts[0].part == HANT_PART_STEM && r.parts[r.nparts - 1].part == sa.num_blocks, "parts: %d", r.nparts);
    double sum = 0;
    for (int i = 0; i < r.nparts; i++) {
        const hant_part_check *c = &r.parts[i];
        double ms = -1;
        HT_CHECK(hant_lut_part_ms(&lut, &sa, c->part, 1, 1, &ms) == HANT_OK && c->pred_ms == ms && HT_CLOSE(c->pred_level_ms, ms * r.level, 1e-12, 0),
                 "part %d: price %g (table %g), at the level %g", c->part, c->pred_ms, ms, c->pred_level_ms);
        HT_CHECK(isfinite(c->inplace_ms) && c->unc_ms >= 0, "part %d: %g +- %g ms", c->part, c->inplace_ms, c->unc_ms);
        if (c->part == 1) HT_CHECK(c->pred_ms == 0, "the identity block's price %g", c->pred_ms);
        sum += c->inplace_ms;
    }
    printf("  tiny student beside its teacher: %.3fx +- %.3f (its own groups %.3f, %.3f), parts in place sum to %.4f ms of %.4f (reported)\n", r.speedup.center,
           r.speedup.unc, r.group_est[2], r.group_est[3], sum, r.student_ms);
    /* the groups alone, no table; then the teacher beside itself */
    memset(&sc, 0, sizeof sc);
    sc.groups = 3; sc.no_parts = 1;
    HT_CHECK(hant_speedup_check(tn, sn, &sc, &r) == HANT_OK && r.ngroups == 3 && r.nparts == 0 && r.teacher_pred_ms == -1 && r.student_pred_ms == -1 && r.level == -1,
             "groups alone: %d groups, %d parts, prices %g %g", r.ngroups, r.nparts, r.teacher_pred_ms, r.student_pred_ms);
    HT_CHECK(hant_speedup_check(tn, tn, &sc, &r) == HANT_OK && r.speedup.center > 0.5 && r.speedup.center < 2, "the teacher beside itself: %.3fx",
             r.speedup.center);
    hant_lut_free(&lut);
done:
    hant_net_destroy(tn); hant_net_destroy(sn); hant_net_destroy(on);
    hant_context_destroy(ctx);
}

/* The late-worker guard: its rule on synthetic pool tallies, and the tallies
   of a real 2-thread timing (counted, not bounded). */
static void test_late_worker(void) {
    HT_CHECK(!hant__late_run(40, 0, 0, 2) && !hant__late_run(40, 20, 0, 2), "on time: none or half of 40 slots run by the caller");
    HT_CHECK(hant__late_run(40, 21, 0, 2) && hant__late_run(40, 40, 0, 2), "late: over half, all");
    HT_CHECK(hant__late_run(40, 0, 1, 2), "late: the caller yielded its core once");
    HT_CHECK(!hant__late_run(3, 3, 0, 2) && hant__late_run(4, 3, 0, 2), "a part of 1-3 dispatches is not judged by its slots");
    HT_CHECK(!hant__late_run(40, 40, 3, 1) && !hant__late_run(0, 0, 0, 2), "one thread or no dispatch: never late");
    HT_CHECK(!hant__late_run(40, 60, 0, 4) && hant__late_run(40, 61, 0, 4), "4 threads: half of 120 worker slots");
    hant_config cc;
    memset(&cc, 0, sizeof cc);
    cc.threads = 2;
    hant_context *ctx;
    HT_CHECK(hant_context_create(&cc, &ctx) == HANT_OK, "context");
    hant_arch a;
    memset(&a, 0, sizeof a);
    a.in_h = a.in_w = 16; a.in_c = 16; a.num_blocks = 1;
    a.blocks[0].kind = HANT_BLOCK_CONV; a.blocks[0].cin = a.blocks[0].cout = 16; a.blocks[0].kernel = 3; a.blocks[0].stride = 1;
    a.blocks[0].act = HANT_ACT_RELU;
    hant_net *net = NULL;
    HT_CHECK(hant_net_create(ctx, &a, 1, &net) == HANT_OK, "net: %s", hant_last_error());
    if (!net) { hant_context_destroy(ctx); return; }
    for (int keep = 0; keep < 2; keep++) {
        hant_pool_stats s0, s1;
        hant_context_stats(ctx, &s0);
        hant_profile_config pc;
        memset(&pc, 0, sizeof pc);
        pc.reps = 20; pc.warmup = 2; pc.keep_late = keep;
        hant_timing t;
        HT_CHECK(hant_profile_net(net, 1, &pc, &t) == HANT_OK && t.reps == 20, "reps %d", t.reps);
        hant_context_stats(ctx, &s1);
        uint64_t d = s1.dispatches - s0.dispatches, cs = s1.caller_slots - s0.caller_slots;
        uint64_t dropped = s1.late_dropped - s0.late_dropped, kept = s1.late_kept - s0.late_kept;
        HT_CHECK(d > 0 && cs <= d, "dispatches %llu, caller slots %llu", (unsigned long long)d, (unsigned long long)cs);
        HT_CHECK(keep ? dropped == 0 : dropped <= 4 * 20 + 64, "keep_late %d: %llu dropped", keep, (unsigned long long)dropped);
        HT_CHECK(kept <= 20, "kept %llu", (unsigned long long)kept);
        printf("  keep_late %d: %llu dispatches, %llu slots on the caller, %llu yields, %llu runs dropped, %llu kept late\n", keep, (unsigned long long)d,
               (unsigned long long)cs, (unsigned long long)(s1.yields - s0.yields), (unsigned long long)dropped, (unsigned long long)kept);
    }
    hant_net_destroy(net);
    hant_context_destroy(ctx);
}

int main(int argc, char **argv) {
    HT_INIT(argc, argv);
    snprintf(dir, sizeof dir, "/tmp/hant_test_latency_%ld", (long)getpid());
    char cmd[300];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
    if (system(cmd) != 0) { printf("0 passed, 1 failed\n"); return 1; }
    HT_RUN(test_cpu_parse);
    HT_RUN(test_profile_lock);
    HT_RUN(test_foreign_table);
    HT_RUN(test_median_interval);
    HT_RUN(test_drift_cancels);
    HT_RUN(test_group_interval);
    HT_RUN(test_model_fit);
    HT_RUN(test_entry_drift);
    HT_RUN(test_model_knee);
    HT_RUN(test_model_cheap);
    HT_RUN(test_model_capped_knee);
    HT_RUN(test_model_hinge);
    HT_RUN(test_model_cache);
    HT_RUN(test_model_se_words);
    HT_RUN(test_table_drift);
    HT_RUN(test_steady);
    HT_RUN(test_one_model);
    HT_RUN(test_knee_selection);
    HT_RUN(test_inplace_fit);
    HT_RUN(test_inplace_selection);
    HT_RUN(test_tiny_bracketed);
    HT_RUN(test_speedup_check);
    HT_RUN(test_validate_head);
    HT_RUN(test_late_worker);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return HT_SUMMARY();
}
