#!/bin/sh
# Per-thread profile of every fork-join (hant__run) in one forward at batch 1
# (twenty-third session): a copy of hant.h with timestamps in hant__run and
# hant__claim_slots (build/forkjoin/hant_prof.h, never the real header), and
# bench/forkjoin_prof.c, which prints per dispatch the medians over F forwards
# of each slot's start and end and the join, from the dispatch, in us.
#   sh bench/forkjoin_prof.sh MODEL [F] [CFLAGS...]   (2 threads; run under chrt -f 2)
# e.g. sh bench/forkjoin_prof.sh build/bench-torchvision/mobilenet_v2/model.onnx 300 -march=x86-64-v3 -mtune=native
set -e
model=$1; f=${2:-200}; shift; [ $# -gt 0 ] && shift
mkdir -p build/forkjoin
python3 - <<'PY'
s = open('hant.h').read()
def rep(old, new):
    global s
    assert old in s, old[:60]
    s = s.replace(old, new, 1)
rep('static int hant__claim_slots(hant_context *ctx, uint64_t c, uint32_t gen) {',
    '''typedef struct { void *task; void *arg; char ac[512]; double t0, s[2], e[2], join; int who[2]; } hant__prof_rec;
static hant__prof_rec hant__pf[4096]; static int hant__prof_n, hant__prof_on;
static inline double hant__prof_now(void) { struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts); return ts.tv_sec * 1e6 + ts.tv_nsec * 1e-3; }
static int hant__claim_slots(hant_context *ctx, uint64_t c, uint32_t gen) {''')
rep('''        ctx->task(ctx->task_arg, hant__tls_tid, ctx->nthreads);
        atomic_fetch_sub_explicit(&ctx->pending, 1, memory_order_release);''', '''        { int pi = hant__prof_on ? hant__prof_n - 1 : -1; int sl = hant__tls_tid;
        if (pi >= 0 && sl < 2) { hant__pf[pi].s[sl] = hant__prof_now(); hant__pf[pi].who[sl] = tid; }
        ctx->task(ctx->task_arg, hant__tls_tid, ctx->nthreads);
        if (pi >= 0 && sl < 2) hant__pf[pi].e[sl] = hant__prof_now(); }
        atomic_fetch_sub_explicit(&ctx->pending, 1, memory_order_release);''')
rep('''    ctx->task = task;
    ctx->task_arg = arg;
    atomic_store_explicit(&ctx->pending, ctx->nthreads, memory_order_relaxed);''', '''    ctx->task = task;
    ctx->task_arg = arg;
    int pi = -1;
    if (hant__prof_on && hant__prof_n < 4096) { pi = hant__prof_n++; hant__pf[pi].task = (void *)task; hant__pf[pi].arg = arg; memcpy(hant__pf[pi].ac, arg, 512); hant__pf[pi].t0 = hant__prof_now(); }
    atomic_store_explicit(&ctx->pending, ctx->nthreads, memory_order_relaxed);''')
rep('''    task(arg, 0, ctx->nthreads);
    atomic_fetch_sub_explicit(&ctx->pending, 1, memory_order_release);''', '''    if (pi >= 0) { hant__pf[pi].s[0] = hant__prof_now(); hant__pf[pi].who[0] = -1; }
    task(arg, 0, ctx->nthreads);
    if (pi >= 0) hant__pf[pi].e[0] = hant__prof_now();
    atomic_fetch_sub_explicit(&ctx->pending, 1, memory_order_release);''')
rep('''        else { ctx->yields += spins == 4000; sched_yield(); }
    }
}''', '''        else { ctx->yields += spins == 4000; sched_yield(); }
    }
    if (pi >= 0) hant__pf[pi].join = hant__prof_now();
}''')
open('build/forkjoin/hant_prof.h', 'w').write(s)
PY
${CC:-cc} -std=c11 -O2 -Ibuild/forkjoin "$@" -o build/forkjoin/forkjoin_prof bench/forkjoin_prof.c -lm -lpthread
build/forkjoin/forkjoin_prof "$model" "$f"
