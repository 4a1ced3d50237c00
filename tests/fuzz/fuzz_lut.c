/* Latency tables (hant profile's output, read by select/transform): hant_lut_load. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char path[512];
    hant_lut lut;
    memset(&lut, 0, sizeof lut);
    if (hant_lut_load(fz_write("lut.tsv", data, size, path, sizeof path), &lut) == HANT_OK) hant_lut_free(&lut);
    return 0;
}
