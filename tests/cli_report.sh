#!/bin/sh
# hant report: the Markdown table's computed speed-ups and top-1 changes, the
# per-block choices and their counts, a well-formed self-contained SVG with one
# marker per network, optional inputs absent, and one-line errors naming the
# file and line. Fixtures are written here; $HANT is the binary.
. "$(dirname "$0")/lib_cli.sh"
# has DESC TEXT FILE: FILE contains TEXT literally
has() { grep -qF -- "$2" "$3" && ok || bad "$1: no '$2' in $3"; }
# err_has DESC TEXT ARGS..: exit 1, one error line, containing TEXT
err_has() {
  eh_desc=$1; eh_text=$2; shift 2  # not $want/$desc: expect_rc sets those
  expect_rc 1 "$eh_desc" "$H" report "$@" && { grep -qF -- "$eh_text" "$T/err" && ok || bad "$eh_desc: '$(cat "$T/err")' lacks '$eh_text'"; }
}
# svg_check DESC FILE N: parses as XML, N network markers (1 teacher), nothing external
svg_check() {
  if [ -x /usr/bin/python3 ]; then
    /usr/bin/python3 - "$2" "$3" <<'EOF' >"$T/py" 2>&1 && ok || bad "$1: $(cat "$T/py")"
import sys, xml.dom.minidom
doc = xml.dom.minidom.parse(sys.argv[1])
assert doc.documentElement.tagName == "svg", "root is not <svg>"
cls = [e.getAttribute("class").split() for e in doc.getElementsByTagName("*")]
markers = [c for c in cls if "marker" in c]
assert len(markers) == int(sys.argv[2]), "%d markers" % len(markers)
assert sum("teacher" in c for c in markers) == 1, "teacher markers"
for tag in ("script", "image", "foreignObject", "style", "use"):
    assert not doc.getElementsByTagName(tag), "has <%s>" % tag
EOF
  else
    [ "$(grep -c 'class="marker ' "$2")" -eq "$3" ] && ok || bad "$1: marker count"
  fi
  grep -qE 'href|url\(|@import' "$2" && bad "$1: external reference" || ok
}

expect_rc 0 "--help" "$H" report --help
has "--help text" "runs.tsv" "$T/out"

# Fixture: columns in a shuffled order with an extra one, comments, CRLF on one line.
D="$T/run"; mkdir -p "$D"
T1=93.85 TL=2.400 A1=93.51 AL=0.650 B1=93.80 BL=1.200 C1=94.02 CL=1.800
{
  printf '# hant pipeline runs\n'
  printf 'lat_b1_ms\tname\ttop1\tfile\tnote\tips_b256\tlat_b1_pred_ms\tparams\tmacs\tbudget\n'
  printf '%s\tteacher\t%s\tt.hant\tx\t4100\t-\t4012345\t28500000\t-\n' $TL $T1
  printf '%s\ts36\t%s\ts36.hant\tx\t15000\t0.62\t1200000\t7000000\tspeedup 3.6\r\n' $AL $A1
  printf '# a comment between rows\n\n'
  printf '%s\ts20\t%s\ts20.hant\tx\t8000\t1.1\t2500000\t15000000\tspeedup 2\n' $BL $B1
  printf '%s\ts13\t%s\ts13.hant\tx\t6000\t1.75\t3000000\t20000000\tlatency-ms 1.8\n' $CL $C1
} > "$D/runs.tsv"
printf 'budget_ms\tpred_ms\tloss\toptimal\n0.5\t-\t-\t0\n0.6\t0.58\t3.2\t1\n0.8\t0.75\t2.1\t1\n1.0\t0.75\t2.1\t1\n1.2\t1.15\t1.0\t1\n2.0\t1.9\t0.4\t1\n' > "$D/pareto.tsv"
sig() { printf '%s cin=24 cout=24 e=%s k=%s s=1 se=%s act=%s g=1 hw=7x7 b=1 t=2 p=fp32' "$@"; }
{
  printf 'block\tin\tsignature\tkind\tpred_ms\tscore\tparams\tmacs\n'
  printf '0\t14x14x16\t%s\tmbconv\t0.1\t0.2\t100\t1000\n' "$(sig mbconv 3 3 0 relu)"
  printf '1\t7x7x24\t%s\tidentity\t0\t0.5\t0\t0\n' "$(sig identity 1 1 0 none)"
  printf '2\t7x7x24\t%s\tfused\t0.1\t0.1\t10\t10\n' "$(sig fused 1 3 0 silu)"
} > "$D/choices-s36.tsv"
{
  printf 'kind\tblock\tsignature\n'   # another column order, no 'in'
  printf 'teacher\t0\t%s\n' "$(sig mbconv 6 5 0.25 silu)"
  printf 'mbconv\t1\t%s\n' "$(sig mbconv 4 5 0.25 hswish)"
  printf 'conv\t2\t%s\n' "$(sig conv 1 3 0 relu)"
} > "$D/choices-s20.tsv"
# (s13 has no choices file)

expect_rc 0 "report" "$H" report "$D"
M="$D/report.md"
grep -qx "wrote $D/report.md" "$T/out" && grep -qx "wrote $D/report.svg" "$T/out" && ok || bad "printed paths: $(cat "$T/out")"
[ -z "$(ls "$D" | grep '\.tmp$')" ] && ok || bad "left .tmp files"
# speed-up = teacher latency / latency, delta = top1 - teacher top1, computed here
row() { # row NAME TOP1 LAT: the row holds the top-1, delta, latency and speed-up
  sp=$(awk -v t=$TL -v l=$3 'BEGIN { printf "%.2fx", t / l }')
  dl=$(awk -v t=$T1 -v a=$2 'BEGIN { printf "%+.2f", a - t }')
  row_want="| $1 | $2 | $dl | $(awk -v l=$3 'BEGIN { printf "%.3f", l }') |"
  grep -F -- "$row_want" "$M" | grep -qF -- "| $sp |" && ok || bad "row $1: want '$row_want' and '$sp': $(grep -F "| $1 |" "$M")"
}
row s36 $A1 $AL; row s20 $B1 $BL; row s13 $C1 $CL
has "teacher row" "| teacher | 93.85 | reference | 2.400 | - | 1.00x | 4100 | 4,012,345 | 28,500,000 | - |" "$M"
has "predicted + budget" "| 0.620 | 3.69x | 15000 | 1,200,000 | 7,000,000 | speedup 3.6 |" "$M"
[ "$(grep -n '^| teacher |' "$M" | head -1 | cut -d: -f1)" -lt "$(grep -n '^| s36 |' "$M" | head -1 | cut -d: -f1)" ] && ok || bad "teacher row first"
has "image" "![test top-1 vs batch-1 latency](report.svg)" "$M"
has "frontier summary" "6 budgets, 5 with an optimal selection, 4 distinct non-dominated points" "$M"
has "choices absent" "(absent for s13)" "$M"
has "per-block header" "| block | input | s36 | s20 |" "$M"
has "block 0" "| 0 | 14x14x16 | MB e3 k3 relu | teacher |" "$M"
has "block 1" "| 1 | 7x7x24 | id | MB e4 k5 hswish se |" "$M"
has "block 2" "| 2 | 7x7x24 | fused e1 k3 silu | conv k3 relu |" "$M"
has "kind counts" "| identity | 1 | 0 | 1 |" "$M"
has "identity share" "identity 1 of 6 slots; the teacher's own block kept 1 time; 4 replaced" "$M"
has "SE count" "SE chosen 1 time of 3 MBConv/fused choices" "$M"
has "activation count" "activation (over the 4 replaced blocks): relu 2, hswish 1, silu 1." "$M"
has "kernel count" "kernel: k3 3, k5 1." "$M"
svg_check "svg" "$D/report.svg" 4
for n in teacher s36 s20 s13; do has "svg label $n" ">$n</text>" "$D/report.svg"; done
has "svg right axis" "predicted distillation loss (sum of scores)" "$D/report.svg"
has "svg frontier" 'class="frontier"' "$D/report.svg"

# other output paths: the image link is relative to the report
mkdir -p "$T/o/sub"
expect_rc 0 "-o/--svg" "$H" report "$D" -o "$T/o/sub/r.md" --svg "$T/o/p.svg"
has "relative image" "](../p.svg)" "$T/o/sub/r.md"
svg_check "svg elsewhere" "$T/o/p.svg" 4

# optional files absent; no teacher row
E="$T/min"; mkdir -p "$E"
printf 'name\ttop1\tlat_b1_ms\nteacher\t90\t3\nfast\t89.5\t1\n' > "$E/runs.tsv"
expect_rc 0 "only runs.tsv" "$H" report "$E"
has "pareto absent" "pareto.tsv\` is absent" "$E/report.md"
has "choices absent" "0 of 1 \`choices-NAME.tsv\` (absent for fast)" "$E/report.md"
has "min row" "| fast | 89.50 | -0.50 | 1.000 | - | 3.00x | - | - | - | - |" "$E/report.md"
svg_check "svg without pareto" "$E/report.svg" 2
printf 'name\ttop1\tlat_b1_ms\na\t90\t3\n' > "$E/runs.tsv"
expect_rc 0 "no teacher row" "$H" report "$E"
has "no reference" "No row is named \`teacher\`" "$E/report.md"

# hant transform's columns: a student that missed its target, with the predicted speed-up (one table)
# beside the measured one, and its parts against the prediction at the run's level (pred_level_ms)
M2="$T/miss"; mkdir -p "$M2"
printf 'name\ttop1\tlat_b1_ms\tlat_b1_pred_ms\tbudget\tspeedup\tspeedup_unc\tpred_speedup\nteacher\t90\t1.0\t-\t-\t1\t0\t-\ns3\t89\t0.4\t0.29\tspeedup 3\t2.5\t0.05\t3.0\nw3\t89\t0.37\t0.29\tspeedup 3\t2.7\t0.35\t3.0\n' > "$M2/runs.tsv"
printf '# s3 beside its teacher\npart\tsignature\tpred_ms\tinplace_ms\tunc_ms\tpred_level_ms\nstem\tstem a\t0.1000\t0.1500\t0.0010\t0.1300\nhead\thead b\t0.2000\t0.2500\t0.0020\t-\n' > "$M2/blocks-s3.tsv"
expect_rc 0 "transform columns" "$H" report "$M2"
has "predicted speed-up" "| 2.50x ± 0.05 (predicted 3.00x) **target missed** |" "$M2/report.md"
# a miss within the spread between groups (hant transform's speedup_unc) is not flagged
has "miss within the uncertainty" "| 2.70x ± 0.35 (predicted 3.00x) |" "$M2/report.md"
has "what the uncertainty is" "the ~95% interval in which a re-measurement falls" "$M2/report.md"
grep -q "^1 network missed its budget" "$M2/report.md" && ok || bad "only s3 flagged: $(grep -i 'missed' "$M2/report.md" | head -3)"
has "part at the run's level" "| stem | stem a | 0.1000 | 0.1300 | 0.1500 | 0.0010 | +0.0200 |" "$M2/report.md"
has "part without a level" "| head | head b | 0.2000 | - | 0.2500 | 0.0020 | - |" "$M2/report.md"
has "sums" "Sum of parts: predicted 0.3000 ms, at the run's level 0.1300 ms, in place 0.4000 ms." "$M2/report.md"

# a frontier that starts below 0 ms (hant select with a fitted latency model whose network
# term is negative): reported, with the points below 0 left off the plot
N="$T/neg"; mkdir -p "$N"
printf 'name\ttop1\tlat_b1_ms\nteacher\t90\t3\nfast\t89.5\t1\n' > "$N/runs.tsv"
printf 'budget_ms\tpred_ms\tloss\toptimal\n-0.014885\t-0.014886\t51.6\t1\n0.013\t0.007\t42.8\t1\n0.5\t0.45\t3\t1\n' > "$N/pareto.tsv"
expect_rc 0 "pareto below 0 ms" "$H" report "$N"
has "points below 0 ms named" "3 budgets, 3 with an optimal selection (1 of them predicted at or below 0 ms" "$N/report.md"
has "frontier from the first point above 0" "2 distinct non-dominated points from 0.007 ms" "$N/report.md"
svg_check "svg with points below 0" "$N/report.svg" 2

# errors: one line, exit 1, naming the file (and line)
err_has "missing runs.tsv" "$T/nope/runs.tsv" "$T/nope"
X="$T/x"; mkdir -p "$X"
hdr='name\ttop1\tlat_b1_ms\n'
printf "$hdr"'teacher\t90\t3\n# c\nbad\t91\n' > "$X/runs.tsv";       err_has "short line" "runs.tsv line 4: 2 fields" "$X"
printf "$hdr"'teacher\t90\t3\nbad\t91\t2\textra\n' > "$X/runs.tsv"; err_has "long line" "runs.tsv line 3: 4 fields" "$X"
printf "$hdr"'teacher\tabc\t3\n' > "$X/runs.tsv";                 err_has "non-numeric top1" "runs.tsv line 2: top1 'abc'" "$X"
printf "$hdr"'teacher\t90\t3ms\n' > "$X/runs.tsv";                err_has "non-numeric latency" "runs.tsv line 2: lat_b1_ms '3ms'" "$X"
printf "$hdr"'teacher\t90\t0\n' > "$X/runs.tsv";                  err_has "zero latency" "runs.tsv line 2: lat_b1_ms '0'" "$X"
printf "$hdr"'teacher\t190\t3\n' > "$X/runs.tsv";                 err_has "top1 over 100" "runs.tsv line 2: top1 '190'" "$X"
printf "$hdr"'teacher\tnan\t3\n' > "$X/runs.tsv";                 err_has "nan" "runs.tsv line 2: top1 'nan'" "$X"
printf 'name\ttop1\tlat_b1_ms\tparams\nteacher\t90\t3\t1e3x\n' > "$X/runs.tsv"; err_has "non-numeric params" "runs.tsv line 2: params '1e3x'" "$X"
printf 'name\ttop1\nteacher\t90\n' > "$X/runs.tsv";               err_has "missing column" "no column 'lat_b1_ms'" "$X"
printf "$hdr" > "$X/runs.tsv";                                      err_has "no rows" "no networks" "$X"
printf '# nothing\n' > "$X/runs.tsv";                              err_has "no header" "no header" "$X"
printf "$hdr"'a\t90\t3\na\t91\t2\n' > "$X/runs.tsv";             err_has "duplicate name" "line 3: network 'a' is already on line 2" "$X"
head -c 2000 /dev/urandom > "$X/runs.tsv";                          err_has "random bytes" "runs.tsv" "$X"
printf "$hdr"'teacher\t90\t3\ns\t89\t1\n' > "$X/runs.tsv"
printf 'pred_ms\tloss\toptimal\n1\t2\t1\n1.5\tlow\t1\n' > "$X/pareto.tsv"; err_has "pareto non-numeric" "pareto.tsv line 3: loss 'low'" "$X"
printf 'pred_ms\tloss\toptimal\n1\t2\tyes\n' > "$X/pareto.tsv";   err_has "pareto optimal" "pareto.tsv line 2: optimal 'yes'" "$X"
rm "$X/pareto.tsv"
printf 'block\tkind\n0\tmbconv\n1\tsep\n' > "$X/choices-s.tsv";    err_has "bad kind" "choices-s.tsv line 3: kind 'sep'" "$X"
printf 'block\tkind\n0\tmbconv\n0\tconv\n' > "$X/choices-s.tsv";   err_has "block twice" "choices-s.tsv line 3: block 0" "$X"
printf 'block\tkind\n-1\tmbconv\n' > "$X/choices-s.tsv";           err_has "negative block" "choices-s.tsv line 2: block '-1'" "$X"
rm "$X/choices-s.tsv"
mkdir -p "$T/isdir/runs.tsv";                                       err_has "runs.tsv a directory" "runs.tsv" "$T/isdir"
err_has "unwritable output" "$T/none/r.md" "$X" -o "$T/none/r.md"

expect_rc 2 "no DIR" "$H" report
expect_rc 2 "unknown option" "$H" report "$X" --frobnicate
expect_rc 2 "-o without file" "$H" report "$X" -o
expect_rc 2 "two dirs" "$H" report "$X" "$X"

finish
