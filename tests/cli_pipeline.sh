#!/bin/sh
# The HANT pipeline end to end on a small teacher and a few hundred images:
# profile, pool, distill (sharded, merged, resumed), select (with bad budgets),
# finetune, transform and report. Timing is noisy here, so the profiler's
# validation error is printed, not bounded. Needs build/data (make data).
. "$(dirname "$0")/lib_cli.sh"
need_data
W="$T/work"
POOL='teacher;identity;mbconv:e=1,3:k=3:se=0:act=relu;conv:k=1:act=relu'
$H train b0-fm -o "$T/teacher.hant" --subset 2048 --val 256 --epochs 2 --batch 64 --threads 2 --quiet --lr 0.1 --bn-calibrate 8 >/dev/null 2>&1 && ok || bad "teacher"
# profile: table, resume, validation report
expect_rc 0 "profile" $H profile "$T/teacher.hant" -o "$T/lut.tsv" --candidates "$POOL" --reps 3 --rounds 2 --validate 4 --quiet --no-check
grep "median error" "$T/out" | sed 's/^/  (reported, not bounded) /'
n1=$(grep -vc '^#' "$T/lut.tsv")
expect_rc 0 "profile resume" $H profile "$T/teacher.hant" -o "$T/lut.tsv" --candidates "$POOL" --reps 3 --rounds 2
grep -q "0 configurations to measure" "$T/out" && [ "$(grep -vc '^#' "$T/lut.tsv")" -eq "$n1" ] && ok || bad "resumed profile measured again: $(head -1 "$T/out")"
grep -q "^# cpu" "$T/lut.tsv" && grep -q "^# flags" "$T/lut.tsv" && grep -q "^# date" "$T/lut.tsv" && grep -q "^# threads	2" "$T/lut.tsv" && ok || bad "table header"
[ -f "$T/lut.tsv.validate" ] && ok || bad "no validation report"
expect_rc 1 "profile with other threads into the same table" $H profile "$T/teacher.hant" -o "$T/lut.tsv" --threads 1 --candidates "$POOL"
# pool
expect_rc 0 "pool" $H pool "$T/teacher.hant" --pool "$POOL" -o "$T/pool.tsv"
ncand=$(($(wc -l <"$T/pool.tsv") - 1))
expect_rc 1 "bad pool term" $H pool b0-fm --pool "warp"
# distill: two shards, merge, resume
DA="$T/teacher.hant --work $W --pool $POOL --images 256 --batch 64 --threads 2 --quiet"
expect_rc 0 "distill shard 0/2" $H distill $DA --shard 0/2
expect_rc 0 "distill shard 1/2" $H distill $DA --shard 1/2
expect_rc 0 "merge" $H distill --merge 2 --work "$W"
[ "$(grep -vc '^#\|^block' "$W/scores.tsv")" -eq "$ncand" ] && ok || bad "merged table has $(grep -vc '^#\|^block' "$W/scores.tsv") rows, pool $ncand"
expect_rc 0 "distill resume" $H distill $DA
grep -q "^distilled 0 candidates" "$T/out" && ok || bad "resume retrained: $(cat "$T/out")"
expect_rc 1 "distill with other settings into the same table" $H distill $DA --lr 0.1
awk -F'\t' '!/^#|^block/ && ($3 < 0 || $3 != $3+0) {bad=1} END {exit bad}' "$W/scores.tsv" && ok || bad "a score is not a number >= 0"
# select: budgets
SA="$T/teacher.hant --work $W --lut $T/lut.tsv --sweep 10"
expect_rc 2 "speedup 0" $H select $SA --speedup 0
expect_rc 2 "negative latency" $H select $SA --latency-ms -1
expect_rc 2 "both budgets" $H select $SA --speedup 2 --latency-ms 1
expect_rc 1 "budget below the fastest network" $H select $SA --latency-ms 0.0001
grep -q "fastest" "$T/err" && ok || bad "no 'fastest' in: $(cat "$T/err")"
expect_rc 0 "select" $H select $SA --speedup 1.5 --name s15 -o "$T/s15-init.hant"
awk '/^# budget_ms/ { exit !($5 <= $3 * 1.000001) }' "$W/choices-s15.tsv" && ok || bad "predicted latency over budget: $(head -1 "$W/choices-s15.tsv")"
[ "$(grep -vc '^#\|^block' "$W/choices-s15.tsv")" -eq 16 ] && ok || bad "choices rows"
expect_rc 0 "student is a valid network" $H info "$T/s15-init.hant"
[ "$(grep -c . "$W/pareto.tsv")" -ge 2 ] && ok || bad "no frontier"
# a model with both bends (table v3): the knee's second budget row keeps every choice within its budget
awk -F'\t' 'BEGIN{OFS="\t"} {print} /^model network / {k=$1; sub(/^model network /, "", k); print "model knee " k, 0.1, 0, 0, 5, 0, 0; print "model mwords-over-knee " k, 0.2, 0, 0, 5, 0, 0; print "model kappa " k, 5, 0, 0, 5, 0, 0; print "model part-hinge " k, 0.05, 0, 0, 5, 0, 0}' "$T/lut.tsv" > "$T/lut-knee.tsv"
expect_rc 0 "select with a knee" $H select $SA --lut "$T/lut-knee.tsv" --speedup 1.5 --sweep 5 --name knee -o "$T/knee-init.hant" --quiet
awk '/^# budget_ms/ { exit !($5 <= $3 * 1.000001) }' "$W/choices-knee.tsv" && ok || bad "knee: predicted latency over budget: $(head -1 "$W/choices-knee.tsv")"
awk -F'\t' 'NR > 1 && $2 > $1 * 1.000001 {bad=1} END {exit bad || NR < 2}' "$W/pareto.tsv" && ok || bad "knee frontier over its budgets: $(cat "$W/pareto.tsv")"
# a table from another machine is refused, or used with a warning; one without a fingerprint warns
# (another model number than this CPU's: the tests also run on the issue's Zen 3, model 1)
fm=1; [ "$(sed -n 's/^# model	//p' "$T/lut.tsv")" = 1 ] && fm=2
sed "s/^# model	.*/# model	$fm/" "$T/lut.tsv" > "$T/lut-zen3.tsv"
expect_rc 1 "select: foreign table refused" $H select $SA --lut "$T/lut-zen3.tsv" --speedup 1.5 --name fx -o "$T/fx.hant"
grep -q "model $fm, here" "$T/err" && grep -q -- "--accept-foreign-table" "$T/err" && ok || bad "message: $(cat "$T/err")"
expect_rc 0 "select: foreign table accepted" $H select $SA --lut "$T/lut-zen3.tsv" --speedup 1.5 --name fx -o "$T/fx.hant" --accept-foreign-table --quiet
grep -q "warning: .*another machine" "$T/err" && ok || bad "no warning: $(cat "$T/err")"
grep -v '^# \(vendor\|family\|model\|stepping\|isa\|cores\)	' "$T/lut.tsv" > "$T/lut-old.tsv"
expect_rc 0 "select: table without a fingerprint" $H select $SA --lut "$T/lut-old.tsv" --speedup 1.5 --name fx -o "$T/fx.hant" --quiet
grep -q "no machine fingerprint" "$T/err" && ok || bad "no warning: $(cat "$T/err")"
# tiled twins (SPEC+tiled): profiled as rows of their own, never trained, selected where faster
cp "$T/lut.tsv" "$T/lut-tiled.tsv"
expect_rc 0 "profile +tiled (resumed: only the twins)" $H profile "$T/teacher.hant" -o "$T/lut-tiled.tsv" --candidates "$POOL+tiled" --reps 3 --rounds 2 --pairs 3 --quiet
nmb=$(awk -F'\t' 'NR > 1 && $3 ~ /^mbconv /' "$T/pool.tsv" | cut -f3 | sort -u | wc -l)  # the table holds each signature once
ntl=$(grep -v '^pair ' "$T/lut-tiled.tsv" | grep -c ' tile=1 b=')
[ "$ntl" -eq "$nmb" ] && ok || bad "$ntl tiled rows, $nmb distinct MBConv candidates"
npairs=$(grep -v '^#\|^source' "$T/lut-tiled.tsv.pairs" | cut -f3,4 | sort -u | wc -l)
grep -q "pass nn-Meter's rule" "$T/out" && [ "$npairs" -ge 3 ] && [ "$(grep -c '^pair ' "$T/lut-tiled.tsv")" -eq "$npairs" ] && ok || bad "pair rows: $(cat "$T/out")"
expect_rc 0 "distill +tiled reuses the scores" $H distill $DA --pool "$POOL+tiled"
grep -q "^distilled 0 candidates" "$T/out" && ok || bad "+tiled retrained: $(cat "$T/out")"
# twins at half their untiled time: every chosen MBConv block is tiled, with its twin's score
# (the fitted model's rows dropped: the plain sum makes every cost follow its entry)
awk -F'\t' 'BEGIN{OFS="\t"} /^model / {next} !/ tile=1 b=/ {t[$1]=$2} / tile=1 b=/ {k=$1; sub(/ tile=1 b=/, " b=", k); if (k in t) $2 = t[k] * 0.5} {print}' "$T/lut-tiled.tsv" > "$T/lut-half.tsv"
awk -F'\t' 'BEGIN{OFS="\t"} / tile=1 b=/ {$2 = $2 * 8} {print}' "$T/lut-half.tsv" > "$T/lut-slow.tsv"
expect_rc 0 "select with faster twins" $H select $SA --lut "$T/lut-half.tsv" --speedup 1.5 --name tiled -o "$T/tiled-init.hant"
awk -F'\t' 'NR > 2 && $4 == "mbconv" && $3 !~ / tile=1$/ {bad=1} NR > 2 && $4 == "teacher" && $3 !~ / tile=1$/ {bad=1} END {exit bad}' "$W/choices-tiled.tsv" && grep -q ' tile=1' "$W/choices-tiled.tsv" && ok || bad "faster twins not chosen: $(cut -f3,4 "$W/choices-tiled.tsv")"
awk -F'\t' 'FNR == 1 {f++} f == 1 && !/^#|^block/ {s[$1 " " $2] = $3} f == 2 && FNR > 2 && $3 ~ / tile=1$/ {k = $1 " " $3; sub(/ tile=1$/, "", k); if (!(k in s) || s[k] != $6 + 0) bad=1} END {exit bad}' "$W/scores.tsv" "$W/choices-tiled.tsv" && ok || bad "a tiled choice's score is not its twin's"
expect_rc 0 "select with slower twins" $H select $SA --lut "$T/lut-slow.tsv" --speedup 1.5 --name untiled -o "$T/untiled-init.hant"
grep -q ' tile=1' "$W/choices-untiled.tsv" && bad "slower twins chosen" || ok
# the student file (format v2) carries the tiled blocks, and the report marks and counts them
expect_rc 0 "tiled student is a valid network" $H info "$T/tiled-init.hant"
ntc=$(grep -c ' tile=1' "$W/choices-tiled.tsv")
[ "$(grep -c ' tiled$' "$T/out")" -eq "$ntc" ] && ok || bad "student has $(grep -c ' tiled$' "$T/out") tiled blocks, choices $ntc"
WR=$T/wr; mkdir -p "$WR"; cp "$W/choices-tiled.tsv" "$WR/"
printf 'name\ttop1\tlat_b1_ms\nteacher\t60\t1\ntiled\t59\t0.8\n' > "$WR/runs.tsv"
expect_rc 0 "report tiled" $H report "$WR"
nslots=$(awk -F'\t' 'NR > 2' "$W/choices-tiled.tsv" | wc -l)
grep -q "^- int8: 0 of the $nslots chosen blocks; fused (tiled) MBConv execution: $ntc\.$" "$WR/report.md" && [ "$(grep -c ' tiled |' "$WR/report.md")" -ge 1 ] && ok || bad "report: $(grep -i 'tiled' "$WR/report.md" | head -3)"
# finetune and accuracy: the student stays within a sane distance of the teacher
expect_rc 0 "finetune" $H finetune "$T/s15-init.hant" --teacher "$T/teacher.hant" -o "$T/s15.hant" --subset 256 --val 256 --epochs 1 --batch 64 --threads 2 --quiet --bn-calibrate 4
expect_rc 2 "finetune without a teacher" $H finetune "$T/s15-init.hant" -o "$T/x.hant"
# (the sanity bounds on top-1 below are judged on the first 2,000 test images: +-1 point of noise
# against bounds of 25 points; the int8-head student's equality to its teacher on all 10,000)
E="$T/test2k"; test_split "$E" 2000
tt=$($H eval "$T/teacher.hant" --data "$E" | sed -n 's/^top1 //p'); ts=$($H eval "$T/s15.hant" --data "$E" | sed -n 's/^top1 //p')
awk -v a="$tt" -v b="$ts" 'BEGIN { d = b - a; exit !(a > 0.3 && d > -0.25 && d < 0.25) }' && ok || bad "teacher top-1 $tt, student $ts"
# transform reuses the cached tables: only selection and fine-tuning run
cp "$T/lut.tsv" "$W/lut.tsv"
expect_rc 0 "transform" $H transform "$T/teacher.hant" --speedup 1.3 -o "$T/s13.hant" --work "$W" --pool "$POOL" --images 256 --epochs 1 --subset 256
grep -q "^distilled 0 candidates" "$T/out" && ok || bad "transform retrained cached candidates"
[ -f "$W/report.md" ] && [ -f "$W/report.svg" ] && grep -q "^| s1.3 " "$W/report.md" && ok || bad "report"
# the student measured beside its teacher: speed-up and its uncertainty in runs.tsv, parts in place
grep "^student" "$T/out" | sed 's/^/  (reported, not bounded) /'
awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i } $1 == "s1.3" { f = 1; exit !($c["speedup"] > 0 && $c["speedup_unc"] >= 0 && $c["pred_speedup"] > 1) } END { if (!f) exit 1 }' "$W/runs.tsv" && ok || bad "runs.tsv: $(cat "$W/runs.tsv")"
[ "$(grep -vc '^#\|^part' "$W/blocks-s1.3.tsv")" -eq 18 ] && ok || bad "blocks-s1.3.tsv: $(cat "$W/blocks-s1.3.tsv")"
# the speed-up is the mean of 9 groups of rounds, 3 timed before fine-tuning and 6 after (their
# speed-ups in the header), its uncertainty from their spread: > 0, and t(8) sd sqrt(1 + 1/9) at least
sp=$(awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i } $1 == "s1.3" { print $c["speedup"], $c["speedup_unc"] }' "$W/runs.tsv")
sed -n '1s/.*; 9 groups, 3 before fine-tuning:\([ 0-9.]*\)).*/\1/p' "$W/blocks-s1.3.tsv" | awk -v sp="${sp% *}" -v u="${sp#* }" '{ for (i = 1; i <= NF; i++) { s += $i; d = $i - sp; ss += d * d } }
  END { sd = NF > 1 ? sqrt(ss / (NF - 1)) : 0; exit !(NF == 9 && (s / 9 - sp) ^ 2 < 1e-6 && u > 0 && u >= 2.306 * sd * 1.054 - 1e-3) }' &&
  grep -q "^student .* faster (9 groups [0-9.]*-[0-9.]*x)" "$T/out" && ok || bad "groups: runs.tsv '$sp', $(head -1 "$W/blocks-s1.3.tsv"), $(grep '^student' "$T/out")"
