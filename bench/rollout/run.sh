#!/usr/bin/env bash
# A rollout of a tiny ONNX model to DEVICES simulated DDI devices (default 100000), once with devices
# that only poll and once with MQTT push hints: total time, server CPU and RSS, database growth, poll
# latency during the rollout, and per phase the time from the phase starting to the devices starting
# their downloads.
#
# Usage: bench/rollout/run.sh              (DEVICES=10000 POLL=30 for a quick run; MODES="mqtt" for one mode)
# Needs: a built project (mvn -B -DskipTests package), PostgreSQL on 127.0.0.1:5432, psql, curl, python3,
#        and for the MQTT mode a broker on 127.0.0.1:1883 (Mosquitto).
set -euo pipefail
shopt -s inherit_errexit

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export DEVICES=${DEVICES:-100000}
export POLL=${POLL:-60}                # seconds between a device's polls
export PHASES=${PHASES:-1%,10%,100%}
MODES=${MODES:-polling mqtt}
HEAP=${HEAP:-1g}
FLEET_HEAP=${FLEET_HEAP:-1g}
BROKER=${BROKER:-tcp://127.0.0.1:1883}
JAR=${JAR:-$ROOT/registry-server/target/quarkus-app/quarkus-run.jar}
PGURL=${PGURL:-postgresql://postgres@127.0.0.1:5432}
export TOKEN=bench-admin-token-0123456789abcdef
WORK=$(mktemp -d)
export CLK_TCK=$(getconf CLK_TCK)

cleanup() {
  local rc=$?
  stop_server
  if [ "$rc" != 0 ]; then
    echo "--- server log (last 60 lines) ---" >&2; tail -n 60 "$WORK"/server-*.log >&2 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
stop_server() {
  if [ -n "${SERVER_PID:-}" ]; then kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true; fi
  SERVER_PID=
  if [ -n "${DB:-}" ]; then psql -q "$PGURL/postgres" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true; fi
  DB=
}
trap cleanup EXIT
[ -f "$JAR" ] || { echo "build first: mvn -B -DskipTests package" >&2; exit 1; }

# The simulator's classpath: test-support and what it needs (compiled by the build above).
mvn -B -q -o -f "$ROOT/pom.xml" -pl test-support -am compile dependency:build-classpath \
  -Dmdep.outputFile="$WORK/cp.txt" -Dmdep.includeScope=runtime >/dev/null
CP="$ROOT/test-support/target/classes:$ROOT/api-client/target/classes:$ROOT/wire/target/classes:$(cat "$WORK/cp.txt")"

for MODE in $MODES; do
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  export SERVER=http://127.0.0.1:$PORT
  DB=modelyard_rolloutbench_$$_$MODE
  psql -q "$PGURL/postgres" -c "CREATE DATABASE $DB" >/dev/null
  export JDBC="jdbc:postgresql://127.0.0.1:5432/$DB"
  PUSH=()
  export MQTT=
  if [ "$MODE" = mqtt ]; then
    # Push on; its pacing is a safety net under the rollout's own rate, which this rollout does not set.
    PUSH=(MODELYARD_PUSH_MQTT_URL=$BROKER MODELYARD_PUSH_MAX_PER_SECOND=${PUSH_PER_SECOND:-20000})
    export MQTT=$BROKER
  fi
  env QUARKUS_HTTP_PORT=$PORT QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_DATASOURCE_JDBC_URL="$JDBC" \
    MODELYARD_DATA_DIR="$WORK/data-$MODE" MODELYARD_ADMIN_TOKEN=$TOKEN QUARKUS_LOG_LEVEL=WARN \
    MODELYARD_ROLLOUT_BATCH_SIZE=${BATCH:-1000} "${PUSH[@]}" \
    java -Xmx$HEAP -jar "$JAR" > "$WORK/server-$MODE.log" 2>&1 &
  SERVER_PID=$!
  export SERVER_PID
  for _ in $(seq 240); do curl -sf "$SERVER/q/health/ready" >/dev/null && break; sleep 0.5; done
  echo "== $MODE: server $SERVER_PID on $PORT" >&2
  # On a 2-core machine the common pool has one thread, and the JDK's HTTP client then starts a thread
  # for every response it completes; a pool of its own keeps the simulator's cost per request small.
  LABEL="$MODE" java -Xmx$FLEET_HEAP -Djava.util.concurrent.ForkJoinPool.common.parallelism=4 -cp "$CP" "$ROOT/bench/rollout/RolloutBench.java"
  stop_server
done
