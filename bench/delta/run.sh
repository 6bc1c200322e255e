#!/usr/bin/env bash
# Delta updates on the wire: for pairs of real ONNX models (v1 → v2), the bytes a device downloads
# with our delta and with our compressed full file, against zstd --patch-from, xdelta3 and zstd of
# v2 alone, all on the same files in the same run; the server's time and peak RSS to build each,
# and the device's time and peak RSS to apply each (beyond an idle JVM of the same settings).
#
# Usage: bench/delta/run.sh                 (all cases; CASES="last-layers fine-tune" for some;
#                                            SIZE_MB=10 makes every model that size, for a quick try;
#                                            LEVELS="3 6 9" builds and applies ours at each level;
#                                            RESULTS_OUT=file keeps the raw results for bench/delta/report.py)
# Needs: a built project (mvn -B -DskipTests package), python3; installs zstd and xdelta3 from Debian.
set -euo pipefail
shopt -s inherit_errexit

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CASES=${CASES:-last-layers fine-tune fp16-last-layers big-last-layers big-fine-tune}
LEVEL=${LEVEL:-6}                # zstd level of our encoder: the server's default (modelyard.delta.level)
LEVELS=${LEVELS:-$LEVEL}         # every level ours is built and applied at; the tables show LEVEL's, and all of them by level
TOOL_LEVEL=${TOOL_LEVEL:-19}     # zstd's level for zstd and zstd --patch-from: their best ratio short of --ultra
XDELTA_LEVEL=${XDELTA_LEVEL:-9}  # xdelta3's; "none" leaves xdelta3 out (on a fine-tuned 500 MB pair it takes over 20 minutes)
BUILD_HEAP=${BUILD_HEAP:-256m}   # the server's encoder JVM (the e2e tests run the server with 256m)
APPLY_HEAP=${APPLY_HEAP:-64m}    # the device's JVM
WORK=$(mktemp -d "${TMPDIR:-/tmp}/deltabench.XXXXXX")
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT

# apt-get, waiting for the package manager's lock as .ci/run does (another installer may hold it).
apt_get() {
  local deadline=$((SECONDS + 900)) out
  while :; do
    if out=$($SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=60 "$@" 2>&1); then return 0; fi
    if ! grep -qiE 'could not get lock|unable to acquire|is another process using it' <<<"$out" \
        || [ "$SECONDS" -ge "$deadline" ]; then printf '%s\n' "$out" >&2; return 1; fi
    echo "apt-get $1: the package manager is busy; waiting" >&2
    sleep 5
  done
}
SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
missing=()
command -v zstd >/dev/null 2>&1 || missing+=(zstd)
command -v xdelta3 >/dev/null 2>&1 || missing+=(xdelta3)
command -v /usr/bin/time >/dev/null 2>&1 || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}" >&2
  apt_get update -qq; apt_get install -y -qq "${missing[@]}"
fi

[ -f "$ROOT/registry-server/target/classes/dev/modelyard/server/delta/encode/DeltaEncoding.class" ] \
  || { echo "build first: mvn -B -DskipTests package" >&2; exit 1; }
# The server side: the registry's classes and their dependencies (the encoder needs no Quarkus at run time,
# but takes its classpath as the server has it). The device side: the delta module and zstd-jni only.
mvn_quiet() { mvn -B -q -o -f "$ROOT/pom.xml" "$@" > "$WORK/mvn.log" 2>&1 || { cat "$WORK/mvn.log" >&2; exit 1; }; }
mvn_quiet -pl test-support -am compile   # DeltaModels, for MakePair
mvn_quiet -pl registry-server -am compile dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" -Dmdep.includeScope=runtime
# A copy of the project's classes: a build in the tree during the run must not change what it measures.
SERVER_CP=$(tr ':' '\n' < "$WORK/cp.txt" | grep '\.jar$' | paste -sd:)
for dir in "$ROOT/registry-server/target/classes" "$ROOT/test-support/target/classes" \
    $(tr ':' '\n' < "$WORK/cp.txt" | grep -v '\.jar$'); do
  copy="$WORK/cp/$(basename "$(dirname "$(dirname "$dir")")")"
  mkdir -p "$copy"; cp -r "$dir/." "$copy/"; SERVER_CP="$copy:$SERVER_CP"
done
ZSTD_JNI=$(tr ':' '\n' < "$WORK/cp.txt" | grep -m1 'zstd-jni')
DEVICE_CP="$WORK/cp/delta:$ZSTD_JNI"
mkdir -p "$WORK/classes"
javac -d "$WORK/classes" -cp "$SERVER_CP" "$ROOT"/bench/delta/{MakePair,DeltaBuild,DeltaApply}.java

kv() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$2"; }
# Runs a command under GNU time; prints "<seconds> <peak RSS KiB>".
timed() { /usr/bin/time -f '%e %M' -o "$WORK/time.txt" "$@" >/dev/null 2>"$WORK/err.txt" \
  || { cat "$WORK/err.txt" >&2; return 1; }; cat "$WORK/time.txt"; }

