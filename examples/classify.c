/* classify - the "copy hant.h into your app" example.
 *
 *   cc -std=c11 -O2 -march=native examples/classify.c -o classify -lm -lpthread
 *   ./classify MODEL.hant IMAGES-idx3-ubyte [LABELS-idx1-ubyte]
 *
 * Loads a model, normalises 8-bit images with the model's own mean/std, and
 * prints the predicted class of the first images, plus the accuracy when
 * labels are given. Everything it needs is in hant.h. */
#define HANT_IMPLEMENTATION
#include "../hant.h"
#include <stdio.h>
#include <stdlib.h>

static const char *fashion[10] = { "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot" };

int main(int argc, char **argv) {
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: %s MODEL.hant IMAGES-idx3-ubyte [LABELS-idx1-ubyte]\n", argv[0]);
        return 2;
    }
    hant_context *ctx;
    hant_net *net;
    if (hant_context_create(NULL, &ctx)) { fprintf(stderr, "classify: %s\n", hant_last_error()); return 1; }
    if (hant_net_load(ctx, argv[1], &net)) { fprintf(stderr, "classify: %s\n", hant_last_error()); return 1; }
    const hant_arch *a = hant_net_arch(net);
    unsigned char *img = NULL, *lab = NULL;
    int nd, nl = 0;
    int32_t d[4], dl[4];
    if (hant_idx_load(ctx, argv[2], &img, &nd, d)) { fprintf(stderr, "classify: %s\n", hant_last_error()); return 1; }
    if (nd != 3 || d[1] != a->in_h || d[2] != a->in_w || a->in_c != 1) {
        fprintf(stderr, "classify: %s: want N x %d x %d grayscale images for this model\n", argv[2], a->in_h, a->in_w);
        return 1;
    }
    if (argc == 4 && hant_idx_load(ctx, argv[3], &lab, &nl, dl)) { fprintf(stderr, "classify: %s\n", hant_last_error()); return 1; }
    if (lab && (nl != 1 || dl[0] != d[0])) { fprintf(stderr, "classify: %s: want %d labels\n", argv[3], d[0]); return 1; }
    int n = d[0], hw = d[1] * d[2], k = a->num_classes, correct = 0, batch = 256;
    float *x = malloc(sizeof(float) * (size_t)batch * hw), *logits = malloc(sizeof(float) * (size_t)batch * k);
    if (!x || !logits) { fprintf(stderr, "classify: out of memory\n"); return 1; }
    for (int i0 = 0; i0 < n; i0 += batch) {
        int m = n - i0 < batch ? n - i0 : batch;
        for (size_t j = 0; j < (size_t)m * hw; j++) x[j] = (img[(size_t)i0 * hw + j] / 255.0f - a->in_mean[0]) / a->in_std[0];
        if (hant_net_forward(net, x, m, logits)) { fprintf(stderr, "classify: %s\n", hant_last_error()); return 1; }
        for (int i = 0; i < m; i++) {
            int best = 0;
            for (int c = 1; c < k; c++) if (logits[(size_t)i * k + c] > logits[(size_t)i * k + best]) best = c;
            if (lab && lab[i0 + i] == best) correct++;
            if (i0 + i < 10)
                printf("image %d: class %d%s%s%s\n", i0 + i, best, k == 10 ? " (" : "", k == 10 ? fashion[best] : "", k == 10 ? ")" : "");
        }
    }
    if (lab) printf("accuracy %.4f on %d images\n", (double)correct / n, n);
    free(x); free(logits);
    hant_free(ctx, img);
    if (lab) hant_free(ctx, lab);
    hant_net_destroy(net);
    hant_context_destroy(ctx);
    return 0;
}
