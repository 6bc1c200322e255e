#!/usr/bin/env bash
# Swap impact: inference latency and failed requests on the device's local API under a steady
# closed-loop load, before, during and after a swap of a ~100 MB model (1x256 input), and the time
# from the assignment to the new version answering.
#
# Usage: bench/device/swap.sh      (MODEL_MB=100, CONCURRENCY=2, STEADY=20 seconds per steady phase,
#                                   THREADS=1 intra-op threads per model, WARMUP_RUNS=1,
#                                   RATE=0 download bytes per second, 0: unlimited,
#                                   FORMAT=onnx or tflite: the model's format, and so the runtime that serves it)
# The server runs on the same machine at the lowest CPU priority, standing in for a remote one:
# what is measured is the device's own cost of a swap.
# Needs: a built project (mvn -B -DskipTests install), PostgreSQL on 127.0.0.1:5432, psql, curl, python3.
set -euo pipefail
shopt -s inherit_errexit

MODEL_MB=${MODEL_MB:-100}
CONCURRENCY=${CONCURRENCY:-2}
STEADY=${STEADY:-20}
THREADS=${THREADS:-1}
WARMUP_RUNS=${WARMUP_RUNS:-1}
RATE=${RATE:-0}
FORMAT=${FORMAT:-onnx}
HEAP=${HEAP:-64m}
DB_PREFIX=modelyard_swapbench
SERVER_NICE=19
# shellcheck source=bench/device/common.sh
source "$(dirname "$0")/common.sh"
# The flags of device-updater/dist/modelyard-updater.service, with its class-data archive.
JVM_OPTS=${JVM_OPTS:-$UPDATER_JVM_OPTS}
updater_archive

case "$FORMAT" in
  onnx) RUNTIME=onnxruntime INPUT=x MAKE=MakeMlp.java ;;
  tflite) RUNTIME=tflite INPUT=input MAKE=MakeTfliteMlp.java ;;
  *) echo "FORMAT must be onnx or tflite" >&2; exit 2 ;;
esac
for v in 1 2; do
  java -cp "$ROOT/test-support/target/classes" "$ROOT/bench/device/$MAKE" "$WORK/v$v.$FORMAT" "$MODEL_MB" "$v" "$v"
done
for v in 1 2; do
  registry release kws "$v.0.0" "$WORK/v$v.$FORMAT" --name "kws.$FORMAT" > /dev/null
done

updater_config "threads=$THREADS" "warmup.runs=$WARMUP_RUNS" "download.max.bytes.per.second=$RATE" \
  health.window=10s health.max.p99.factor=100
java -Xmx$HEAP $JVM_OPTS -Duser.timezone=UTC \
  '-Djava.util.logging.SimpleFormatter.format=%1$tT.%1$tL %5$s%6$s%n' -jar "$ROOT/device-updater/target/modelyard-updater.jar" \
  run --config "$WORK/updater.properties" > "$WORK/updater.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 60); do
  registry devices list | grep -q "runtime.$RUNTIME" && break; sleep 0.5
done
registry devices assign kws 1.0.0 --device bench-device > /dev/null
until curl -sf "http://127.0.0.1:$API_PORT/v1/models" | grep -q '"1.0.0"'; do sleep 0.2; done
sleep 12   # 1.0.0's health window ends; it is confirmed

echo "model: $FORMAT, $(stat -c %s "$WORK/v1.$FORMAT") bytes; concurrency $CONCURRENCY; threads $THREADS; warm-up runs $WARMUP_RUNS; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
java "$ROOT/bench/device/SwapLoad.java" "http://127.0.0.1:$API_PORT" "$URL" "$TOKEN" bench-device 2.0.0 "$CONCURRENCY" "$STEADY" "$INPUT"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo; echo "updater log during the swap:"
grep -E 'downloading|downloaded|verified|loaded|now served' "$WORK/updater.log" | tail -6
