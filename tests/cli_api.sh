#!/bin/sh
# The pipeline API (hant.h >>pipeline). examples/transform.c, which uses only
# hant.h and hant_solver.h, builds with the README's one command; it profiles
# the same table rows as hant profile (timings differ: the keys are compared)
# and, given hant profile's table, makes byte for byte the student that the
# hant wrappers make (distill, select, finetune), as hant transform does, which
# calls the API itself; both time the student beside its teacher through the
# API (hant_speedup_check), a row per part in place. Two shards of
# hant distill running at once into one work directory give, once merged, the
# rows of one unsharded run, and leave no temporary file behind.
. "$(dirname "$0")/lib_cli.sh"
TD=${TEST_DATA:-$(dirname "$H")/test_data}
[ -x "$TD" ] || skip_all "no $TD" "make $TD"
R="$T/set"; W="$T/w"; POOL='teacher;identity;mbconv:e=1:k=3:se=0:act=relu;conv:k=1:act=relu'
"$TD" --make-set "$R" 384 0 32 32 3 4 && "$TD" --make-model "$T/teacher.hant" 32 32 3 4 && ok || { bad "fixtures"; finish; exit; }
# built as a user's application would be: the two headers copied next to it, outside the repository,
# with the ISA flags of the hant under test (make test passes them), so that both train alike
# make test compiles it so beside the first suites (Makefile, $(B)/transform; this suite waits while
# that build runs): its outcome is taken when it is newer than the sources and was made with this
# very command; otherwise (a suite run alone, other flags) it is built here
c="${HANT_CC:-cc} -std=c11 -O2 ${HANT_ARCHFLAGS:--march=native} src/transform.c -o ../transform -lm -lpthread"
A=$(dirname "$H")/transform.app
while [ -f "$A/pid" ] && [ ! -f "$A/rc" ] && kill -0 "$(cat "$A/pid")" 2>/dev/null; do sleep 1; done
if [ -f "$A/rc" ] && [ "$(cat "$A/cmd")" = "$c" ] && [ "$A/rc" -nt hant.h ] && [ "$A/rc" -nt hant_solver.h ] && [ "$A/rc" -nt examples/transform.c ]; then
  [ "$(cat "$A/rc")" = 0 ] && cp "$(dirname "$H")/transform" "$T/transform" && echo "  (examples/transform.c: built by make test, $A)"
else
  mkdir -p "$T/app/src" && cp hant.h hant_solver.h "$T/app/" && cp examples/transform.c "$T/app/src/" && (cd "$T/app" && $c >log 2>&1)
