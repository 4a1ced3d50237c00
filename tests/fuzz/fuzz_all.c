/* Every fuzz target in one translation unit, so that hant.h is compiled once
   (a sanitized, instrumented hant.h takes minutes to build).
   - With -DFZ_REPLAY, a plain program for make test: runs each target on its
     seed corpus tests/fuzz/corpus/T/ and its regression files
     tests/fuzz/regress/T/ (inputs that once crashed). A crash fails make
     test; returning is a pass, one per target. Run from the repository root.
   - Otherwise, with -fsanitize=fuzzer, the libFuzzer binary of make fuzz; the
     target is the environment's HANT_FUZZ_TARGET. */
#define FZ_ALL
#include "fuzz_common.h"
#include <dirent.h>

#define LLVMFuzzerTestOneInput fz_hant
#include "fuzz_hant.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fz_onnx
#include "fuzz_onnx.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fz_npy
#include "fuzz_npy.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fz_idx
#include "fuzz_idx.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fz_lut
#include "fuzz_lut.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fz_sig
#include "fuzz_sig.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fz_solver
#include "fuzz_solver.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fz_scores
#include "fuzz_scores.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fz_choices
#include "fuzz_choices.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fz_report
#include "fuzz_report.c"
#undef LLVMFuzzerTestOneInput

static const struct { const char *name; int (*fn)(const uint8_t *, size_t); } fz_targets[] = {
    { "hant", fz_hant }, { "onnx", fz_onnx }, { "npy", fz_npy }, { "idx", fz_idx }, { "lut", fz_lut }, { "sig", fz_sig },
    { "solver", fz_solver }, { "scores", fz_scores }, { "choices", fz_choices }, { "report", fz_report },
};

/* Runs fn on every file of dir; returns the count, -1 if dir is unreadable. */
static int fz_replay_dir(const char *dir, int (*fn)(const uint8_t *, size_t)) {
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        if (!f) continue;
        fseek(f, 0, SEEK_END);
        long len = ftell(f);
        fseek(f, 0, SEEK_SET);
        uint8_t *buf = (uint8_t *)malloc(len > 0 ? (size_t)len : 1);
        size_t got = buf && len > 0 ? fread(buf, 1, (size_t)len, f) : 0;
        fclose(f);
        fn(buf, got);
        free(buf);
        n++;
    }
    closedir(d);
    return n;
}

#ifdef FZ_REPLAY
int main(int argc, char **argv) {
    const char *only = argc > 1 ? argv[1] : NULL;
    int passed = 0, failed = 0;
    for (size_t i = 0; i < sizeof fz_targets / sizeof fz_targets[0]; i++) {
        if (only && strcmp(only, fz_targets[i].name)) continue;
        char dir[256];
        snprintf(dir, sizeof dir, "tests/fuzz/corpus/%s", fz_targets[i].name);
        int nc = fz_replay_dir(dir, fz_targets[i].fn);
        snprintf(dir, sizeof dir, "tests/fuzz/regress/%s", fz_targets[i].name);
        int nr = fz_replay_dir(dir, fz_targets[i].fn);
        if (nc <= 0) { fprintf(stderr, "  FAIL %s: no seed corpus in tests/fuzz/corpus/%s\n", fz_targets[i].name, fz_targets[i].name); failed++; continue; }
        fprintf(stderr, "  %s: %d seeds, %d regression inputs\n", fz_targets[i].name, nc, nr < 0 ? 0 : nr);
        passed++;
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
#else
static int (*fz_fn)(const uint8_t *, size_t);
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc; (void)argv;
    const char *t = getenv("HANT_FUZZ_TARGET");
    for (size_t i = 0; t && i < sizeof fz_targets / sizeof fz_targets[0]; i++)
        if (!strcmp(t, fz_targets[i].name)) fz_fn = fz_targets[i].fn;
    if (!fz_fn) { fprintf(stderr, "HANT_FUZZ_TARGET: one of hant onnx npy idx lut sig solver scores choices report\n"); exit(2); }
    return 0;
}
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fz_fn(data, size); }
#endif
