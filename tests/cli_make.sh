#!/bin/sh
# The Makefile never deletes or rewrites anything outside the repository
# (issue 15): 'make data' against a fake dataset-fashion-mnist whose files a
# stub apt-get installs into a folder outside the tree. An old pattern rule made
# those .gz files intermediates of the build, and make removed them afterwards.
. "$(dirname "$0")/lib_cli.sh"
R=$(cd "$(dirname "$0")/.." && pwd)
N="train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte"
mkdir -p "$T/bin"
# stubs: apt-get "installs" the package into $FAKE_PKG and logs each call; id says root
cat >"$T/bin/apt-get" <<'STUB'
#!/bin/sh
echo "apt-get $*" >>"$FAKE_PKG.log"
case "$*" in *install*dataset-fashion-mnist*)
  mkdir -p "$FAKE_PKG"
  for n in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    printf 'fake %s\n' "$n" | gzip >"$FAKE_PKG/$n.gz"; done;;
esac
STUB
printf '#!/bin/sh\necho ${FAKE_UID:-0}\n' >"$T/bin/id"
chmod +x "$T/bin/apt-get" "$T/bin/id"
# make from the repository root, outside any calling make (no inherited MAKEFLAGS)
mk() { env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS PATH="$T/bin:$PATH" FAKE_PKG="$T/pkg" \
       make -C "$R" --no-print-directory DATA_SRC="$T/pkg" DATA="$T/data" "$@"; }

# 1. no package yet: the install step runs, the data is unpacked, the package stays
mk data >"$T/out" 2>&1 && ok || bad "make data with the stub package: $(tail -n 3 "$T/out")"
grep -q "install.* dataset-fashion-mnist" "$T/pkg.log" 2>/dev/null && ok || bad "the install step did not run apt-get"
miss=
for n in $N; do
  [ -f "$T/pkg/$n.gz" ] || miss="$miss make deleted the package's $n.gz;"
  [ "$(cat "$T/data/$n" 2>/dev/null)" = "fake $n" ] || miss="$miss build data $n not unpacked;"
done
[ -z "$miss" ] && ok || bad "$miss"
# 2. package present: nothing installed, nothing removed, nothing rebuilt
rm -f "$T/pkg.log" "$T/data/t10k-labels-idx1-ubyte"
before=$(ls -l --time-style=+%s.%N "$T/pkg")
mk data >"$T/out" 2>&1 && ok || bad "make data, package present: $(tail -n 3 "$T/out")"
[ ! -f "$T/pkg.log" ] && ok || bad "apt-get ran although the package is installed: $(cat "$T/pkg.log")"
[ "$(ls -l --time-style=+%s.%N "$T/pkg")" = "$before" ] && ok || bad "the package folder changed"
[ -f "$T/data/t10k-labels-idx1-ubyte" ] && ok || bad "a missing data file was not unpacked again"
# 3. not root and no package: one clear line with the command to run, exit non-zero
rm -rf "$T/pkg" "$T/data" "$T/pkg.log"
FAKE_UID=1000 mk data >"$T/out" 2>&1 && bad "make data without the package succeeded" ||
  { grep -q "sudo apt-get install -y dataset-fashion-mnist" "$T/out" && ok || bad "no install hint: $(cat "$T/out")"; }
[ ! -e "$T/pkg.log" ] && ok || bad "apt-get ran as non-root"
# 4. with the default DATA_SRC, no rule has a target outside the repository (make's database)
env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -C "$R" -pRrq data-source 2>/dev/null | grep -v '^#' | grep -E '^/[^:=]*:' | grep -v "^$R/" >"$T/abs"
[ ! -s "$T/abs" ] && ok || bad "targets outside the repository: $(head -n 3 "$T/abs")"
finish
