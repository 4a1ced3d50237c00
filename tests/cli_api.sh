#!/bin/sh
# The pipeline API (hant.h >>pipeline). examples/transform.c, which uses only
# hant.h and hant_solver.h, builds with the README's one command and makes
# byte for byte the student that the hant wrappers make (distill, select,
# finetune: what hant transform runs) on a tiny synthetic set. Two shards of
# hant distill running at once into one work directory give, once merged, the
# rows of one unsharded run, and leave no temporary file behind.
. "$(dirname "$0")/lib_cli.sh"
TD=${TEST_DATA:-$(dirname "$H")/test_data}
[ -x "$TD" ] || skip_all "no $TD" "make $TD"
R="$T/set"; W="$T/w"; POOL='teacher;identity;mbconv:e=1:k=3:se=0:act=relu;conv:k=1:act=relu'
"$TD" --make-set "$R" 384 0 32 32 3 4 && "$TD" --make-model "$T/teacher.hant" 32 32 3 4 && ok || { bad "fixtures"; finish; exit; }
${CC:-cc} -std=c11 -O2 -march=native examples/transform.c -o "$T/transform" -lm -lpthread && ok || { bad "examples/transform.c does not build"; finish; exit; }
expect_rc 0 "profile" $H profile "$T/teacher.hant" -o "$T/lut.tsv" --candidates "$POOL" --reps 2 --rounds 1 --threads 2 --quiet
# the wrappers, as hant transform calls them
expect_rc 0 "distill" $H distill "$T/teacher.hant" --work "$W" --pool "$POOL" --images 128 --data "$R" --quiet
expect_rc 0 "select" $H select "$T/teacher.hant" --work "$W" --lut "$T/lut.tsv" --speedup 1.2 --name s -o "$W/s-init.hant" --sweep 0 --quiet
expect_rc 0 "finetune" $H finetune "$W/s-init.hant" --teacher "$T/teacher.hant" -o "$T/wrap.hant" --epochs 1 --lr 0.02 --data "$R" --quiet
# the API
expect_rc 0 "transform.c" "$T/transform" "$T/teacher.hant" "$T/lut.tsv" "$R" "$T/api" 1.2 "$T/api.hant" "$POOL" 128 1
cmp -s "$W/scores.tsv" "$T/api/scores.tsv" && ok || bad "score tables differ: $(diff "$W/scores.tsv" "$T/api/scores.tsv" | head -3)"
cmp -s "$T/wrap.hant" "$T/api.hant" && ok || bad "transform.c made another student than the wrappers"
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
