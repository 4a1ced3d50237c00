#!/bin/bash
# hant on a CPU met for the first time, in one short run with no build/venv there:
# the python3 that holds onnxruntime, torch and torchvision (a lent machine's image).
#  - issue 16: hant profile of the b0-fm teacher's pool at batch 1, 2 threads (then 1 thread
#    with what time is left), validated on 50 networks (seed 1) and scored on 50 others (seed 2);
#  - issue 18: hant (the AVX-512 build where the CPU has it, and the AVX2 build) against
#    onnxruntime in interleaved rounds: b0-224, b0-fm and the torchvision networks that
#    tests/onnx_ref.py makes there, batch 1 and 32, 2 threads; then 16 threads.
# BIN: a folder with hant-avx2, hant-v4 and hant-v4vnni, built without GLPK so they run anywhere:
#   gcc -std=c11 -O2 -march=x86-64-v3 -I. -o $BIN/hant-avx2 examples/hant.c -lm -lpthread
#   (-march=x86-64-v4 for hant-v4; -march=x86-64-v4 -mavx512vnni for hant-v4vnni)
# OUT: where the log, the tables and rows.jsonl go (7 files at most: the device tool returns 8, so
#   put nothing else there). BUDGET: seconds for the whole run.
# L2, L16: the "net:batch ..." cells timed at 2 and at 16 threads (defaults below); ROUNDS: rounds
#   at 2 threads (3); ROUNDS16: rounds at 16 threads (2); EXTRA: more hant binaries timed in every
#   round beside the others (a base build, say); H2=: no AVX2 build in the rounds; PROF1=1 also profiles at 1 thread when 100 s
#   are left at the end.
#   BIN=.dev OUT=/tmp/newcpu bash bench/bench_newcpu.sh
set -u
BIN=${BIN:-.dev}
O=${OUT:-/tmp/devout}; mkdir -p "$O"
S=$(date +%s); END=$((S + ${BUDGET:-420}))
left() { echo $((END - $(date +%s))); }
say() { echo "[+$(( $(date +%s) - S ))s load $(cut -d' ' -f1 /proc/loadavg)] $*" | tee -a "$O/log.txt"; }
{ lscpu; grep -m1 '^flags' /proc/cpuinfo; nproc; free -g; uname -a; cat /proc/loadavg
  python3 -c 'import onnxruntime, torch, numpy; print("ort", onnxruntime.__version__, "torch", torch.__version__, "numpy", numpy.__version__)'
  which chrt taskset gcc; } > "$O/cpu.txt" 2>&1
say "cpu: $(sed -n 's/^Model name: *//p' "$O/cpu.txt")"
F=$(grep -m1 '^flags' /proc/cpuinfo)
HN=$BIN/hant-avx2
if echo "$F" | grep -qw avx512f && echo "$F" | grep -qw avx512bw && echo "$F" | grep -qw avx512vl; then
  HN=$BIN/hant-v4; echo "$F" | grep -qw avx512_vnni && HN=$BIN/hant-v4vnni
fi
$HN bench b0-fm --reps 3 --warmup 1 >/dev/null 2>&1 || { say "$HN fails here; AVX2 build only"; HN=$BIN/hant-avx2; }
H2=${H2-$BIN/hant-avx2}   # H2= leaves the AVX2 build out of the rounds
say "native build: $HN; $($HN bench b0-fm --reps 1 --warmup 0 | tail -1)"
# torchvision networks, random weights, 224x224 (tests/onnx_ref.py), on 4 cores of their own
mkdir -p /tmp/tv
c=8; for n in mobilenet_v2 resnet18 efficientnet_b0 mobilenet_v3_small; do
  ( OMP_NUM_THREADS=2 taskset -c ${TSET:-$c-$((c+1))} timeout 150 python3 tests/onnx_ref.py $n /tmp/tv/$n --size 224 --classes 1000 --batch 1 > /tmp/tv/$n.log 2>&1 && echo ok > /tmp/tv/$n.ok ) &
  c=$((c+2)); done

