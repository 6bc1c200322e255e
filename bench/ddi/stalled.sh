#!/usr/bin/env bash
# DDI poll and API latency while STALLED uploads (default 200) are held open, next to the same
# measurements without them, in one run; then the same against the server configured as before
# the limits (30-minute timeouts, no upload caps) for comparison.
#
# Usage: bench/ddi/stalled.sh             (DURATION=15s per measurement, DEVICES=1000)
# Needs: the packaged server and CLI (mvn -B -pl registry-server,cli -am package -DskipTests),
# PostgreSQL on 127.0.0.1:5432, psql, wrk, curl, python3.
set -euo pipefail
shopt -s inherit_errexit

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DEVICES=${DEVICES:-1000}
DURATION=${DURATION:-15s}
STALLED=${STALLED:-200}
JIT_WARM=${JIT_WARM:-30s}
HEAP=${HEAP:-1g}
JAR=$ROOT/registry-server/target/quarkus-app/quarkus-run.jar
PGURL=${PGURL:-postgresql://postgres@127.0.0.1:5432}
TOKEN=bench-admin-token-0123456789abcdef
GATEWAY=bench-gateway-token-0123456789abcdef
WORK=$(mktemp -d)
export DEVICES GATEWAY TOKEN

cleanup() {
  [ -n "${STALL_PID:-}" ] && kill "$STALL_PID" 2>/dev/null || true
  [ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  [ -n "${DB:-}" ] && psql -q "$PGURL/postgres" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
[ -f "$JAR" ] && [ -f "$ROOT/cli/target/modelyard-cli.jar" ] || { echo "package the server and CLI first: mvn -B -pl registry-server,cli -am package -DskipTests" >&2; exit 1; }

# $1 = label; the rest: extra environment for the server.
start_server() {
  DB=modelyard_stallbench_$$_$1
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  URL=http://127.0.0.1:$PORT
  psql -q "$PGURL/postgres" -c "CREATE DATABASE $DB" >/dev/null
  shift
  # The load generators poll each device ~30 times a second and read the API thousands of times a
  # second with one token, far above the default rate limits (made for real fleets): the bench
  # turns those limits off and measures the upload limits alone.
  env "$@" QUARKUS_HTTP_PORT=$PORT QUARKUS_HTTP_HOST=127.0.0.1 \
    QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:5432/$DB" \
    MODELYARD_DATA_DIR="$WORK/data-$PORT" MODELYARD_ADMIN_TOKEN=$TOKEN MODELYARD_DDI_GATEWAY_TOKEN=$GATEWAY \
    MODELYARD_LIMITS_DDI_PER_DEVICE_PER_SECOND=0 MODELYARD_LIMITS_API_PER_TOKEN_PER_SECOND=0 \
    MODELYARD_LIMITS_API_PER_ADDRESS_PER_SECOND=0 QUARKUS_LOG_LEVEL=WARN \
    java -Xmx$HEAP -jar "$JAR" > "$WORK/server-$PORT.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 120); do curl -sf "$URL/q/health/ready" >/dev/null && break; sleep 0.5; done
  psql -q "$PGURL/$DB" <<SQL
INSERT INTO device (tenant, controller_id, token_hash, token_hint, status, attributes, attributes_requested, created_at, updated_at)
SELECT 'default', 'dev-' || i, encode(sha256(convert_to('tok-' || i, 'UTF8')), 'hex'), 'tok-', 'REGISTERED',
       '{"arch":"x86_64","os":"linux"}', false, now(), now()
FROM generate_series(1, $DEVICES) AS i;
ANALYZE;
SQL
  modelyard models create bench > /dev/null
  modelyard models create-version bench 1.0.0 > /dev/null
  TOKENS=()
  for i in $(seq 25); do
    TOKENS+=("$(modelyard tokens create "pipeline-$i" --role publisher | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')")
  done
  wrk -t2 -c32 -d"$JIT_WARM" -s "$ROOT/bench/ddi/poll.lua" "$URL" > /dev/null
}

stop_server() {
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=
  psql -q "$PGURL/postgres" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
}

# Fixtures go through the CLI (the API client), as a user would make them.
modelyard() { MODELYARD_SERVER=$URL MODELYARD_TOKEN=$TOKEN java -jar "$ROOT/cli/target/modelyard-cli.jar" "$@"; }

RUN=0
measure() { # $1 = label
  RUN=$((RUN + 1)); export RUN
  wrk -t2 -c32 -d"$DURATION" --timeout 30s --latency -s "$ROOT/bench/ddi/poll.lua" "$URL" | grep RESULT | sed "s/^RESULT/$1 cached-poll c=32/"
  wrk -t2 -c8 -d"$DURATION" --timeout 30s --latency -s "$ROOT/bench/ddi/first-poll.lua" "$URL" | grep RESULT | sed "s/^RESULT/$1 first-poll c=8/"
  wrk -t2 -c8 -d"$DURATION" --timeout 30s --latency -s "$ROOT/bench/ddi/api-read.lua" "$URL" | grep RESULT | sed "s/^RESULT/$1 api-read c=8/"
}

with_stalled() { # $1 = label
  python3 "$ROOT/bench/ddi/stalled.py" "$PORT" bench "$STALLED" "${TOKENS[@]}" > "$WORK/stalled.log" 2>&1 &
  STALL_PID=$!
  sleep 5
  measure "$1"
  kill "$STALL_PID"; wait "$STALL_PID" 2>/dev/null || true; STALL_PID=
  tail -n 1 "$WORK/stalled.log" | sed "s/^/$1 /"
}

echo "limits on (this server's defaults)" >&2
start_server limits
measure "limits no-stalls"
with_stalled "limits $STALLED-stalled"
grep -c ' ERROR ' "$WORK/server-$PORT.log" | sed 's/^/limits server-log-errors=/' || true
stop_server

echo "as before the limits: 30-minute timeouts, no upload caps, no minimum rate" >&2
start_server before QUARKUS_HTTP_IDLE_TIMEOUT=30M QUARKUS_HTTP_READ_TIMEOUT=30M \
  MODELYARD_LIMITS_UPLOADS_MAX_CONCURRENT=100000 MODELYARD_LIMITS_UPLOADS_PER_TOKEN=100000 \
  MODELYARD_LIMITS_UPLOADS_PER_ADDRESS=100000 MODELYARD_LIMITS_BODIES_MIN_RATE=0
measure "before no-stalls"
with_stalled "before $STALLED-stalled"
stop_server
