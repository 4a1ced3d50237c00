/* .npy inputs (hant run --input): hant_npy_load. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char path[512];
    float *x = NULL;
    int nd = 0;
    int64_t shape[8];
    if (hant_npy_load(fz_ctx(), fz_write("x.npy", data, size, path, sizeof path), &x, &nd, shape) == HANT_OK) {
        int64_t n = 1;
        for (int i = 0; i < nd; i++) n *= shape[i];
        volatile float s = 0; /* touch every element: the buffer must hold them */
        for (int64_t i = 0; i < n; i++) s += x[i];
        (void)s;
        hant_free(fz_ctx(), x);
    }
    return 0;
}
