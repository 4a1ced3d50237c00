/* The latency table's prediction of networks (hant_lut_predict, the model
   hant select budgets with), and their speed-ups over the first:

     cc -O1 -I. -o build/lut_predict bench/lut_predict.c -lm -lpthread
     build/lut_predict TABLE.tsv TEACHER.hant STUDENT.hant...

   Prints the table's model (knee, its cap) and per network the predicted ms
   and teacher / network, the teacher priced by the model and, where the
   table holds it (v7), as validated: the price hant select's targets divide. */
#define HANT_IMPLEMENTATION
#include "hant.h"
#include <stdio.h>

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: %s TABLE.tsv TEACHER.hant [NET.hant...]\n", argv[0]); return 2; }
    hant_lut lut;
    hant_context *ctx;
    if (hant_lut_load(argv[1], &lut) || hant_context_create(NULL, &ctx)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
    hant_latency_model m;
    hant_lut_model(&lut, lut.batch, lut.threads, &m);
    printf("# %s: %+.5f + %.4f x sum + %.5f x parts + %.5f x mwords + %.5f x max(0, words - %.4f), words capped at %.4f per part (0: not); cache %.5f at %.3f\n",
           argv[1], m.coef[0], m.coef[1], m.coef[2], m.coef[3], m.knee_coef, m.knee, m.knee_cap, m.cache_coef, m.cache_words);
    double t0 = 0, tp = 0;
    int measured = 0;
    for (int i = 2; i < argc; i++) {
        hant_net *net;
        double ms;
        if (hant_net_load(ctx, argv[i], &net) || hant_lut_predict(&lut, hant_net_arch(net), lut.batch, lut.threads, &ms)) {
            fprintf(stderr, "%s: %s\n", argv[i], hant_last_error());
            return 1;
        }
        if (i == 2) {
            t0 = ms;
            if (hant_lut_teacher_price(&lut, hant_net_arch(net), lut.batch, lut.threads, &tp, &measured)) tp = ms;
        }
        printf("%s\t%.5f ms\tspeed-up %.3f (teacher priced %.5f ms%s: %.3f)\n", argv[i], ms, t0 / ms, tp, measured ? " as validated" : " by the model", tp / ms);
        hant_net_destroy(net);
    }
    hant_context_destroy(ctx);
    hant_lut_free(&lut);
    return 0;
}
