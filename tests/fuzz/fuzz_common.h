/* Shared by the fuzz targets (tests/fuzz/fuzz_NAME.c). Each target defines
   LLVMFuzzerTestOneInput and builds alone with -fsanitize=fuzzer; fuzz_all.c
   includes every target into one program (make fuzz, and the replay of the
   seed corpora and regression files in make test).
   FZ_CLI: the target needs the hant tool's static parsers (examples/cmd_NAME.inc). */
#ifndef FZ_COMMON_H
#define FZ_COMMON_H
#if defined(FZ_CLI) || defined(FZ_ALL)
#define main hant_cli_main /* the tool as a library: its parsers are static */
#include "../../examples/hant.c"
#undef main
#else
#define HANT_IMPLEMENTATION
#include "../../hant.h"
#define HANT_SOLVER_IMPLEMENTATION
#include "../../hant_solver.h"
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <errno.h>

/* One single-threaded context; a network may not need more than 256 MiB (the
   fuzzer's own limit is 2 GiB), so huge declared sizes get the clean error. */
static hant_context *fz_ctx(void) {
    static hant_context *ctx;
    if (!ctx) {
        hant_config c;
        memset(&c, 0, sizeof c);
        c.threads = 1; c.max_memory = (size_t)256 << 20;
        if (hant_context_create(&c, &ctx)) abort();
    }
    return ctx;
}

/* A private folder for this process (the parsers read files): under
   $HANT_FUZZ_DIR (make fuzz: build/fuzz/tmp), else /tmp; removed at exit. */
static char fz__dir[256];
static void fz__cleanup(void) {
    static const char *names[] = { "m.hant", "m.onnx", "x.npy", "a-idx", "labels", "images", "lut.tsv", "scores.tsv",
                                   "choices-s.tsv", "runs.tsv", "report.md", "report.svg" };
    char p[600];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) { snprintf(p, sizeof p, "%s/%s", fz__dir, names[i]); remove(p); }
    rmdir(fz__dir);
}
static const char *fz_dir(void) {
    if (!fz__dir[0]) {
        const char *base = getenv("HANT_FUZZ_DIR");
        snprintf(fz__dir, sizeof fz__dir, "%s/hant-fuzz-%ld", base && *base ? base : "/tmp", (long)getpid());
        if (mkdir(fz__dir, 0700) && errno != EEXIST) abort();
        atexit(fz__cleanup);
    }
    return fz__dir;
}

/* Writes data to fz_dir()/name and returns the path (static storage per call site kind). */
static const char *fz_write(const char *name, const uint8_t *data, size_t n, char *path, size_t size) {
    snprintf(path, size, "%s/%s", fz_dir(), name);
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    if (n && fwrite(data, 1, n, f) != n) abort();
    fclose(f);
    return path;
}
#endif
