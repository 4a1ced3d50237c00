# hant_solver.h: the GLPK backend when GLPK is installed, and the solver benchmark.
#   make bench-solver                 full run (GLPK limit 120 s on the hard class; ~10 min)
#   make bench-solver BENCH_ARGS=--quick
ifneq ($(wildcard /usr/include/glpk.h),)
  CFLAGS_BASE += -DHANT_SOLVER_GLPK
  HANT_SOLVER_LIBS = -lglpk
  HANT_SOLVER_BENCH_FLAGS = -DHANT_SOLVER_GLPK
endif

.PHONY: bench-solver
bench-solver: build/bench_solver
	./build/bench_solver $(BENCH_ARGS)

build/bench_solver: bench/bench_solver.c hant_solver.h
	@mkdir -p build
	$(CC) -std=c11 -O2 -march=native -Wall -Wextra -I. $(HANT_SOLVER_BENCH_FLAGS) -o $@ bench/bench_solver.c -lm $(HANT_SOLVER_LIBS)
