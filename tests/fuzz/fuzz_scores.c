/* Score tables (hant distill's DIR/scores-*.tsv, read by select and by a
   resumed distill): hant_cli_scores_load from the tool. */
#define FZ_CLI
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char path[512];
    hant_cli_cand *rows = NULL;
    int n = 0;
    fz_write("scores.tsv", data, size, path, sizeof path);
    hant_cli_scores_load(path, NULL, &rows, &n);
    free(rows);
    rows = NULL;
    hant_cli_scores_load(path, "pool=quick images=64", &rows, &n);
    free(rows);
    return 0;
}
