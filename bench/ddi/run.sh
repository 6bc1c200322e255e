#!/usr/bin/env bash
# DDI poll throughput and latency with DEVICES registered devices (default 100000), at 32 and 128
# connections, for idle polls and for polls with an open action; then artifact download throughput.
#
# Usage: bench/ddi/run.sh                 (DEVICES=10000 DURATION=10s for a quick run)
# Needs: a built project (mvn -B -DskipTests install), PostgreSQL on 127.0.0.1:5432, psql, wrk, curl.
set -euo pipefail
shopt -s inherit_errexit

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DEVICES=${DEVICES:-100000}
DURATION=${DURATION:-20s}
MODEL_MB=${MODEL_MB:-100}
HEAP=${HEAP:-1g}
# Long enough for every device to poll once while answers come from the database (~3,000/s).
WARM=${WARM:-$(( DEVICES / 2000 + 5 ))s}
JIT_WARM=${JIT_WARM:-60s}
JAR=$ROOT/registry-server/target/quarkus-app/quarkus-run.jar
PGURL=${PGURL:-postgresql://postgres@127.0.0.1:5432}
TOKEN=bench-admin-token-0123456789abcdef
WORK=$(mktemp -d)
DB=modelyard_ddibench_$$
export DEVICES

cleanup() {
  local rc=$?
  if [ "$rc" != 0 ] || grep -q ' ERROR ' "$WORK/server.log" 2>/dev/null; then
    echo "--- server log (last 60 lines) ---" >&2; tail -n 60 "$WORK/server.log" >&2 || true
  fi
  [ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  psql -q "$PGURL/postgres" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
[ -f "$JAR" ] || { echo "build first: mvn -B -DskipTests install" >&2; exit 1; }

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT
psql -q "$PGURL/postgres" -c "CREATE DATABASE $DB" >/dev/null
# The per-device rate limit (default 50/s) is made for real devices, which poll every few minutes;
# with DEVICES=1000 the load generator polls each device ~30 times a second, so the bench turns it off.
QUARKUS_HTTP_PORT=$PORT QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:5432/$DB" \
  MODELYARD_DATA_DIR="$WORK/data" MODELYARD_ADMIN_TOKEN=$TOKEN QUARKUS_LOG_LEVEL=WARN \
  MODELYARD_LIMITS_DDI_PER_DEVICE_PER_SECOND=0 \
  java -Xmx$HEAP -jar "$JAR" > "$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 120); do curl -sf "$URL/q/health/ready" >/dev/null && break; sleep 0.5; done
# Fixtures go through the CLI (the API client), as a user would make them.
modelyard() { MODELYARD_SERVER=$URL MODELYARD_TOKEN=$TOKEN java -jar "$ROOT/cli/target/modelyard-cli.jar" "$@"; }

echo "registering $DEVICES devices" >&2
psql -q "$PGURL/$DB" <<SQL
INSERT INTO device (tenant, controller_id, token_hash, token_hint, status, attributes, attributes_requested, created_at, updated_at)
SELECT 'default', 'dev-' || i, encode(sha256(convert_to('tok-' || i, 'UTF8')), 'hex'), 'tok-', 'REGISTERED',
       '{"arch":"x86_64","accelerators":"cpu","runtime.onnxruntime":"1.23.2","memory.mb":"4096","disk.free.mb":"10000","os":"linux"}',
       false, now(), now()
FROM generate_series(1, $DEVICES) AS i;
INSERT INTO device_tag (device_id, tag) SELECT id, 'bench' FROM device;
ANALYZE;
SQL

# Every device polls once (each first poll reads the database), then the load runs a minute so
# that the JIT compiler has done its work: measurements start from a fleet's steady state.
warm_up() {
  wrk -t2 -c32 -d"$WARM" -s "$ROOT/bench/ddi/warm.lua" "$URL" > /dev/null
  wrk -t2 -c32 -d"$JIT_WARM" -s "$ROOT/bench/ddi/poll.lua" "$URL" > /dev/null
}

poll() { # $1 = label, $2 = connections
  wrk -t2 -c"$2" -d"$DURATION" --latency -s "$ROOT/bench/ddi/poll.lua" "$URL" | grep RESULT | sed "s/^RESULT/$1 c=$2/"
}

if [ -z "${SKIP_IDLE:-}" ]; then
  echo "warming up" >&2
  warm_up
  poll idle 32
  poll idle 128
fi

echo "deploying a ${MODEL_MB} MB model to every device" >&2
java -cp "$ROOT/test-support/target/classes" "$ROOT/bench/ddi/MakeModel.java" "$WORK/bench.onnx" "$MODEL_MB"
ART=$(modelyard release bench 1.0.0 "$WORK/bench.onnx" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
t0=$(date +%s.%N)
modelyard devices assign bench 1.0.0 --tag bench \
  | python3 -c 'import json,sys; d=json.load(sys.stdin); print("assigned", d.get("assigned"), "failed", d.get("failed"))' >&2
t1=$(date +%s.%N)
echo "assignment of $DEVICES devices took $(python3 -c "print(round($t1-$t0,1))") s" >&2
# Every device's answer changed: each one's next poll reads the database again.
warm_up
poll open-action 32
poll open-action 128

echo "downloads" >&2
cat > "$WORK/download.lua" <<LUA
request = function()
  return wrk.format("GET", "/default/controller/v1/dev-1/softwaremodules/$ART/artifacts/bench.onnx",
    { ["Authorization"] = "TargetToken tok-1" })
end
LUA
for c in 1 4; do
  wrk -t1 -c$c -d"$DURATION" -s "$WORK/download.lua" "$URL" | awk -v c=$c '/Transfer\/sec/ {print "download c=" c " transfer/sec=" $2}'
done
curl -s -o /dev/null -w 'download single curl speed_bytes_per_s=%{speed_download}\n' -H "Authorization: TargetToken tok-1" \
  "$URL/default/controller/v1/dev-1/softwaremodules/$ART/artifacts/bench.onnx"
echo "server RSS MiB: $(awk '/VmHWM/ {print int($2/1024)}' /proc/$SERVER_PID/status)"
