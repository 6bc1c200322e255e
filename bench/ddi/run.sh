#!/usr/bin/env bash
# DDI poll throughput and latency with DEVICES registered devices (default 100000), at CONNECTIONS
# (default 32 and 128), next to nginx serving each device's poll answer as a static file from the
# same URL, in the same run; the cold pass (every device's first poll); server heap and RSS with
# every device cached; PostgreSQL size per device; polls with an open action; artifact downloads.
#
# Usage: bench/ddi/run.sh                 (DEVICES=10000 DURATION=5s for a quick run)
#   DEVICES=1000000 SKIP_ACTION=1 bench/ddi/run.sh      the million-device row
#   PROFILE=1 FLAME=bench/ddi/flame.svg bench/ddi/run.sh a flame graph of the cached poll under load
# Knobs: DEVICES, DURATION (per measurement), CONNECTIONS ("32 128"), HEAP (server -Xmx), JIT_WARM,
#   NGINX (0: no nginx column), SKIP_IDLE, SKIP_ACTION (no assignment, open-action polls, downloads),
#   COLD_MAX (seconds: stop the cold pass early on a slow machine), STATIC_DIR (nginx's files; /dev/shm), MODEL_MB, PROFILE, PROFILER (async|jfr), FLAME (the SVG), SERVER_ENV (extra server environment,
#   e.g. "MODELYARD_DDI_POLL_CACHE_SIZE=200000"), SERVER_JAVA_OPTS (extra JVM options for the server,
#   e.g. "-Xlog:gc:file=/tmp/gc.log" for a collector log).
# Needs: the packaged server and CLI (mvn -B -pl registry-server,cli -am package -DskipTests),
# PostgreSQL on 127.0.0.1:5432, psql, wrk, curl, python3, nginx (for the nginx column), jcmd.
set -euo pipefail
shopt -s inherit_errexit

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BENCH=$ROOT/bench/ddi
DEVICES=${DEVICES:-100000}
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-32 128}
MODEL_MB=${MODEL_MB:-100}
HEAP=${HEAP:-1g}
JIT_WARM=${JIT_WARM:-60s}
NGINX=${NGINX:-1}
PROFILE=${PROFILE:-0}
FLAME=${FLAME:-$BENCH/flame.svg}
STATIC_DIR=${STATIC_DIR:-$( [ -d /dev/shm ] && [ -w /dev/shm ] && echo /dev/shm || echo "${TMPDIR:-/tmp}")}
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
  [ -n "${NGINX_PID:-}" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null || true
  [ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  psql -q "$PGURL/postgres" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK" "${NGX:-}"
}
trap cleanup EXIT
[ -f "$JAR" ] && [ -f "$ROOT/cli/target/modelyard-cli.jar" ] || { echo "package the server and CLI first: mvn -B -pl registry-server,cli -am package -DskipTests" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
load() { cut -d' ' -f1 /proc/loadavg; }
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) before the run" >&2

PORT=$(free_port)
URL=http://127.0.0.1:$PORT
psql -q "$PGURL/postgres" -c "CREATE DATABASE $DB" >/dev/null
# The per-device rate limit (default 50/s, a burst of 500) is made for real devices, which poll every
# few minutes; with fewer than 10,000 devices the load generator polls each device tens of times a
# second, so the bench turns it off there. With more, it stays on, as in production: its cost is measured.
DEVICE_LIMIT=$([ "$DEVICES" -lt 10000 ] && echo 0 || echo 50)
# shellcheck disable=SC2086 # SERVER_ENV is a list of NAME=value words
env ${SERVER_ENV:-} QUARKUS_HTTP_PORT=$PORT QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:5432/$DB" \
  MODELYARD_DATA_DIR="$WORK/data" MODELYARD_ADMIN_TOKEN=$TOKEN QUARKUS_LOG_LEVEL=WARN \
  MODELYARD_LIMITS_DDI_PER_DEVICE_PER_SECOND=$DEVICE_LIMIT \
  java -Xmx$HEAP ${SERVER_JAVA_OPTS:-} -jar "$JAR" > "$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 120); do curl -sf "$URL/q/health/ready" >/dev/null && break; sleep 0.5; done
# Fixtures go through the CLI (the API client), as a user would make them.
modelyard() { MODELYARD_SERVER=$URL MODELYARD_TOKEN=$TOKEN java -jar "$ROOT/cli/target/modelyard-cli.jar" "$@"; }

