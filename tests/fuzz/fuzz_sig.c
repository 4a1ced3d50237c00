/* Block signatures (the keys of latency, score and choice tables): hant_block_parse. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *s = (char *)malloc(size + 1);
    if (!s) return 0;
    memcpy(s, data, size);
    s[size] = 0;
    hant_block_spec b;
    int h, w;
    if (hant_block_parse(s, &b, &h, &w) == HANT_OK) (void)hant_block_validate(&b, h, w);
    free(s);
    return 0;
}
