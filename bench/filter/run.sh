#!/usr/bin/env bash
# Device filters at fleet scale: DEVICES devices (default 100000) with varied attributes, tags,
# installed versions and last-seen times; for each typical filter, the median and p99 of RUNS
# calls to the count endpoint and to the first page of the device list, then the query plan
# PostgreSQL chooses for the filter's condition (which index it uses); then the filter builder's
# suggestions and filter check (bench/filter/suggestions.py).
#
# Usage: bench/filter/run.sh               (DEVICES=10000 RUNS=20 for a quick run)
# Needs: a built server (mvn -B -DskipTests package), PostgreSQL on 127.0.0.1:5432, psql, curl, python3.
set -euo pipefail
shopt -s inherit_errexit

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DEVICES=${DEVICES:-100000}
RUNS=${RUNS:-50}
HEAP=${HEAP:-1g}
JAR=$ROOT/registry-server/target/quarkus-app/quarkus-run.jar
PGURL=${PGURL:-postgresql://postgres@127.0.0.1:5432}
TOKEN=bench-admin-token-0123456789abcdef
WORK=$(mktemp -d)
DB=modelyard_filterbench_$$

cleanup() {
  local rc=$?
  if [ "$rc" != 0 ]; then
    echo "--- server log (last 60 lines) ---" >&2; tail -n 60 "$WORK/server.log" >&2 || true
  fi
  [ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  psql -q "$PGURL/postgres" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
[ -f "$JAR" ] || { echo "build first: mvn -B -DskipTests package" >&2; exit 1; }

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT
psql -q "$PGURL/postgres" -c "CREATE DATABASE $DB" >/dev/null
QUARKUS_HTTP_PORT=$PORT QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:5432/$DB" \
  MODELYARD_DATA_DIR="$WORK/data" MODELYARD_ADMIN_TOKEN=$TOKEN QUARKUS_LOG_LEVEL=WARN \
  java -Xmx$HEAP -jar "$JAR" > "$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 240); do curl -sf "$URL/q/health/ready" >/dev/null && break; sleep 0.5; done

api() { curl -sf -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$@"; }
api -X POST "$URL/api/v1/models" -d '{"name":"detector","framework":"onnx"}' >/dev/null
for v in 1.0.0 1.5.0 2.0.0; do
  api -X POST "$URL/api/v1/models/detector/versions" -d "{\"version\":\"$v\"}" >/dev/null
done

echo "registering $DEVICES devices" >&2
# A fleet with some spread: three architectures, memory sizes, a store tag on a quarter and a kiosk
# tag on a tenth of the devices, the detector model on 70% (three versions), last seen within ~3 days.
psql -q "$PGURL/$DB" <<SQL
INSERT INTO device (tenant, controller_id, token_hash, token_hint, status, attributes, attributes_requested, created_at, updated_at,
                    last_seen_at)
SELECT 'default', 'dev-' || lpad(i::text, 6, '0'), encode(sha256(convert_to('tok-' || i, 'UTF8')), 'hex'), 'tok-',
       CASE WHEN i % 50 = 0 THEN 'ERROR' ELSE 'IN_SYNC' END,
       jsonb_build_object('arch', (ARRAY['x86_64','aarch64','armv7'])[i % 3 + 1],
                          'memory.mb', ((i % 8 + 1) * 512)::text, 'os', 'linux', 'site', 'site-' || (i % 400)),
       false, now() - interval '30 days', now(), now() - (i % 4500) * interval '1 minute'
FROM generate_series(1, $DEVICES) AS i;
INSERT INTO device_tag (device_id, tag) SELECT id, 'store' FROM device WHERE id % 4 = 0;
INSERT INTO device_tag (device_id, tag) SELECT id, 'kiosk' FROM device WHERE id % 10 = 0;
WITH m AS (SELECT id FROM model WHERE name = 'detector'),
     v AS (SELECT id, version, row_number() OVER (ORDER BY id) - 1 AS k FROM model_version WHERE model_id = (SELECT id FROM m)),
     targets AS (SELECT d.id AS device_id, v.id AS version_id, v.version FROM device d JOIN v ON v.k = d.id % 3 WHERE d.id % 10 < 7),
     actions AS (
       INSERT INTO action (device_id, model_id, version_id, requested, type, status, active, created_at, updated_at)
       SELECT device_id, (SELECT id FROM m), version_id, version, 'FORCED', 'FINISHED', false, now(), now() FROM targets
       RETURNING id, device_id, version_id)
INSERT INTO installed_model (device_id, model_id, version_id, action_id, installed_at)
SELECT device_id, (SELECT id FROM m), version_id, id, now() FROM actions;
VACUUM ANALYZE;
SQL

# Each filter, and beside it the condition the server compiles it to (the compiler's shapes are
# pinned by DeviceFilterParserTest), for EXPLAIN.
MODEL_ID=$(psql -tAq "$PGURL/$DB" -c "SELECT id FROM model WHERE name = 'detector'")
OLD_IDS=$(psql -tAq "$PGURL/$DB" -c "SELECT array_agg(id ORDER BY id) FROM model_version WHERE version IN ('1.0.0','1.5.0')")
cat > "$WORK/filters" <<EOF2
attribute.arch==aarch64|d.attributes @> '{"arch":"aarch64"}'
tag==kiosk|EXISTS (SELECT 1 FROM device_tag t WHERE t.device_id = d.id AND t.tag = 'kiosk')
installed.detector=lt=2.0.0|EXISTS (SELECT 1 FROM installed_model i WHERE i.device_id = d.id AND i.model_id = $MODEL_ID AND i.version_id = ANY('$OLD_IDS'))
lastSeen=lt=-P3D|d.last_seen_at < now() - interval '3 days'
status==error;attribute.site==site-50|d.status = ANY('{ERROR}') AND d.attributes @> '{"site":"site-50"}'
attribute.memory.mb=ge=3072|(CASE WHEN (d.attributes ->> 'memory.mb') ~ '^-?[0-9]+(\.[0-9]+)?\$' THEN CAST((d.attributes ->> 'memory.mb') AS numeric) END) >= 3072
attribute.arch==aarch64;tag=in=(store,kiosk);installed.detector=lt=2.0.0|d.attributes @> '{"arch":"aarch64"}' AND EXISTS (SELECT 1 FROM device_tag t WHERE t.device_id = d.id AND t.tag = ANY('{store,kiosk}')) AND EXISTS (SELECT 1 FROM installed_model i WHERE i.device_id = d.id AND i.model_id = $MODEL_ID AND i.version_id = ANY('$OLD_IDS'))
EOF2

echo "| filter | matches | count median / p99 ms | first page median / p99 ms | plan (count) |"
echo "|---|---:|---:|---:|---|"
while IFS='|' read -r filter condition; do
  timings=$(python3 "$ROOT/bench/filter/timings.py" "$URL" "$TOKEN" "$filter" "$RUNS")
  plan=$(psql -tAq "$PGURL/$DB" -c "EXPLAIN SELECT count(*) FROM device d WHERE d.tenant = 'default' AND ($condition)" \
    | grep -oE '(Bitmap Index Scan on|Index Only Scan using|Index Scan using|Seq Scan on|Parallel Seq Scan on) [a-z_]+' \
    | sed -E 's/ (on|using) / /' | sort -u | paste -sd ',' | sed 's/,/, /g')
  echo "| \`$filter\` | $timings | $plan |"
done < "$WORK/filters"
echo
echo "| suggestions and filter check | first call ms | then median / p99 ms |"
echo "|---|---:|---:|"
python3 "$ROOT/bench/filter/suggestions.py" "$URL" "$TOKEN" "$RUNS"
echo "server peak RSS MiB: $(awk '/VmHWM/ {print int($2/1024)}' "/proc/$SERVER_PID/status" 2>/dev/null || echo unknown)" >&2
