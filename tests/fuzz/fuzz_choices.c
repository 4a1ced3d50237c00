/* Choice tables (hant select's DIR/choices-NAME.tsv, read by hant report):
   hant_rpt_load_choices from the tool. */
#define FZ_CLI
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char path[512];
    fz_write("choices-s.tsv", data, size, path, sizeof path);
    hant_rpt_student s;
    memset(&s, 0, sizeof s);
    s.name = "s";
    hant_rpt_load_choices(fz_dir(), &s);
    free(s.blk); free(s.path); hant_rpt_table_free(&s.table);
    return 0;
}
