/* .npy inputs (hant run --input): hant_npy_load; and as data set images
   (hant_dataset_load, hant_dataset_batch). */
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
    /* the same file as a data set's images (uint8 NHWC or float32 NCHW), read image by image */
    hant_dataset ds;
    if (hant_dataset_load(fz_ctx(), path, NULL, 0, &ds) == HANT_OK) {
        int n = ds.n < 3 ? ds.n : 3, idx[3] = { 0, 1, 2 };
        float *y = (float *)malloc(sizeof(float) * (size_t)n * (size_t)ds.h * (size_t)ds.w * (size_t)ds.c + 1);
        const float mean[4] = { 0.5f, 0.4f, 0.3f, 0.2f }, std[4] = { 0.25f, 0.25f, 0.3f, 0.3f };
        uint64_t rng = 1;
        if (y) hant_dataset_batch(&ds, idx, n, mean, std, HANT_AUGMENT_CROP | HANT_AUGMENT_FLIP, &rng, y, NULL);
        free(y);
        hant_dataset_free(fz_ctx(), &ds);
    }
    return 0;
}
