#!/bin/sh
# hant solve: answers on small files, budgets, infeasible budgets, --help, and
# one-line errors naming the line for hostile files. $HANT is the binary.
. "$(dirname "$0")/lib_cli.sh"
# err_has DESC TEXT FILE: exit 1 and the error names TEXT
err_has() {
  expect_rc 1 "$1" "$H" solve "$3" --budget 10 && { grep -q "$2" "$T/err" && ok || bad "$1: '$(cat "$T/err")' lacks '$2'"; }
}

expect_rc 0 "--help" "$H" solve --help
grep -q "layer item loss cost1" "$T/out" && ok || bad "--help text"

# loss: (1, .25) and (2, .5); cost: (1, 4) and (.5, 2)
printf '# demo\n0 0 1.0 1\n0 1 0.25 4   # expensive\n1 0 2 0.5\n1 1 0.5 2\n' > "$T/a.txt"
expect_rc 0 "budget 3" "$H" solve "$T/a.txt" --budget 3
[ "$(head -1 "$T/out" | cut -d' ' -f1-6)" = "status optimal objective 1.5 cost 3" ] && ok || bad "budget 3: $(head -1 "$T/out")"
grep -q "^layer 0 item 0$" "$T/out" && grep -q "^layer 1 item 1$" "$T/out" && [ "$(wc -l <"$T/out")" -eq 3 ] && ok || bad "budget 3 items: $(cat "$T/out")"
expect_rc 0 "unconstrained" "$H" solve "$T/a.txt"
[ "$(head -1 "$T/out" | cut -d' ' -f1-6)" = "status optimal objective 0.75 cost 6" ] && ok || bad "unconstrained: $(head -1 "$T/out")"
expect_rc 0 "budget 1.5 (exactly the least)" "$H" solve "$T/a.txt" --budget 1.5
[ "$(head -1 "$T/out" | cut -d' ' -f1-6)" = "status optimal objective 3 cost 1.5" ] && ok || bad "budget 1.5: $(head -1 "$T/out")"
expect_rc 3 "infeasible" "$H" solve "$T/a.txt" --budget 1.4
head -1 "$T/out" | grep -q "^status infeasible .* min_budget 1.5$" && ok || bad "infeasible line: $(head -1 "$T/out")"
grep -q "1.5" "$T/err" && ok || bad "infeasible message: $(cat "$T/err")"
expect_rc 0 "time limit" "$H" solve "$T/a.txt" --budget 3 --time-limit 5
expect_rc 0 "k-best" "$H" solve "$T/a.txt" --k-best 3 --min-diff 1
[ "$(grep -c '^solution' "$T/out")" -eq 3 ] && ok || bad "k-best: $(cat "$T/out")"
expect_rc 0 "pareto" "$H" solve "$T/a.txt" --pareto 4
[ "$(grep -c '^budget .* status optimal' "$T/out")" -eq 4 ] && ok || bad "pareto: $(cat "$T/out")"

# two costs and a pair correction: 0/1 then 1/1 saves 3 latency
printf '0 0 1.0 1 1\n0 1 0.25 4 1\n1 0 2 0.5 0.5\n1 1 0.5 2 3\npair 0 1 1 -3 0\n' > "$T/b.txt"
expect_rc 0 "two budgets + pair" "$H" solve "$T/b.txt" --budget 3,4
[ "$(head -1 "$T/out" | cut -d' ' -f1-6)" = "status optimal objective 0.75 cost 3,4" ] && ok || bad "two budgets: $(head -1 "$T/out")"
expect_rc 3 "second budget infeasible" "$H" solve "$T/b.txt" --budget 10,1
expect_rc 2 "budget count" "$H" solve "$T/b.txt" --budget 3
expect_rc 2 "bad budget" "$H" solve "$T/a.txt" --budget abc
expect_rc 2 "negative budget" "$H" solve "$T/a.txt" --budget -1
expect_rc 2 "nan budget" "$H" solve "$T/a.txt" --budget nan
expect_rc 2 "bad backend" "$H" solve "$T/a.txt" --backend cplex
expect_rc 2 "bad time limit" "$H" solve "$T/a.txt" --time-limit x
expect_rc 2 "unknown option" "$H" solve "$T/a.txt" --frobnicate
expect_rc 2 "no file" "$H" solve
if "$H" solve --help | grep -q "not compiled in"; then expect_rc 2 "glpk not built" "$H" solve "$T/a.txt" --backend glpk
else
  expect_rc 0 "glpk backend" "$H" solve "$T/a.txt" --budget 3 --backend glpk
  [ "$(head -1 "$T/out" | cut -d' ' -f1-6)" = "status optimal objective 1.5 cost 3" ] && ok || bad "glpk: $(head -1 "$T/out")"
fi

# hostile files: one error line naming the line, exit 1, no crash
printf '0 0 1 2\n0 1 nan 3\n' > "$T/h1"; err_has "NaN loss" "line 2" "$T/h1"
printf '0 0 1 2\n0 1 1 -3\n' > "$T/h2"; err_has "negative cost" "line 2: cost1 is negative" "$T/h2"
printf '0 0 1 2\n2 0 1 3\n' > "$T/h3"; err_has "layer gap" "line 2: layer 2, but layer 1 has no items" "$T/h3"
printf '0 0 1 2\n1 0 1 2\n1 2 1 2\n' > "$T/h4"; err_has "item gap" "line 3: layer 1 item 2, but item 1 is missing" "$T/h4"
printf '# nothing\n\n' > "$T/h5"; err_has "no items" "no items" "$T/h5"
printf '0 0 1 2\n0 0 1 2\n' > "$T/h6"; err_has "duplicate" "line 2: layer 0 item 0 already given on line 1" "$T/h6"
printf '0 0 1 2\n0 1 1 2 3\n' > "$T/h7"; err_has "column count" "line 2" "$T/h7"
head -c 3000 /dev/urandom > "$T/h8"; printf '\n0 0 x 1\n' >> "$T/h8"
expect_rc 1 "random bytes" "$H" solve "$T/h8" --budget 10 && { grep -q "line " "$T/err" && ok || bad "random bytes: $(cat "$T/err")"; }
printf '0 0 1 1e400\n' > "$T/h9"; err_has "overflow" "line 1: cost1" "$T/h9"
printf '0 0 1 2\n1 0 1 2\npair 0 0 5 -1\n' > "$T/h10"; err_has "pair out of range" "line 3: pair next item 5" "$T/h10"
printf '0 0 1 inf\n' > "$T/h11"; err_has "inf cost" "line 1: cost1 'inf'" "$T/h11"
printf 'zero 0 1 2\n' > "$T/h12"; err_has "word layer" "line 1: layer 'zero'" "$T/h12"
expect_rc 1 "missing file" "$H" solve "$T/nope.txt" && { grep -q "nope.txt" "$T/err" && ok || bad "missing file: $(cat "$T/err")"; }
expect_rc 1 "directory" "$H" solve "$T"

finish
