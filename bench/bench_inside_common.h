/* What bench_inside.c and bench_cache.c share (issue 16): the teacher, its
   candidate pool per block, and the rows of a `hant profile --validate`
   file. Included after their copy of hant.h (bench/bench_inside.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the pool's specs of each block; spec indices are the --validate file's */
static hant_block_spec bi_spec[32][HANT_POOL_MAX];

/* a context of `threads` pinned threads, the teacher and its pool; 1 on error (printed) */
static int bi_open(const char *teacher_path, int threads, const char *pool, hant_context **ctx, hant_net **teacher, hant_arch *T) {
    hant_config cfg; memset(&cfg, 0, sizeof cfg); cfg.threads = threads; cfg.pin_threads = 1;
    if (hant_context_create(&cfg, ctx)) return 1;
    if (hant_net_load(*ctx, teacher_path, teacher)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
    *T = *hant_net_arch(*teacher);
    for (int b = 0; b < T->num_blocks; b++) {
        int h, w, count; hant_arch_block_input(T, b, &h, &w, NULL);
        if (hant_pool_generate(&T->blocks[b], h, w, pool, bi_spec[b], HANT_POOL_MAX, &count)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
    }
    return 0;
}

/* one network row of a --validate file (line is cut up): its name, its blocks
   column, its measured ms and its million words; 0 for comments and the header */
static int bi_head_q8; /* the last row's head is the int8 twin */
static int bi_row(char *line, char **name, char **blocks, double *meas, double *netmw) {
    if (line[0] == '#' || !strncmp(line, "net\t", 4)) return 0;
    char *col[32]; int nc = 0;
    for (char *s = strtok(line, "\t\n"); s && nc < 32; s = strtok(NULL, "\t\n")) col[nc++] = s;
    if (nc < 8) return 0;
    /* 22 columns: blocks, then the head's (T the teacher's, 1q its int8 twin) */
    *name = col[0]; *blocks = col[nc >= 22 ? 20 : nc - 1]; *meas = atof(col[2]); *netmw = atof(col[7]);
    bi_head_q8 = nc >= 22 && col[21][0] == '1' && col[21][1] == 'q';
    return 1;
}

/* a row's blocks column into the student a (the teacher T with each block's
   chosen candidate), its kinds, table ms and million words; the block count */
static int bi_blocks(char *blocks, const hant_arch *T, hant_arch *a, char kind[32], double tab[32], double mw[32]) {
    int nb = 0;
    *a = *T;
    if (bi_head_q8) a->head_quant = HANT_QUANT_INT8;
    for (char *s = strtok(blocks, ","); s && nb < 32; s = strtok(NULL, ",")) {
        int c = -1; char k = 0; double ms = 0, m = 0;
        if (s[0] == 'T') { sscanf(s + 1, "%c/%lf/%lf", &k, &ms, &m); k = 'T'; }
        else sscanf(s, "%d%c/%lf/%lf", &c, &k, &ms, &m);
        if (c >= 0) a->blocks[nb] = bi_spec[nb][c];
        kind[nb] = k; tab[nb] = ms; mw[nb] = m; nb++;
    }
    return nb;
}
