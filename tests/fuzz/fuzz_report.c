/* Pipeline run tables (DIR/runs.tsv): the whole of 'hant report DIR', which
   parses the table's numbers and writes the Markdown report and SVG plot. */
#define FZ_CLI
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char path[512];
    fz_write("runs.tsv", data, size, path, sizeof path);
    char *argv[] = { "report", (char *)fz_dir(), NULL };
    hant_cmd_report(2, argv);
    return 0;
}
