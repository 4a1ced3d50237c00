/* hant - the command-line tool. Each subcommand lives in examples/cmd_*.inc
 * (a static function hant_cmd_NAME(argc, argv) returning the exit status), and
 * this file is the only translation unit: `cc -O2 -march=native examples/hant.c -lm -lpthread`. */
#define _GNU_SOURCE /* sched_setscheduler for --realtime */
#define HANT_IMPLEMENTATION
#include "hant.h"
#define HANT_SOLVER_IMPLEMENTATION
#include "hant_solver.h"
#include <stdio.h>
#include <string.h>
#include <stdarg.h>

#include "cli_common.inc"
#include "cmd_model.inc"
#include "cmd_train.inc"
#include "cmd_solve.inc"
#include "cmd_report.inc"
#include "cmd_profile.inc"
#include "cmd_distill.inc"
#include "cmd_select.inc"
#include "cmd_transform.inc"
#include "cmd_quant.inc"
#include "cmd_export.inc"
#include "cmd_onnx.inc"

typedef struct { const char *name; int (*fn)(int, char **); const char *help; } hant_cli_command;
static const hant_cli_command hant_cli_commands[] = {
    { "new", hant_cmd_new, "create a network with seeded random weights" },
    { "info", hant_cmd_info, "print blocks, shapes, parameters and multiply-adds" },
    { "run", hant_cmd_run, "run inference on a float32 NCHW .npy batch" },
    { "bench", hant_cmd_bench, "time inference: latency median and images/s" },
    { "train", hant_cmd_train, "train on Fashion-MNIST with checkpoints and --resume" },
    { "finetune", hant_cmd_finetune, "phase 3: fine-tune a student with knowledge distillation from its teacher" },
    { "eval", hant_cmd_eval, "top-1 accuracy on the Fashion-MNIST test set" },
    { "predict", hant_cmd_predict, "logits for every image of an IDX file" },
    { "pool", hant_cmd_pool, "list every block's candidates (same input and output shape)" },
    { "distill", hant_cmd_distill, "phase 1: train every candidate to mimic its teacher block, and score it" },
    { "transform", hant_cmd_transform, "every phase: profile, distill, select, finetune, measure, report" },
    { "select", hant_cmd_select, "phase 2: the exact best candidate per block under a latency budget" },
    { "profile", hant_cmd_profile, "measure the latency lookup table on this CPU and validate it" },
    { "quantize", hant_cmd_quantize, "make blocks int8 and calibrate them on training images" },
    { "solve", hant_cmd_solve, "choose one candidate per layer under budgets (multiple-choice knapsack)" },
    { "export", hant_cmd_export, "write a network as an ONNX model (onnxruntime, OpenVINO)" },
    { "import", hant_cmd_import, "read an ONNX model (EfficientNet, MobileNetV2/V3, ResNet) into a .hant file" },
    { "report", hant_cmd_report, "Markdown report and SVG plot of a pipeline directory" },
};

static void hant_cli_usage(FILE *f) {
    fprintf(f, "usage: hant [--realtime] [--max-memory SIZE] COMMAND [ARGS]   (hant COMMAND --help for details)\n\ncommands:\n");
    for (size_t i = 0; i < sizeof hant_cli_commands / sizeof hant_cli_commands[0]; i++)
        fprintf(f, "  %-10s %s\n", hant_cli_commands[i].name, hant_cli_commands[i].help);
    fprintf(f, "\n--realtime: latency timings (profile, bench, and transform's measurements) run under\n"
               "SCHED_FIFO, so that other processes on a shared machine cannot preempt them. Needs\n"
               "root or CAP_SYS_NICE; Linux still leaves 5%% of each second to other processes.\n"
               "--max-memory SIZE: refuse a network that needs more (parameters and one image's\n"
               "activations), e.g. 512M, 8G, or 'none'; default: the machine's physical memory.\n");
}

/* SIZE: bytes with an optional K, M, G or T (powers of 1024); 'none': no limit. */
static int hant_cli_parse_size(const char *s, size_t *out) {
    if (!strcmp(s, "none")) { *out = SIZE_MAX; return 1; }
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno || !(v > 0)) return 0;
    const char *u = "KMGT", *p = *end ? strchr(u, *end) : NULL;
    if (*end && (!p || end[1])) return 0;
    if (p) for (long i = 0; i <= p - u; i++) v *= 1024.0;
    if (v < 1 || v >= 1.8e19) return 0;
    *out = (size_t)v;
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 2) { hant_cli_usage(stderr); return 2; }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) { hant_cli_usage(stdout); return 0; }
    for (;;) { /* global options, in any order */
        if (argc >= 2 && !strcmp(argv[1], "--realtime")) { hant_cli_realtime = 1; argc--; argv++; }
        else if (argc >= 2 && !strcmp(argv[1], "--max-memory")) {
            if (argc < 3 || !hant_cli_parse_size(argv[2], &hant_cli_max_memory)) {
                fprintf(stderr, "hant: --max-memory wants a size such as 512M, 8G or none\n");
                return 2;
            }
            argc -= 2; argv += 2;
        } else break;
    }
    if (argc < 2) { hant_cli_usage(stderr); return 2; }
    for (size_t i = 0; i < sizeof hant_cli_commands / sizeof hant_cli_commands[0]; i++)
        if (!strcmp(argv[1], hant_cli_commands[i].name)) return hant_cli_commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "hant: unknown command '%s' (try hant --help)\n", argv[1]);
    return 2;
}
