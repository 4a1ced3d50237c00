/* IDX files (Fashion-MNIST, hant predict): hant_idx_load on the whole input,
   and hant_dataset_load on a pair: the first two bytes give the labels file's
   length, the labels follow, the images file is the rest (IDX or .npy, told
   apart by their magic, as hant_dataset_load does). */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char p1[512], p2[512];
    unsigned char *d = NULL;
    int nd = 0;
    int32_t dims[4];
    if (hant_idx_load(fz_ctx(), fz_write("a-idx", data, size, p1, sizeof p1), &d, &nd, dims) == HANT_OK) {
        size_t n = 1;
        for (int i = 0; i < nd; i++) n *= (size_t)dims[i];
        volatile unsigned s = 0;
        for (size_t i = 0; i < n; i++) s += d[i];
        (void)s;
        hant_free(fz_ctx(), d);
    }
    if (size < 2) return 0;
    size_t ll = (size_t)data[0] | (size_t)data[1] << 8;
    if (ll > size - 2) ll = size - 2;
    fz_write("labels", data + 2, ll, p2, sizeof p2);
    fz_write("images", data + 2 + ll, size - 2 - ll, p1, sizeof p1);
    hant_dataset ds;
    if (hant_dataset_load(fz_ctx(), p1, p2, 10, &ds) == HANT_OK) {
        int n = ds.n < 4 ? ds.n : 4, idx[4] = { 0, 1, 2, 3 };
        float *x = (float *)malloc(sizeof(float) * (size_t)n * (size_t)ds.h * (size_t)ds.w * (size_t)ds.c + 1);
        int lab[4];
        uint64_t rng = 1;
        const float mean[4] = { 0.5f, 0.4f, 0.3f, 0.2f }, std[4] = { 0.25f, 0.25f, 0.3f, 0.3f };
        if (x && n > 0) {
            hant_dataset_batch(&ds, idx, n, mean, std, 0, NULL, x, lab);
            hant_dataset_batch(&ds, idx, n, mean, std, HANT_AUGMENT_CROP | HANT_AUGMENT_FLIP, &rng, x, lab);
        }
        free(x);
        hant_dataset_free(fz_ctx(), &ds);
    }
    return 0;
}