RESULTS="$WORK/results.tsv"; : > "$RESULTS"
for CASE in $CASES; do
  D="$WORK/$CASE"; mkdir -p "$D/scratch"
  echo "== $CASE: making v1 and v2" >&2
  M=$(java -Xmx256m -cp "$WORK/classes:$SERVER_CP" MakePair "$CASE" "$D/v1.onnx" "$D/v2.onnx" ${SIZE_MB:-})
  V1=$(stat -c %s "$D/v1.onnx"); V2=$(stat -c %s "$D/v2.onnx")
  SHA1=$(sha256sum "$D/v1.onnx" | cut -d' ' -f1); SHA2=$(sha256sum "$D/v2.onnx" | cut -d' ' -f1)
  CHANGED=$(kv changed "$M")
  cat "$D/v1.onnx" "$D/v2.onnx" > /dev/null   # warm the page cache for every contender alike

  echo "== $CASE: generic tools" >&2
  read -r ZT ZM < <(timed zstd -q -f -"$TOOL_LEVEL" --long=31 -T1 "$D/v2.onnx" -o "$D/v2.zst")
  ZS=$(stat -c %s "$D/v2.zst"); rm -f "$D/v2.zst"
  read -r PT PM < <(timed zstd -q -f -"$TOOL_LEVEL" --long=31 -T1 --patch-from="$D/v1.onnx" "$D/v2.onnx" -o "$D/v2.patch.zst")
  PS=$(stat -c %s "$D/v2.patch.zst"); rm -f "$D/v2.patch.zst"
  # -B: a source window as large as v1, else xdelta3 only matches within its default 64 MiB window.
  WIN=$(( V1 > 16777216 ? V1 : 16777216 ))
  XS=-; XT=-; XM=-
  if [ "$XDELTA_LEVEL" != none ]; then
    read -r XT XM < <(timed xdelta3 -e -"$XDELTA_LEVEL" -f -B "$WIN" -s "$D/v1.onnx" "$D/v2.onnx" "$D/v2.xd3")
    XS=$(stat -c %s "$D/v2.xd3"); rm -f "$D/v2.xd3"
  fi

  echo "== $CASE: applying nothing (an idle device JVM, -Xmx$APPLY_HEAP)" >&2
  IDLE=$(java -Xmx"$APPLY_HEAP" -cp "$WORK/classes:$DEVICE_CP" DeltaApply idle)
  ROW="case=$CASE v1=$V1 v2=$V2 changed=$CHANGED weight_std=$(kv weight_std "$M") noise=$(kv noise "$M") \
zstd=$ZS zstd_s=$ZT zstd_kb=$ZM patch=$PS patch_s=$PT patch_kb=$PM xdelta=$XS xdelta_s=$XT xdelta_kb=$XM \
tool_level=$TOOL_LEVEL xdelta_level=$XDELTA_LEVEL idle_kb=$(kv hwm_kb "$IDLE")"
  for L in $LEVELS; do
    echo "== $CASE: our delta and compressed full file at level $L (server side -Xmx$BUILD_HEAP, device side -Xmx$APPLY_HEAP)" >&2
    B=$(java -Xmx"$BUILD_HEAP" -cp "$WORK/classes:$SERVER_CP" DeltaBuild "$D/v1.onnx" "$SHA1" "$D/v2.onnx" "$SHA2" \
        "$D/delta.mydelta" "$L" "$D/scratch")
    F=$(java -Xmx"$BUILD_HEAP" -cp "$WORK/classes:$SERVER_CP" DeltaBuild - - "$D/v2.onnx" "$SHA2" \
        "$D/full.mydelta" "$L" "$D/scratch")
    A=$(java -Xmx"$APPLY_HEAP" -cp "$WORK/classes:$DEVICE_CP" DeltaApply apply "$D/delta.mydelta" "$D/v1.onnx" "$D/out.onnx")
    [ "$(kv sha256 "$A")" = "$SHA2" ] || { echo "$CASE: the delta rebuilt another file" >&2; exit 1; }
    cmp -s "$D/out.onnx" "$D/v2.onnx" || { echo "$CASE: the rebuilt file differs from v2" >&2; exit 1; }
    rm -f "$D/out.onnx"
    AF=$(java -Xmx"$APPLY_HEAP" -cp "$WORK/classes:$DEVICE_CP" DeltaApply apply "$D/full.mydelta" - "$D/out.onnx")
    cmp -s "$D/out.onnx" "$D/v2.onnx" || { echo "$CASE: the compressed full file rebuilt another file" >&2; exit 1; }
    rm -f "$D/out.onnx" "$D/delta.mydelta" "$D/full.mydelta"
    ROW="$ROW delta_$L=$(kv size "$B") delta_method_$L=$(kv method "$B") delta_ms_$L=$(kv millis "$B") \
delta_kb_$L=$(kv hwm_kb "$B") full_$L=$(kv size "$F") full_method_$L=$(kv method "$F") full_ms_$L=$(kv millis "$F") \
full_kb_$L=$(kv hwm_kb "$F") apply_ms_$L=$(kv millis "$A") apply_kb_$L=$(kv hwm_kb "$A") \
applyfull_ms_$L=$(kv millis "$AF") applyfull_kb_$L=$(kv hwm_kb "$AF")"
  done
  printf '%s\n' "$ROW" | tee -a "$RESULTS" >&2
  rm -rf "$D"
done

[ -z "${RESULTS_OUT:-}" ] || cp "$RESULTS" "$RESULTS_OUT"
python3 "$ROOT/bench/delta/report.py" "$RESULTS" "$LEVEL" "$BUILD_HEAP" "$APPLY_HEAP"
