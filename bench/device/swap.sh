#!/usr/bin/env bash
# Swap impact: inference latency and failed requests on the device's local API under a steady
# closed-loop load, before, during and after a swap of a ~100 MB model (1x256 input), and the time
# from the assignment to the new version answering.
#
# Usage: bench/device/swap.sh      (MODEL_MB=100, CONCURRENCY=2, STEADY=20 seconds per steady phase,
#                                   THREADS=1 intra-op threads per model, WARMUP_RUNS=1,
#                                   RATE=0 download bytes per second, 0: unlimited)
# The server runs on the same machine at the lowest CPU priority, standing in for a remote one:
# what is measured is the device's own cost of a swap.
# Needs: a built project (mvn -B -DskipTests install), PostgreSQL on 127.0.0.1:5432, psql, curl, python3.
set -euo pipefail
shopt -s inherit_errexit

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MODEL_MB=${MODEL_MB:-100}
CONCURRENCY=${CONCURRENCY:-2}
STEADY=${STEADY:-20}
THREADS=${THREADS:-1}
WARMUP_RUNS=${WARMUP_RUNS:-1}
RATE=${RATE:-0}
HEAP=${HEAP:-64m}
# The flags of device-updater/dist/modelyard-updater.service.
JVM_OPTS=${JVM_OPTS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1}
PGURL=${PGURL:-postgresql://postgres@127.0.0.1:5432}
TOKEN=bench-admin-token-0123456789abcdef
WORK=$(mktemp -d)
DB=modelyard_swapbench_$$
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  sleep 1
  psql -q "$PGURL/postgres" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
api() { curl -sS --fail-with-body -H "Authorization: Bearer $TOKEN" "$@"; }
cli() { (cd "$WORK" && java -jar "$ROOT/cli/target/modelyard-cli.jar" "$@" > /dev/null); }

cli keys generate --out root-key.json
cli keys generate --out release-key.json
cli root init --root-key root-key.json --release-key release-key.json --out 1.root.json

PORT=$(free_port); URL=http://127.0.0.1:$PORT
psql -q "$PGURL/postgres" -c "CREATE DATABASE $DB" >/dev/null
QUARKUS_HTTP_PORT=$PORT QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:5432/$DB" \
  MODELYARD_DATA_DIR="$WORK/server" MODELYARD_ADMIN_TOKEN=$TOKEN MODELYARD_SIGNING_RELEASE_KEY_FILE="$WORK/release-key.json" \
  QUARKUS_LOG_LEVEL=WARN nice -n 19 java -Xmx512m -jar "$ROOT/registry-server/target/quarkus-app/quarkus-run.jar" > "$WORK/server.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 120); do curl -sf "$URL/q/health/ready" >/dev/null && break; sleep 0.5; done
api -H 'Content-Type: application/json' --data-binary @"$WORK/1.root.json" "$URL/api/v1/trust/roots" > /dev/null
DEVICE_TOKEN=$(api -H 'Content-Type: application/json' -d '{"controllerId":"bench-device"}' "$URL/api/v1/devices" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

for v in 1 2; do
  java -cp "$ROOT/device-updater/target/test-classes" "$ROOT/bench/device/MakeMlp.java" "$WORK/v$v.onnx" "$MODEL_MB" "$v" "$v"
done
api -H 'Content-Type: application/json' -d '{"name":"kws"}' "$URL/api/v1/models" > /dev/null
for v in 1 2; do
  api -H 'Content-Type: application/json' -d "{\"version\":\"$v.0.0\"}" "$URL/api/v1/models/kws/versions" > /dev/null
  api -X PUT -H 'Expect:' -H 'Content-Type: application/octet-stream' -T "$WORK/v$v.onnx" \
    "$URL/api/v1/models/kws/versions/$v.0.0/artifacts/kws.onnx" > /dev/null
  api -X POST "$URL/api/v1/models/kws/versions/$v.0.0/publish" > /dev/null
done

API_PORT=$(free_port)
cat > "$WORK/updater.properties" <<CONF
server.url=$URL
controller.id=bench-device
token=$DEVICE_TOKEN
trust.bundle=1.root.json
data.dir=device
api.address=127.0.0.1:$API_PORT
poll.override=5s
threads=$THREADS
warmup.runs=$WARMUP_RUNS
download.max.bytes.per.second=$RATE
health.window=10s
health.max.p99.factor=100
CONF
java -Xmx$HEAP $JVM_OPTS -Duser.timezone=UTC \
  '-Djava.util.logging.SimpleFormatter.format=%1$tT.%1$tL %5$s%6$s%n' -jar "$ROOT/device-updater/target/modelyard-updater.jar" \
  run --config "$WORK/updater.properties" > "$WORK/updater.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 60); do
  api "$URL/api/v1/devices/bench-device" | grep -q runtime.onnxruntime && break; sleep 0.5
done
api -H 'Content-Type: application/json' -d '{"model":"kws","version":"1.0.0","device":"bench-device"}' "$URL/api/v1/deployments" > /dev/null
until curl -sf "http://127.0.0.1:$API_PORT/v1/models" | grep -q '"1.0.0"'; do sleep 0.2; done
sleep 12   # 1.0.0's health window ends; it is confirmed

echo "model: $(stat -c %s "$WORK/v1.onnx") bytes; concurrency $CONCURRENCY; threads $THREADS; warm-up runs $WARMUP_RUNS; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
java "$ROOT/bench/device/SwapLoad.java" "http://127.0.0.1:$API_PORT" "$URL" "$TOKEN" bench-device 2.0.0 "$CONCURRENCY" "$STEADY"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo; echo "updater log during the swap:"
grep -E 'downloading|downloaded|verified|loaded|now served' "$WORK/updater.log" | tail -6
