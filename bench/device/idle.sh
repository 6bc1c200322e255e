#!/usr/bin/env bash
# Idle cost of the device updater: resident memory and CPU of the daemon while it polls a real
# server with nothing to do, first with no model, then with one model loaded and served; and its
# start-up time (to the local API answering, and to the first poll answered).
#
# Usage: bench/device/idle.sh            (MODEL_MB=100 for a ~100 MB model; WINDOW=60 seconds measured;
#                                         JVM_OPTS=… other flags than the systemd unit's;
#                                         CLASSLIST_OUT=FILE writes the classes the daemon loads, which is
#                                         how device-updater/dist/modelyard-updater.classlist is made)
# Needs: a built project (mvn -B -DskipTests install), PostgreSQL on 127.0.0.1:5432, psql, curl, python3.
set -euo pipefail
shopt -s inherit_errexit

MODEL_MB=${MODEL_MB:-1}
WINDOW=${WINDOW:-60}
HEAP=${HEAP:-64m}
DB_PREFIX=modelyard_devbench
# shellcheck source=bench/device/common.sh
source "$(dirname "$0")/common.sh"
# The flags of device-updater/dist/modelyard-updater.service, and its class-data archive made as its
# ExecStartPre makes it (a list being recorded is recorded without an archive: every class is loaded).
# The list keeps the classes loaded up to the end of the idle window, not the model's: this JVM maps
# the archive at a random address and so touches every page of it, and a class a device without a
# model never uses would cost it memory all the same.
if [ -n "${CLASSLIST_OUT:-}" ]; then
  JVM_OPTS=${JVM_OPTS:-${UPDATER_JVM_OPTS% -XX:SharedArchiveFile=*} -XX:DumpLoadedClassList=$WORK/loaded.classlist}
else
  JVM_OPTS=${JVM_OPTS:-$UPDATER_JVM_OPTS}
  updater_archive
fi
updater_config threads=1
t0=$(date +%s.%N)
java -Xmx$HEAP $JVM_OPTS -jar "$ROOT/device-updater/target/modelyard-updater.jar" \
  run --config "$WORK/updater.properties" > "$WORK/updater.log" 2>&1 &
UPDATER=$!
PIDS+=("$UPDATER")
until curl -sf "http://127.0.0.1:$API_PORT/healthz" > /dev/null; do sleep 0.05; done
t_api=$(date +%s.%N)
until grep -q "next poll in" "$WORK/updater.log"; do sleep 0.05; done
t_poll=$(date +%s.%N)

rss_mib() { awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$UPDATER/status"; }
measure() { # $1 = label: RSS now and CPU used over WINDOW seconds
  local hz ticks0 ticks1
  hz=$(getconf CLK_TCK)
  ticks0=$(awk '{print $14 + $15}' "/proc/$UPDATER/stat")
  sleep "$WINDOW"
  ticks1=$(awk '{print $14 + $15}' "/proc/$UPDATER/stat")
  python3 - "$1" "$hz" "$ticks0" "$ticks1" "$WINDOW" "$(rss_mib)" <<'PY'
import sys
label, hz, t0, t1, window, rss = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
cpu = (t1 - t0) / hz
print(f"| {label} | {rss} MiB | {cpu:.2f} s in {window} s ({100 * cpu / window:.2f} % of one core) |")
PY
}

echo "| state | RSS | CPU |"
echo "|---|---|---|"
echo "| start-up: local API answering, first poll answered | $(python3 -c "print(f'{$t_api-$t0:.2f} s, {$t_poll-$t0:.2f} s')") | |"
sleep 20   # start-up and the first polls are not idle
measure "no model, polling every 5 s"
if [ -n "${CLASSLIST_OUT:-}" ]; then cp "$WORK/loaded.classlist" "$CLASSLIST_OUT"; fi

java -cp "$ROOT/test-support/target/classes" "$ROOT/bench/ddi/MakeModel.java" "$WORK/model.onnx" "$MODEL_MB"
registry release kws 1.0.0 "$WORK/model.onnx" --name kws.onnx > /dev/null
t0=$(date +%s.%N)
registry devices assign kws 1.0.0 --device bench-device > /dev/null
until curl -sf "http://127.0.0.1:$API_PORT/v1/models" | grep -q '"1.0.0"'; do sleep 0.1; done
t1=$(date +%s.%N)
echo "| assignment to serving (${MODEL_MB} MB model, poll every 5 s) | $(python3 -c "print(round($t1-$t0,2))") s | |"
sleep 10
measure "one ${MODEL_MB} MB model loaded, polling every 5 s"
# What the model brings with it, from the daemon's memory map: the runtime's native library (its
# resident pages) and the model's weights, which ONNX Runtime holds in memory (about the file's size).
python3 - "$UPDATER" "$WORK/model.onnx" "$(rss_mib)" <<'PY'
import os, re, sys
pid, model, rss = sys.argv[1], sys.argv[2], float(sys.argv[3])
lib, name = 0, None
for line in open(f'/proc/{pid}/smaps'):
    if re.match(r'^[0-9a-f]+-[0-9a-f]+ ', line):
        parts = line.split()
        name = parts[5] if len(parts) > 5 else ''
    elif line.startswith('Rss:') and re.search(r'onnxruntime|tensorflowlite|tflite', name or ''):
        lib += int(line.split()[1])
lib_mib, model_mib = lib / 1024, os.path.getsize(model) / 1048576
print(f"| one model loaded, minus the runtime's library ({lib_mib:.1f} MiB resident) and the model ({model_mib:.1f} MiB) | {rss - lib_mib - model_mib:.1f} MiB | |")
PY