# the parts' prediction at the run's level: pred_ms times the teacher's measured over predicted latency
# (to the printed digits: 5 decimals of each ms, 6 of the level, so the bound grows with the part's
# time; slow builds such as the sanitized one have parts of several ms)
awk -F'\t' '/^# .*run.s level x/ { split($0, a, "level x"); lv = a[2] + 0 } /^part\t/ { for (i = 1; i <= NF; i++) c[$i] = i; next } !/^#/ && $c["pred_ms"] > 0 {
  n++; d = $c["pred_level_ms"] - $c["pred_ms"] * lv; e = 1e-5 + 5e-6 * lv + 5e-7 * $c["pred_ms"]; if (d < -e || d > e) bad = 1 } END { exit !(lv > 0 && n > 0 && !bad) }' "$W/blocks-s1.3.tsv" && ok || bad "blocks-s1.3.tsv pred_level_ms: $(cat "$W/blocks-s1.3.tsv")"
# int8 twins (q8): profiled with the int8 kernels, distilled with fake quantisation
# for the last 25% of the steps, scored with the int8 op, selectable against the
# fp32 block, carried into the student with their calibration, fine-tuned with
# fake quantisation
P8='teacher;q8'; W8="$T/w8"
expect_rc 0 "pool with q8" $H pool "$T/teacher.hant" --pool "$P8" -o "$T/pool8.tsv"
[ "$(grep -c 'q=int8' "$T/pool8.tsv")" -eq 16 ] && ok || bad "q8 twins in the pool: $(grep -c 'q=int8' "$T/pool8.tsv")"
$H pool b0-fm --pool quick -o "$T/pq.tsv" >/dev/null && $H pool b0-fm --pool quick+q8 -o "$T/pq8.tsv" >/dev/null &&
[ "$(grep -c 'q=int8' "$T/pq8.tsv")" -eq "$(grep -vc '^block\|	identity ' "$T/pq.tsv")" ] && ok || bad "quick+q8 is not quick plus a twin of every non-identity candidate"
nsig=$(grep 'q=int8' "$T/pool8.tsv" | cut -f3 | sort -u | wc -l)
expect_rc 0 "profile q8" $H profile "$T/teacher.hant" -o "$T/lut8.tsv" --candidates "$P8" --reps 3 --rounds 2 --threads 2 --quiet
[ "$(grep -v '^head' "$T/lut8.tsv" | grep -c 'q=int8 b=1 t=2 p=fp32')" -eq "$nsig" ] && ok || bad "int8 rows in the table: $(grep -c 'q=int8' "$T/lut8.tsv"), distinct twins $nsig"
grep -q '^head .* q=int8 b=1 t=2 p=fp32	' "$T/lut8.tsv" && ok || bad "the head's int8 twin was not profiled"
# how many blocks the table prices cheaper as int8 than as fp32 (none in a HANT_NO_SIMD build, where
# int8 runs scalar): the checks that need an int8 selection follow the table
c8=$(awk -F'\t' '!/^#/ && $1 !~ /^head/ { k = $1; if (sub(/ q=int8 /, " ", k)) q[k] = $2; else f[k] = $2 } END { n = 0; for (k in q) if ((k in f) && q[k] < f[k]) n++; print n }' "$T/lut8.tsv")
expect_rc 0 "distill q8" $H distill "$T/teacher.hant" --work "$W8" --pool "$P8" --images 256 --batch 64 --threads 2 --quiet
[ "$(grep -v '^16	head' "$W8/scores.tsv" | grep -c 'q=int8')" -eq 16 ] && ok || bad "int8 rows in the scores: $(grep -c 'q=int8' "$W8/scores.tsv")"
# the head's int8 twin: scored (not trained) by its logits against the fp32 head's, in (0, 0.5)
awk -F'\t' '$1 == 16 && $2 ~ /^head .* q=int8$/ { s = $3 } END { print "  (int8 head score " s ")"; exit !(s > 0 && s < 0.5) }' "$W8/scores.tsv" && ok || bad "no sane int8 head row in the scores"
hf=$(awk -F'\t' '$1 == 16 {print $8}' "$W8/scores.tsv")
$H info "$W8/$hf" | grep -q '(conv int8)$' && ok || bad "head candidate file $hf is not an int8 head"
f8=$(awk -F'\t' '/q=int8/ {print $8; exit}' "$W8/scores.tsv")
$H info "$W8/$f8" | grep -q ' int8$' && ok || bad "candidate file $f8 is not int8"
# the teacher's own block as int8 (inherited weights) keeps most of its output (a score of 1
# is the error of a zero output); the measured largest is printed
awk -F'\t' '/q=int8/ && $3 > m {m = $3} END {print "  (largest int8 twin score " m ")"; exit !(m < 0.5)}' "$W8/scores.tsv" && ok || bad "an int8 twin scores 0.5 or more"
# a budget halfway between all-int8 and all-fp32 (from the frontier): feasible, and it needs int8
expect_rc 0 "select q8 frontier" $H select "$T/teacher.hant" --work "$W8" --lut "$T/lut8.tsv" --latency-ms 1000 --sweep 10 --name q8all -o "$T/q8all.hant"
# (a frontier of one network, where no int8 twin is priced cheaper, gets a budget 1% above it: the
# fastest network's own time is refused as a budget)
mid=$(awk -F'\t' 'NR > 1 { if (lo == "" || $2 < lo) lo = $2; if ($2 > hi) hi = $2 } END { printf "%.6f", (hi > lo ? (lo + hi) / 2 : hi * 1.01) }' "$W8/pareto.tsv")
expect_rc 0 "select q8" $H select "$T/teacher.hant" --work "$W8" --lut "$T/lut8.tsv" --latency-ms "$mid" --name q8 -o "$T/q8-init.hant"
n8=$(grep -v '^#' "$W8/choices-q8.tsv" | grep -c 'q=int8')
# the head is a choice of its own. Its int8 twin loses a little (score ~0.001) and the fp32 head
# nothing, so with slack in the budget the optimum may keep fp32; at the frontier's fastest point
# the budget binds and the head must be whichever the table measured cheaper (int8 as a rule, but
# on a loaded machine the measured order can flip: the test follows the table, not the clock)
hq=$(awk -F'\t' '/^head .* b=1 t=2 p=fp32\t/ { if ($1 ~ / q=int8 /) q = $2; else f = $2 } END { print (q < f) ? "int8" : "fp32" }' "$T/lut8.tsv")
echo "  (the table prices the $hq head cheaper)"
fast=$(awk -F'\t' 'NR == 2 { print $1 }' "$W8/pareto.tsv")
expect_rc 0 "select q8 at the fastest budget" $H select "$T/teacher.hant" --work "$W8" --lut "$T/lut8.tsv" --latency-ms "$fast" --sweep 0 --name q8fast -o "$T/q8fast.hant"
grep -q "^# head	$hq	head " "$W8/choices-q8fast.tsv" && ok || bad "head choice at the fastest budget (expected $hq): $(grep '^# head' "$W8/choices-q8fast.tsv")"
rm -f "$W8/choices-q8fast.tsv"
# at the halfway budget the student's head is the one its choices name
hc=$(awk -F'\t' '/^# head/ { print $2 }' "$W8/choices-q8.tsv")
[ "$hc" = int8 ] || [ "$hc" = fp32 ] && ok || bad "no head choice in choices-q8.tsv"
if [ "$hc" = int8 ]; then $H info "$T/q8-init.hant" | grep -q '(conv int8)$'; else ! $H info "$T/q8-init.hant" | grep -q '(conv int8)$'; fi && ok || bad "the student's head is not $hc"
if [ "$c8" -gt 0 ]; then [ "$n8" -ge 1 ] && ok || bad "no int8 block selected under $mid ms ($c8 int8 twins priced cheaper)"
else skip "an int8 selection: this build's table prices no int8 block below its fp32 twin" "make test with SIMD=native or avx2"; fi
[ "$($H info "$T/q8-init.hant" | grep -c ' int8$')" -eq "$n8" ] && ok || bad "student int8 blocks differ from the choices"
expect_rc 0 "eval int8 student" $H eval "$T/q8-init.hant" --data "$E" --threads 2
expect_rc 0 "finetune int8 student" $H finetune "$T/q8-init.hant" --teacher "$T/teacher.hant" -o "$T/q8.hant" --subset 256 --val 256 --epochs 1 --batch 64 --threads 2 --bn-calibrate 4
calib="int8: $n8 blocks calibrated"; [ "$hc" = fp32 ] || calib="int8: $n8 blocks and the head calibrated"
if [ "$n8" -gt 0 ] || [ "$hc" = int8 ]; then grep -q "^$calib" "$T/err" && ok || bad "finetune did not calibrate the int8 blocks: $(head -2 "$T/err")"
else ! grep -q "calibrated" "$T/err" && ok || bad "finetune calibrated int8 in an fp32 student: $(grep calibrated "$T/err")"; fi
[ "$($H info "$T/q8.hant" | grep -c ' int8$')" -eq "$n8" ] && ok || bad "fine-tuned student lost int8 blocks"
t8=$($H eval "$T/q8.hant" --data "$E" --threads 2 | sed -n 's/^top1 //p')
awk -v a="$tt" -v b="$t8" 'BEGIN { d = b - a; exit !(d > -0.25 && d < 0.25) }' && ok || bad "teacher top-1 $tt, int8 student $t8"
# the report marks int8 choices and counts them (runs.tsv here is a fixture: only the choices matter)
printf 'name\ttop1\tlat_b1_ms\nteacher\t60\t1\nq8\t59\t0.8\n' > "$W8/runs.tsv"
expect_rc 0 "report q8" $H report "$W8"
nsl8=$(grep -v '^#' "$W8/choices-q8.tsv" | awk 'NR > 1' | wc -l)
grep -q "^- int8: $n8 of the $nsl8 chosen blocks" "$W8/report.md" && [ "$(grep -c ' int8 |' "$W8/report.md")" -ge "$([ "$n8" -gt 0 ] && echo 1 || echo 0)" ] && ok || bad "report: $(grep int8 "$W8/report.md" | head -3)"
nh8=0; [ "$hc" = int8 ] && nh8=1
grep -q "^- head (fp32 or int8, chosen by the selection): int8 in $nh8 of 1 students" "$W8/report.md" && ok || bad "report head line: $(grep '^- head' "$W8/report.md")"
# a teacher whose head is int8 already: no head twin to profile or score; its students keep
# the head's calibration and run as they are
expect_rc 0 "quantize the teacher's head" $H quantize "$T/teacher.hant" -o "$T/teacher-qh.hant" --blocks none --head --calib 64 --data $D
W9="$T/w9"
expect_rc 0 "profile, int8-head teacher" $H profile "$T/teacher-qh.hant" -o "$T/lut9.tsv" --candidates "$P8" --reps 3 --rounds 1 --threads 2 --quiet
[ "$(grep -c '^head ' "$T/lut9.tsv")" -eq 1 ] && ok || bad "int8-head teacher: head rows $(grep -c '^head ' "$T/lut9.tsv")"
expect_rc 0 "distill, int8-head teacher" $H distill "$T/teacher-qh.hant" --work "$W9" --pool "$P8" --images 128 --batch 64 --threads 2 --quiet
! grep -q '	head ' "$W9/scores.tsv" && ok || bad "an int8 head was scored twice"
expect_rc 0 "select, int8-head teacher" $H select "$T/teacher-qh.hant" --work "$W9" --lut "$T/lut9.tsv" --latency-ms 1000 --sweep 0 --name qh -o "$T/qh-init.hant"
! grep -q '^# head' "$W9/choices-qh.tsv" && ok || bad "the head was a choice for an int8-head teacher"
$H info "$T/qh-init.hant" | grep -q '(conv int8)$' && ok || bad "the student lost the int8 head"
# with an unlimited budget every block is the teacher's: the student is the teacher, to the image
t9=$($H eval "$T/teacher-qh.hant" --data $D --threads 2 | sed -n 's/^top1 //p'); s9=$($H eval "$T/qh-init.hant" --data $D --threads 2 | sed -n 's/^top1 //p')
[ -n "$t9" ] && [ "$t9" = "$s9" ] && ok || bad "int8-head teacher top-1 '$t9', its student as selected '$s9'"
for c in pool distill select finetune transform profile; do $H $c --help >/dev/null && ok || bad "$c --help"; done
finish
