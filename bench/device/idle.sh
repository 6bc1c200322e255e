#!/usr/bin/env bash
# Idle cost of the device updater: resident memory and CPU of the daemon while it polls a real
# server with nothing to do, first with no model, then with one model loaded and served.
#
# Usage: bench/device/idle.sh            (MODEL_MB=100 for a ~100 MB model; WINDOW=60 seconds measured)
# Needs: a built project (mvn -B -DskipTests install), PostgreSQL on 127.0.0.1:5432, psql, curl, python3.
set -euo pipefail
shopt -s inherit_errexit

MODEL_MB=${MODEL_MB:-1}
WINDOW=${WINDOW:-60}
HEAP=${HEAP:-64m}
# The flags of device-updater/dist/modelyard-updater.service.
JVM_OPTS=${JVM_OPTS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1}
DB_PREFIX=modelyard_devbench
# shellcheck source=bench/device/common.sh
source "$(dirname "$0")/common.sh"
updater_config threads=1
java -Xmx$HEAP $JVM_OPTS -jar "$ROOT/device-updater/target/modelyard-updater.jar" \
  run --config "$WORK/updater.properties" > "$WORK/updater.log" 2>&1 &
UPDATER=$!
PIDS+=("$UPDATER")

measure() { # $1 = label: RSS now and CPU used over WINDOW seconds
  local hz ticks0 ticks1
  hz=$(getconf CLK_TCK)
  ticks0=$(awk '{print $14 + $15}' "/proc/$UPDATER/stat")
  sleep "$WINDOW"
  ticks1=$(awk '{print $14 + $15}' "/proc/$UPDATER/stat")
  python3 - "$1" "$hz" "$ticks0" "$ticks1" "$WINDOW" "$UPDATER" <<'PY'
import sys
label, hz, t0, t1, window, pid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
status = dict(l.split(':', 1) for l in open(f'/proc/{pid}/status') if ':' in l)
rss = int(status['VmRSS'].split()[0]) // 1024
cpu = (t1 - t0) / hz
print(f"| {label} | {rss} MiB | {cpu:.2f} s in {window} s ({100 * cpu / window:.2f} % of one core) |")
PY
}

sleep 20   # start-up and the first polls are not idle
echo "| state | RSS | CPU |"
echo "|---|---|---|"
measure "no model, polling every 5 s"

java -cp "$ROOT/test-support/target/classes" "$ROOT/bench/ddi/MakeModel.java" "$WORK/model.onnx" "$MODEL_MB"
registry release kws 1.0.0 "$WORK/model.onnx" --name kws.onnx > /dev/null
t0=$(date +%s.%N)
registry devices assign kws 1.0.0 --device bench-device > /dev/null
until curl -sf "http://127.0.0.1:$API_PORT/v1/models" | grep -q '"1.0.0"'; do sleep 0.1; done
t1=$(date +%s.%N)
echo "| assignment to serving (${MODEL_MB} MB model, poll every 5 s) | $(python3 -c "print(round($t1-$t0,2))") s | |"
sleep 10
measure "one ${MODEL_MB} MB model loaded, polling every 5 s"
