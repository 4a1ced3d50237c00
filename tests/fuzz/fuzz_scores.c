/* Score tables (hant distill's DIR/scores*.tsv, read by select and by a
   resumed distill): hant_scores_load. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char path[512];
    hant_scores s;
    fz_write("scores.tsv", data, size, path, sizeof path);
    if (hant_scores_load(fz_ctx(), path, NULL, &s) == HANT_OK) hant_scores_free(&s);
    if (hant_scores_load(fz_ctx(), path, "pool=quick images=64", &s) == HANT_OK) hant_scores_free(&s);
    return 0;
}
