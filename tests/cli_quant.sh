#!/bin/sh
# hant quantize: int8 blocks calibrated on training images; eval, bench, run,
# info and profile on the result; one-line errors on bad input. With the
# trained teacher at hand (make teacher), its int8 top-1 must stay within 0.3
# points of fp32 (the issue's goal). Needs build/data (make data).
. "$(dirname "$0")/lib_cli.sh"
need_data
expect_rc 0 "quantize --help" $H quantize --help
$H new b0-fm -o "$T/m.hant" --seed 3 >/dev/null && ok || bad "new"
expect_rc 0 "quantize" $H quantize "$T/m.hant" -o "$T/q.hant" --calib 64 --threads 2
grep -q "16 of 16 blocks int8, calibrated on 64 training images" "$T/out" && ok || bad "quantize summary: $(cat "$T/out")"
expect_rc 0 "info int8" $H info "$T/q.hant"
[ "$(grep -c ' int8$' "$T/out")" -eq 16 ] && ok || bad "info shows $(grep -c ' int8$' "$T/out") int8 blocks"
# the random models' evals check the plumbing: the first 2,000 test images (the teacher's below: all)
E="$T/test2k"; test_split "$E" 2000
expect_rc 0 "eval int8" $H eval "$T/q.hant" --threads 2 --data "$E"
grep -q '^top1 0\.[0-9]*$' "$T/out" && ok || bad "eval output: $(cat "$T/out")"
expect_rc 0 "bench int8" $H bench "$T/q.hant" --batch 3 --reps 3 --threads 2
grep -q '^latency_ms_median [0-9.]*$' "$T/out" && ok || bad "bench output: $(cat "$T/out")"
expect_rc 0 "quantize some blocks, percentile" $H quantize "$T/m.hant" -o "$T/q2.hant" --calib 32 --percentile 99.9 --blocks 0,3,15
$H info "$T/q2.hant" > "$T/info2" && [ "$(grep -c ' int8$' "$T/info2")" -eq 3 ] && ok || bad "--blocks 0,3,15 gave $(grep -c ' int8$' "$T/info2") int8 blocks"
# re-quantising an int8 model recalibrates it and keeps its blocks int8
expect_rc 0 "quantize an int8 model" $H quantize "$T/q2.hant" -o "$T/q3.hant" --calib 16 --blocks 5
$H info "$T/q3.hant" > "$T/info3" && [ "$(grep -c ' int8$' "$T/info3")" -eq 4 ] && ok || bad "requantised model has $(grep -c ' int8$' "$T/info3") int8 blocks"
# --head: the head's conv int8 too; --blocks none keeps the blocks as they are, and
# blocks that come calibrated keep their ranges (the same logits as before for them)
expect_rc 0 "quantize --head only" $H quantize "$T/q2.hant" -o "$T/qh.hant" --calib 16 --blocks none --head
grep -q "3 of 16 blocks int8 and the head.*3 parts kept their ranges" "$T/out" && ok || bad "head summary: $(cat "$T/out")"
$H info "$T/qh.hant" > "$T/infoh" && grep -q '^head .*(conv int8)$' "$T/infoh" && [ "$(grep -c ' int8$' "$T/infoh")" -eq 3 ] && ok || bad "info of the int8-head model: $(tail -2 "$T/infoh")"
expect_rc 0 "eval int8 head" $H eval "$T/qh.hant" --threads 2 --data "$E"
grep -q '^top1 0\.[0-9]*$' "$T/out" && ok || bad "eval output: $(cat "$T/out")"
expect_rc 0 "profile an int8 head" $H profile "$T/qh.hant" -o "$T/luth.tsv" --candidates teacher --reps 3 --rounds 1 --threads 2 --quiet
grep -q '^head cin=320 cout=1280 act=silu classes=10 hw=2x2 q=int8 b=1 t=2 p=fp32	' "$T/luth.tsv" && ok || bad "int8 head key missing"
# the profiler times int8 parts with the int8 kernels, under their own keys
expect_rc 0 "profile int8" $H profile "$T/q2.hant" -o "$T/lut.tsv" --candidates teacher --reps 3 --rounds 1 --threads 2 --quiet
[ "$(grep -v '^head' "$T/lut.tsv" | grep -c 'q=int8 b=1 t=2 p=fp32')" -eq 3 ] && ok || bad "int8 block keys in the table: $(grep -c 'q=int8' "$T/lut.tsv")"
# a table for int8 blocks also times the head's int8 twin (hant select may choose it)
grep -q '^head .* q=int8 b=1 t=2 p=fp32	' "$T/lut.tsv" && ok || bad "no int8 head key beside int8 blocks"
grep -q '^mbconv cin=16 cout=24 e=6 k=3 s=2 se=0.25 act=silu g=1 hw=28x28 b=1 t=2 p=fp32	' "$T/lut.tsv" && ok || bad "fp32 key missing"
# bad input
expect_rc 2 "block out of range" $H quantize "$T/m.hant" -o "$T/x.hant" --blocks 16
expect_rc 2 "bad block list" $H quantize "$T/m.hant" -o "$T/x.hant" --blocks 1,,2
expect_rc 2 "percentile 40" $H quantize "$T/m.hant" -o "$T/x.hant" --percentile 40
expect_rc 2 "calib 0" $H quantize "$T/m.hant" -o "$T/x.hant" --calib 0
expect_rc 2 "no output" $H quantize "$T/m.hant"
expect_rc 1 "missing data" $H quantize "$T/m.hant" -o "$T/x.hant" --data "$T/nodata"
head -c 3000 "$T/q.hant" > "$T/trunc.hant"
expect_rc 1 "truncated model" $H quantize "$T/trunc.hant" -o "$T/x.hant"
expect_rc 1 "eval truncated int8 model" $H eval "$T/trunc.hant"
[ ! -f "$T/x.hant" ] && ok || bad "a failed quantize wrote its output"
# the trained teacher: int8 within 0.3 points of fp32
TM=build/teacher-b0-fm.hant; [ -f "$TM" ] || TM=models/teacher-b0-fm.hant   # the shipped teacher
if [ -f "$TM" ] && [ -f build/data/t10k-images-idx3-ubyte ]; then
  $H quantize "$TM" -o "$T/tq.hant" --threads 2 >/dev/null && ok || bad "quantize the teacher"
  tf=$($H eval "$TM" --threads 2 | sed -n 's/^top1 //p'); tq=$($H eval "$T/tq.hant" --threads 2 | sed -n 's/^top1 //p')
  echo "  teacher top-1 fp32 $tf, int8 $tq"
  awk -v a="$tf" -v b="$tq" 'BEGIN { exit !(a > 0.9 && b >= a - 0.003) }' && ok || bad "int8 teacher $tq vs fp32 $tf"
else skip "no trained teacher or no Fashion-MNIST for the teacher's int8 accuracy check" "make data teacher"; fi
finish