echo "registering $DEVICES devices" >&2
t0=$(date +%s.%N)
# The device table's plain indexes and the tag table's foreign key are dropped for the insert and
# made again after it, with their own definitions (building an index or checking a key once is much
# faster than a million insertions or checks).
psql -q "$PGURL/$DB" <<SQL
CREATE TEMP TABLE bench_index AS SELECT indexname, indexdef FROM pg_indexes i
  WHERE tablename = 'device' AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname);
DO \$\$ DECLARE r record; BEGIN
  FOR r IN SELECT * FROM bench_index LOOP EXECUTE 'DROP INDEX ' || quote_ident(r.indexname); END LOOP;
END \$\$;
INSERT INTO device (tenant, controller_id, token_hash, token_hint, status, attributes, attributes_requested, created_at, updated_at)
SELECT 'default', 'dev-' || i, encode(sha256(convert_to('tok-' || i, 'UTF8')), 'hex'), 'tok-', 'REGISTERED',
       '{"arch":"x86_64","accelerators":"cpu","runtime.onnxruntime":"1.23.2","memory.mb":"4096","disk.free.mb":"10000","os":"linux"}',
       false, now(), now()
FROM generate_series(1, $DEVICES) AS i;
DO \$\$ DECLARE r record; BEGIN
  FOR r IN SELECT * FROM bench_index LOOP EXECUTE r.indexdef; END LOOP;
END \$\$;
CREATE TEMP TABLE bench_fk AS SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
  WHERE conrelid = 'device_tag'::regclass AND contype = 'f';
DO \$\$ DECLARE r record; BEGIN
  FOR r IN SELECT * FROM bench_fk LOOP EXECUTE format('ALTER TABLE device_tag DROP CONSTRAINT %I', r.conname); END LOOP;
END \$\$;
INSERT INTO device_tag (device_id, tag) SELECT id, 'bench' FROM device;
DO \$\$ DECLARE r record; BEGIN
  FOR r IN SELECT * FROM bench_fk LOOP EXECUTE format('ALTER TABLE device_tag ADD CONSTRAINT %I %s', r.conname, r.def); END LOOP;
END \$\$;
ANALYZE;
SQL
t1=$(date +%s.%N)
echo "setup devices=$DEVICES insert_s=$(python3 -c "print(round($t1-$t0,1))")"
psql -qtA "$PGURL/$DB" -c "SELECT format('postgres devices=%s device_bytes_per_device=%s with_tags_bytes_per_device=%s',
    count(*), pg_total_relation_size('device') / count(*),
    (pg_total_relation_size('device') + pg_total_relation_size('device_tag')) / count(*)) FROM device"