fi && ok || { bad "examples/transform.c does not build outside the repository: $(tail -n 5 "$A/log" "$T/app/log" 2>/dev/null)"; finish; exit; }
expect_rc 0 "profile" $H profile "$T/teacher.hant" -o "$T/lut.tsv" --candidates "$POOL" --reps 2 --rounds 1 --threads 2 --validate 4 --quiet --no-check
# the API, profiling its own table (the latency model fitted on it): the same rows (configurations) as hant profile's
expect_rc 0 "transform.c" "$T/transform" "$T/teacher.hant" "$R" "$T/api" 1.2 "$T/api.hant" "$POOL" 128 1
cp "$T/out" "$T/api.out"
# the student beside its teacher through the API (hant_speedup_check): the speed-up with its spread, and its parts in place
grep -q '^measured beside the teacher: [0-9.]*x +- [0-9.]* (target 1.20x' "$T/api.out" && ok || bad "transform.c: no measured speed-up: $(tail -n 3 "$T/api.out")"
keys() { grep -v '^#\|^key\|^model ' "$1" | cut -f1 | sort; }
[ -n "$(keys "$T/lut.tsv")" ] && [ "$(keys "$T/lut.tsv")" = "$(keys "$T/api/lut.tsv")" ] && ok || bad "profiled rows differ: $(keys "$T/api/lut.tsv" | diff "$T/lut.tsv" - | head -3)"
# the model's four terms (two more where the fit finds a weight knee, as in a HANT_NO_SIMD build)
[ "$(grep -c '^model \(network\|time\|part\|mwords\) ' "$T/api/lut.tsv")" -eq 4 ] && [ -s "$T/api/lut.tsv.validate" ] && ok || bad "transform.c did not fit the latency model: $(grep '^model ' "$T/api/lut.tsv" | cut -f1 | tr '\n' ',')"
# the wrappers, as hant transform calls them: with hant profile's table (s), and with transform.c's (a: another build)
expect_rc 0 "distill" $H distill "$T/teacher.hant" --work "$W" --pool "$POOL" --images 128 --data "$R" --quiet
expect_rc 0 "select" $H select "$T/teacher.hant" --work "$W" --lut "$T/lut.tsv" --speedup 1.2 --name s -o "$W/s-init.hant" --sweep 0 --quiet
expect_rc 0 "finetune" $H finetune "$W/s-init.hant" --teacher "$T/teacher.hant" -o "$T/wrap.hant" --epochs 1 --lr 0.02 --data "$R" --quiet
expect_rc 0 "select, transform.c's table" $H select "$T/teacher.hant" --work "$W" --lut "$T/api/lut.tsv" --accept-foreign-table --speedup 1.2 --name a -o "$W/a-init.hant" --sweep 0 --quiet
expect_rc 0 "finetune a" $H finetune "$W/a-init.hant" --teacher "$T/teacher.hant" -o "$T/wrapa.hant" --epochs 1 --lr 0.02 --data "$R" --quiet
cmp -s "$W/scores.tsv" "$T/api/scores.tsv" && ok || bad "score tables differ: $(diff "$W/scores.tsv" "$T/api/scores.tsv" | head -3)"
cmp -s "$T/wrapa.hant" "$T/api.hant" && ok || bad "transform.c made another student than the wrappers"
# run again: the table is kept (nothing measured), the same student
grep -v '^# date' "$T/api/lut.tsv" > "$T/rows"
expect_rc 0 "transform.c, resumed" "$T/transform" "$T/teacher.hant" "$R" "$T/api" 1.2 "$T/api2.hant" "$POOL" 128 1
grep -v '^# date' "$T/api/lut.tsv" | cmp -s - "$T/rows" && ok || bad "the resumed transform.c changed its table"
cmp -s "$T/api.hant" "$T/api2.hant" && ok || bad "the resumed transform.c made another student"
# hant transform (API calls, no subcommands) with the same table: the same files
X="$T/x"; mkdir -p "$X" && cp "$T/lut.tsv" "$X/lut.tsv"
expect_rc 0 "hant transform" $H transform "$T/teacher.hant" --speedup 1.2 --name s -o "$X/s.hant" --work "$X" --pool "$POOL" --images 128 --epochs 1 --data "$R" --no-check
for f in scores.tsv s-init.hant choices-s.tsv; do cmp -s "$W/$f" "$X/$f" && ok || bad "hant transform: $f differs from the wrappers'"; done
cmp -s "$T/wrap.hant" "$X/s.hant" && ok || bad "hant transform made another student than the wrappers"
[ -s "$X/runs.tsv" ] && [ -s "$X/report.md" ] && [ -s "$X/blocks-s.tsv" ] && [ -s "$X/pareto.tsv" ] && ok || bad "hant transform: runs.tsv, report.md, blocks-s.tsv or pareto.tsv missing"
np=$(grep -c '^  part ' "$T/api.out"); nb=$(grep -vc '^#\|^part' "$X/blocks-s.tsv")
[ "$np" -gt 2 ] && [ "$np" -eq "$nb" ] && ok || bad "parts in place: transform.c $np, hant transform's blocks-s.tsv $nb"
# two shards at once into one directory, then merged
S="$T/s"; DA="$T/teacher.hant --work $S --pool $POOL --images 128 --data $R --threads 1 --quiet"
$H distill $DA --shard 0/2 >"$T/s0.log" 2>&1 & p0=$!
$H distill $DA --shard 1/2 >"$T/s1.log" 2>&1 & p1=$!
wait $p0 && wait $p1 && ok || bad "concurrent shards: $(cat "$T/s0.log" "$T/s1.log")"
expect_rc 0 "merge" $H distill --merge 2 --work "$S"
rows() { grep -v '^#\|^block' "$1" | sort; }
[ "$(rows "$S/scores.tsv")" = "$(rows "$W/scores.tsv")" ] && ok || bad "merged shards differ from one run: $(rows "$S/scores.tsv" | diff - "$W/scores.tsv" | head -3)"
[ -z "$(find "$S" "$W" -name '*.tmp*')" ] && ok || bad "temporary files left: $(find "$S" "$W" -name '*.tmp*')"
finish