prof() {  # prof T: profile + validate on seed 1, then score seed 2 (out of sample)
  t=$1; lut=/tmp/lut-b1-t$t.tsv
  timeout ${2:-200} $HN --realtime profile models/teacher-b0-fm.hant -o $lut --candidates quick+q8+tiled --batch 1 --threads $t --reps 15 --quiet --validate $VAL --seed 1 > $lut.log 2>&1
  say "profile b1 t$t exit $?: $(grep -i 'latency model\|  model:\|never saw\|median' $lut.log | head -4 | tr -s ' ' | tr '\n' ' ')"
  timeout ${3:-80} $HN --realtime profile models/teacher-b0-fm.hant -o $lut --candidates quick+q8+tiled --batch 1 --threads $t --reps 15 --quiet --validate $VAL --seed 2 --score-only --no-check > $lut.out 2>&1
  say "score b1 t$t seed 2 exit $?: $(sed -n 's/.*networks it never saw: //p' $lut.score 2>/dev/null)"
  cp $lut $O/lut-b1-t$t.tsv 2>/dev/null; cat $lut.log $lut.out > $O/profile-t$t.log 2>/dev/null
}
VAL=${VAL:-50}; PY=${PY:-python3}
wait
say "torchvision: $(ls /tmp/tv/*.ok 2>/dev/null | xargs -n1 basename 2>/dev/null | tr '\n' ' ')"; tail -n 3 /tmp/tv/*.log >> "$O/log.txt" 2>&1

# ---- issue 16: latency truth on this CPU, batch 1, 2 threads, nothing else running ----
[ -n "${NOPROF:-}" ] || prof 2
# ---- issue 18: side by side, 2 threads, interleaved rounds ----
W=/tmp/w; mkdir -p $W
CHRT='chrt -f 2'; chrt -f 2 true 2>/dev/null || { CHRT=; say 'SCHED_FIFO refused: every side times at normal priority'; }
$HN new b0-224 -o $W/b0-224.hant --seed 1 >/dev/null && $HN export $W/b0-224.hant -o $W/b0-224.onnx >/dev/null
$HN export models/teacher-b0-fm.hant -o $W/b0-fm.onnx >/dev/null
for n in resnet18 mobilenet_v2 efficientnet_b0 mobilenet_v3_small; do [ -f /tmp/tv/$n.ok ] && cp /tmp/tv/$n/model.onnx $W/$n.onnx; done
R=$O/rows.jsonl
sbs() {  # sbs T ROUNDS "net:batch ..." BINARIES...
  T=$1; RN=$2; L=$3; shift 3
  for nb in $L; do
    n=${nb%:*}; B=${nb#*:}
    [ -f $W/$n.onnx ] || continue
    net=$W/$n.onnx; [ $n = b0-224 ] && net=$W/b0-224.hant; [ $n = b0-fm ] && net=models/teacher-b0-fm.hant
    reps=""; [ $B -gt 1 ] && reps="--reps 5 --warmup 2"
    for r in $(seq $RN); do
      [ "$(left)" -gt ${RESERVE:-20} ] || return
      for h in "$@"; do
        ms=$(timeout 40 $h ${CHRT:+--realtime} bench $net --batch $B --threads $T $reps | sed -n 's/^latency_ms_median //p')
        echo "{\"net\": \"$n\", \"batch\": $B, \"threads\": $T, \"round\": $r, \"framework\": \"$(basename $h)\", \"median_ms\": ${ms:-null}}" >> $R
      done
      o=$(timeout 40 $CHRT $PY bench/bench_onnx.py $W/$n.onnx --framework onnxruntime --batch $B --threads $T --target-s 1 2>/dev/null | tail -1)
      echo "{\"net\": \"$n\", \"batch\": $B, \"threads\": $T, \"round\": $r, \"ort\": ${o:-null}}" >> $R
    done
    say "done $n batch $B threads $T"
  done
}
sbs 2 ${ROUNDS:-3} "${L2:-b0-224:1 b0-224:32 resnet18:1 resnet18:32 mobilenet_v2:1 mobilenet_v2:32 efficientnet_b0:1 mobilenet_v3_small:1 b0-fm:1 efficientnet_b0:32 mobilenet_v3_small:32 b0-fm:32}" $HN $H2 ${EXTRA:-}
sbs 16 ${ROUNDS16:-2} "${L16:-b0-224:1 resnet18:1 b0-224:32 resnet18:32 mobilenet_v2:1 efficientnet_b0:32}" $HN ${EXTRA:-}
[ -n "${PROF1:-}" ] && [ "$(left)" -gt 100 ] && prof 1 $(( $(left) - 30 )) 60
say "end"