# The cold pass: every device polls once, in order, each poll the device's first (the answer is
# read from the database and cached). One wrk thread hands out the devices; the pass runs in
# segments, each starting where the previous one stopped, the last one sized to what remains.
cold_pass() { # $1 = label
  local first=1 seg=${COLD_SEGMENT:-20} rate=0 line next
  : > "$WORK/cold"
  local started=$SECONDS
  while [ "$first" -le "$DEVICES" ]; do
    if [ -n "${COLD_MAX:-}" ] && [ $((SECONDS - started)) -ge "$COLD_MAX" ]; then
      echo "cold pass stopped after COLD_MAX=${COLD_MAX}s: devices 1..$((first - 1)) warmed" >&2; break
    fi
    if [ "$rate" -gt 0 ]; then seg=$(( (DEVICES - first + 1) / rate + 2 )); [ "$seg" -le "${COLD_SEGMENT:-20}" ] || seg=${COLD_SEGMENT:-20}; fi
    [ "$first" -gt 1 ] || [ "$seg" -le 3 ] || seg=3 # a first short segment measures the rate
    line=$(FIRST=$first wrk -t1 -c32 -d${seg}s --timeout 30s --latency -s "$BENCH/cold.lua" "$URL")
    next=$(sed -n 's/^NEXT //p' <<< "$line")
    grep '^RESULT' <<< "$line" | sed "s/^RESULT/segment first=$first next=$next seconds=$seg/" >> "$WORK/cold"
    rate=$(( (next - first) / seg ))
    first=$next
  done
  python3 - "$1" "$WORK/cold" "$DEVICES" "$(load)" <<'PY'
import re, sys
label, path, devices, load = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
rows = [dict(re.findall(r"(\w+)=([\d.]+)", line)) for line in open(path)]
warmed = int(rows[-1]["next"]) - 1
secs = sum(float(r["seconds"]) for r in rows)
# The segment that ended the pass stopped early (wrk still reports its whole length).
full = (rows[:-1] if warmed >= devices else rows) or rows
rate = sum(float(r["requests"]) for r in full) / sum(float(r["seconds"]) for r in full)
answered = [r for r in rows if int(r["requests"]) > 0]
p50 = sorted(float(r["p50_ms"]) for r in answered)
p99 = sorted(float(r["p99_ms"]) for r in answered)
errors = sum(int(r["errors"]) for r in rows)
print("%s devices=%d warmed=%d seconds<=%.0f polls_per_s=%.0f p50_ms_median_segment=%.2f p99_ms_median_segment=%.2f p99_ms_worst_segment=%.2f errors=%d load=%s"
      % (label, devices, min(warmed, devices), secs, rate, p50[len(p50) // 2], p99[len(p99) // 2], p99[-1], errors, load))
PY
}

poll() { # $1 = label, $2 = connections, $3 = URL
  local line
  line=$(wrk -t2 -c"$2" -d"$DURATION" --latency -s "$BENCH/poll.lua" "$3" | grep RESULT)
  echo "$1 c=$2 ${line#RESULT } load=$(load)"
}

memory() { # $1 = label: heap in use, the live heap after a full collection, and the process's RSS
  local used live
  used=$(jcmd "$SERVER_PID" GC.heap_info | grep -o 'used [0-9]*K' | head -1 | tr -dc 0-9)
  jcmd "$SERVER_PID" GC.run > /dev/null
  live=$(jcmd "$SERVER_PID" GC.heap_info | grep -o 'used [0-9]*K' | head -1 | tr -dc 0-9)
  echo "memory $1 heap_used_mib=$((used / 1024)) heap_live_after_gc_mib=$((live / 1024)) rss_mib=$(awk '/VmRSS/ {print int($2/1024)}' /proc/$SERVER_PID/status) heap_max=$HEAP"
}

# nginx serving each device's poll answer as a static file at the poll's own path: the answers
# are Modelyard's (a sample device's answer with each device's controller id), checked byte for
# byte against Modelyard's for 100 random devices. Its own prefix, configuration and port.
start_nginx() {
  # On tmpfs where there is one: a million small files are written in a minute and removed in
  # seconds there (on disk, removing them took 20 minutes), and nginx's reads are from memory,
  # as they would be from the page cache of a server whose answers are hot.
  NGX=$(mktemp -d -p "$STATIC_DIR")
  chmod 755 "$NGX"
  curl -sf -H "Authorization: TargetToken tok-1" -H "Accept: application/hal+json" "$URL/default/controller/v1/dev-1" > "$NGX/sample"
  echo "writing $DEVICES static answers for nginx" >&2
  python3 "$BENCH/static-answers.py" "$NGX/www" "$DEVICES" "$NGX/sample" dev-1
  NGINX_PORT=$(free_port)
  cat > "$NGX/nginx.conf" <<CONF
worker_processes auto;
daemon off;
pid $NGX/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  types {}
  default_type application/hal+json;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $NGX/www;
  }
}
CONF
  nginx -p "$NGX" -c "$NGX/nginx.conf" -e "$NGX/error.log" &
  NGINX_PID=$!
  NGINX_URL=http://127.0.0.1:$NGINX_PORT
  for _ in $(seq 60); do curl -sf -o /dev/null "$NGINX_URL/default/controller/v1/dev-1" && break; sleep 0.5; done
  local i
  for i in $(python3 -c "import random; print(' '.join(str(random.randint(1, $DEVICES)) for _ in range(100)))"); do
    cmp -s <(curl -sf -H "Authorization: TargetToken tok-$i" -H "Accept: application/hal+json" "$URL/default/controller/v1/dev-$i") \
           <(curl -sf "$NGINX_URL/default/controller/v1/dev-$i") \
      || { echo "nginx's answer for dev-$i differs from Modelyard's" >&2; exit 1; }
  done
  echo "nginx answers = Modelyard's for 100 random devices ($(wc -c < "$NGX/sample") bytes for dev-1)" >&2
}

# A flame graph of the cached poll under load: async-profiler (its jar on Maven Central bundles the
# native library) or JFR's execution samples, folded and drawn by flame.py.
profile() { # $1 = connections
  local prof=${PROFILER:-async} so jar=$HOME/.m2/repository/tools/profiler/async-profiler/4.1/async-profiler-4.1.jar
  if [ "$prof" = async ] && [ ! -f "$jar" ]; then
    mvn -B -q dependency:get -Dartifact=tools.profiler:async-profiler:4.1 >&2 || prof=jfr
  fi
  if [ "$prof" = async ]; then
    so=$WORK/libasyncProfiler.so
    unzip -p "$jar" "linux-$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')/libasyncProfiler.so" > "$so"
    java "$BENCH/Attach.java" "$SERVER_PID" "$so" "start,event=${PROFILE_EVENT:-itimer},interval=${PROFILE_INTERVAL:-1ms}" > /dev/null
    poll "profiled" "$1" "$URL"
    java "$BENCH/Attach.java" "$SERVER_PID" "$so" "stop,collapsed,file=$WORK/stacks.folded" > /dev/null
  else
    jcmd "$SERVER_PID" JFR.start name=poll settings=profile filename="$WORK/poll.jfr" > /dev/null
    poll "profiled" "$1" "$URL"
    jcmd "$SERVER_PID" JFR.stop name=poll > /dev/null
    jfr print --json --events jdk.ExecutionSample "$WORK/poll.jfr" > "$WORK/poll.json"
    python3 "$BENCH/flame.py" jfr "$WORK/poll.json" > "$WORK/stacks.folded"
  fi
  python3 "$BENCH/flame.py" svg "$WORK/stacks.folded" "$FLAME" \
    "Modelyard cached DDI poll, $DEVICES devices, $1 connections, $prof ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown))"
  cp "$WORK/stacks.folded" "${FLAME%.svg}.folded"
  echo "flame graph: $FLAME, folded stacks: ${FLAME%.svg}.folded ($(awk '{n += $NF} END {print n}' "$WORK/stacks.folded") samples)" >&2
  echo "frames with the most samples on top of the stack:" >&2
  python3 "$BENCH/flame.py" top "$WORK/stacks.folded" 15 >&2
}

if [ -z "${SKIP_IDLE:-}" ]; then
  echo "cold pass: every device's first poll" >&2
  cold_pass cold
  memory "after-cold-pass"
  [ "$NGINX" = 0 ] || start_nginx
  echo "a minute of load for the JIT compiler" >&2
  wrk -t2 -c32 -d"$JIT_WARM" -s "$BENCH/poll.lua" "$URL" > /dev/null
  for c in $CONNECTIONS; do
    poll "idle modelyard" "$c" "$URL"
    [ "$NGINX" = 0 ] || poll "idle nginx" "$c" "$NGINX_URL"
  done
  memory "after-idle-polls"
  [ "$PROFILE" = 0 ] || profile "${PROFILE_CONNECTIONS:-128}"
  if [ -n "${NGINX_PID:-}" ]; then kill "$NGINX_PID"; wait "$NGINX_PID" 2>/dev/null || true; NGINX_PID=; rm -rf "$NGX"; NGX=; fi
fi
[ -z "${SKIP_ACTION:-}" ] || { echo "server RSS MiB: $(awk '/VmHWM/ {print int($2/1024)}' /proc/$SERVER_PID/status) (peak)"; exit 0; }

echo "deploying a ${MODEL_MB} MB model to every device" >&2
java -cp "$ROOT/test-support/target/classes" "$BENCH/MakeModel.java" "$WORK/bench.onnx" "$MODEL_MB"
ART=$(modelyard release bench 1.0.0 "$WORK/bench.onnx" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
t0=$(date +%s.%N)
modelyard devices assign bench 1.0.0 --tag bench \
  | python3 -c 'import json,sys; d=json.load(sys.stdin); print("assigned", d.get("assigned"), "failed", d.get("failed"))' >&2
t1=$(date +%s.%N)
echo "assignment of $DEVICES devices took $(python3 -c "print(round($t1-$t0,1))") s" >&2
# Every device's answer changed: each one's next poll reads the database again.
cold_pass after-assignment
wrk -t2 -c32 -d"$JIT_WARM" -s "$BENCH/poll.lua" "$URL" > /dev/null
for c in $CONNECTIONS; do poll open-action "$c" "$URL"; done

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
echo "server RSS MiB: $(awk '/VmHWM/ {print int($2/1024)}' /proc/$SERVER_PID/status) (peak)"
