/* Solver input (hant solve FILE): hant_solver_parse, then a solve under a
   node limit with a finite budget, so that hostile but valid models terminate. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    hant_solver_model m;
    memset(&m, 0, sizeof m);
    if (hant_solver_parse((const char *)data, size, &m) != HANT_SOLVER_OK) return 0;
    hant_solver_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.node_limit = 2000; cfg.beam_width = 4;
    for (int d = 0; d < m.problem.num_costs; d++) m.budget[d] = 2.0;
    hant_solver_result r;
    memset(&r, 0, sizeof r);
    if (hant_solver_solve(&m.problem, &cfg, &r) == HANT_SOLVER_OK) hant_solver_result_free(&r);
    hant_solver_model_free(&m);
    return 0;
}
