#!/usr/bin/env bash
# The console's page timings at fleet scale: the packaged server on a fresh database with DEVICES
# devices (default 100000, inserted by SQL: attributes, tags, statuses, installed versions, actions
# with feedback) and a model with VERSIONS versions (default 1000, made through the API, then
# published and given artifacts by SQL), a few rollouts through the API; then headless chromium
# (PageTimings.java, Selenium) visits the main pages RUNS times each (default 10) and prints, per
# page, the median and p95 time from navigation to the page's ctx.ready(), and the server time of
# its slowest API call.
#
# Usage: bench/console/run.sh               (DEVICES=10000 VERSIONS=100 RUNS=5 for a quick run)
# Needs: a built server (mvn -B -DskipTests package), PostgreSQL on 127.0.0.1:5432, psql, curl,
# python3, Debian's chromium and chromium-driver.
set -euo pipefail
shopt -s inherit_errexit

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DEVICES=${DEVICES:-100000}
VERSIONS=${VERSIONS:-1000}
RUNS=${RUNS:-10}
HEAP=${HEAP:-1g}
JAR=$ROOT/registry-server/target/quarkus-app/quarkus-run.jar
PGURL=${PGURL:-postgresql://postgres@127.0.0.1:5432}
TOKEN=bench-admin-token-0123456789abcdef
WORK=$(mktemp -d)
DB=modelyard_consolebench_$$

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
[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] \
  || { echo "install Debian's chromium and chromium-driver: apt-get install chromium chromium-driver" >&2; exit 1; }

# Selenium's classpath (from the local Maven repository; downloaded the first time).
mvn -B -q -f "$ROOT/bench/console/pom.xml" dependency:build-classpath -Dmdep.outputFile="$WORK/cp" >&2

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT
psql -q "$PGURL/postgres" -c "CREATE DATABASE $DB" >/dev/null
QUARKUS_HTTP_PORT=$PORT QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:5432/$DB" \
  MODELYARD_DATA_DIR="$WORK/data" MODELYARD_ADMIN_TOKEN=$TOKEN QUARKUS_LOG_LEVEL=WARN \
  java -Xmx$HEAP -jar "$JAR" > "$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 240); do curl -sf "$URL/q/health/ready" >/dev/null && break; sleep 0.5; done
curl -sf "$URL/q/health/ready" >/dev/null || { echo "the server did not come up" >&2; exit 1; }

echo "creating models and $VERSIONS versions through the API" >&2
python3 - "$URL" "$TOKEN" "$VERSIONS" <<'PY'
import http.client, json, sys, urllib.parse
url, token, versions = sys.argv[1], sys.argv[2], int(sys.argv[3])
u = urllib.parse.urlparse(url)
c = http.client.HTTPConnection(u.hostname, u.port)
def call(method, path, body=None):
    c.request(method, "/api/v1" + path, body=json.dumps(body) if body is not None else None,
              headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    r = c.getresponse(); data = r.read()
    if r.status >= 300: raise SystemExit(f"{method} {path}: {r.status} {data[:300]!r}")
    return json.loads(data) if data else None
for i in range(30):
    call("POST", "/models", {"name": f"model-{i:02d}", "framework": "onnx", "task": "classification",
                             "description": f"Model {i} of the catalogue", "labels": {"team": f"team-{i % 4}"}})
call("POST", "/models", {"name": "detector", "framework": "onnx", "task": "object-detection",
                         "description": "Pallet detector with 1,000 versions", "labels": {"team": "vision"}})
for i in range(versions):
    call("POST", "/models/detector/versions", {"version": f"{i // 100 + 1}.{i % 100}.0",
                                              "changelog": f"build {i}", "metrics": {"accuracy": 0.9 + i / 100000}})
for i in range(30):
    call("POST", f"/models/model-{i:02d}/versions", {"version": "1.0.0"})
PY

echo "publishing, artifacts and $DEVICES devices by SQL" >&2
psql -q -v ON_ERROR_STOP=1 "$PGURL/$DB" <<SQL
-- Published with a release counter, as a publication leaves them (their signatures are not made:
-- the pages read metadata only); the last ten stay drafts, every 50th is deprecated.
WITH m AS (SELECT id FROM model WHERE name = 'detector'),
     v AS (SELECT id, row_number() OVER (ORDER BY sort_key) AS k, count(*) OVER () AS n FROM model_version WHERE model_id = (SELECT id FROM m))
UPDATE model_version mv SET status = CASE WHEN v.k % 50 = 0 THEN 'DEPRECATED' ELSE 'PUBLISHED' END,
       published_at = now() - (v.n - v.k) * interval '1 hour', release_counter = v.k
FROM v WHERE mv.id = v.id AND v.k <= v.n - 10;
UPDATE model SET release_counter = (SELECT max(release_counter) FROM model_version WHERE model_id = model.id)
WHERE name = 'detector';
INSERT INTO blob (sha256, size, created_at, touched_at) VALUES (repeat('a', 64), 8400000, now(), now()),
                                                               (repeat('b', 64), 2100000, now(), now());
-- Two artifacts per version: the uploaded fp32 file and an int8 conversion of it for aarch64.
INSERT INTO artifact (id, version_id, filename, sha256, size, media_type, format, runtime, arch, accelerator, precision,
                      origin, metadata, created_at)
SELECT gen_random_uuid(), id, 'detector.onnx', repeat('a', 64), 8400000, 'application/octet-stream', 'onnx', 'onnxruntime',
       'any', 'cpu', 'fp32', 'UPLOADED', '{}', now()
FROM model_version;
INSERT INTO artifact (id, version_id, filename, sha256, size, media_type, format, runtime, arch, accelerator, precision,
                      origin, source_artifact_id, converter, converter_version, converter_params, metadata, created_at)
SELECT gen_random_uuid(), a.version_id, 'detector-aarch64-int8.onnx', repeat('b', 64), 2100000, 'application/octet-stream',
       'onnx', 'onnxruntime', 'aarch64', 'cpu', 'int8', 'CONVERTED', a.id, 'onnx-quantize', '1.0', '{"mode":"dynamic"}', '{}', now()
FROM artifact a JOIN model_version v ON v.id = a.version_id JOIN model m ON m.id = v.model_id WHERE m.name = 'detector';

-- The fleet: three architectures, memory sizes, 400 sites, a store tag on a quarter and a kiosk tag
-- on a tenth, 2% in error, last seen within ~3 days.
INSERT INTO device (tenant, controller_id, name, token_hash, token_hint, status, attributes, attributes_requested, created_at,
                    updated_at, last_seen_at)
SELECT 'default', 'dev-' || lpad(i::text, 6, '0'), 'Device ' || i, encode(sha256(convert_to('tok-' || i, 'UTF8')), 'hex'), 'tok-',
       CASE WHEN i % 50 = 0 THEN 'ERROR' WHEN i % 97 = 0 THEN 'PENDING' ELSE 'IN_SYNC' END,
       jsonb_build_object('arch', (ARRAY['x86_64','aarch64','armv7'])[i % 3 + 1],
                          'memory.mb', ((i % 8 + 1) * 512)::text, 'os', 'linux', 'site', 'site-' || (i % 400),
                          'runtime.onnxruntime', '1.17.1'),
       false, now() - interval '30 days', now(), now() - (i % 4500) * interval '1 minute'
FROM generate_series(1, $DEVICES) AS i;
INSERT INTO device_tag (device_id, tag) SELECT id, 'store' FROM device WHERE id % 4 = 0;
INSERT INTO device_tag (device_id, tag) SELECT id, 'kiosk' FROM device WHERE id % 10 = 0;
-- The detector installed on 70% of the fleet in five of its newest published versions (finished
-- actions), a failed action on each device in error, with the device's feedback.
WITH m AS (SELECT id FROM model WHERE name = 'detector'),
     v AS (SELECT id, version, row_number() OVER (ORDER BY sort_key DESC) - 1 AS k FROM model_version
           WHERE model_id = (SELECT id FROM m) AND status = 'PUBLISHED' ORDER BY sort_key DESC LIMIT 5),
     targets AS (SELECT d.id AS device_id, v.id AS version_id, v.version FROM device d JOIN v ON v.k = d.id % 5 WHERE d.id % 10 < 7),
     actions AS (
       INSERT INTO action (device_id, model_id, version_id, requested, type, status, active, created_at, updated_at)
       SELECT device_id, (SELECT id FROM m), version_id, version, 'FORCED', 'FINISHED', false, now() - interval '2 days', now() - interval '2 days'
       FROM targets RETURNING id, device_id, version_id)
INSERT INTO installed_model (device_id, model_id, version_id, action_id, installed_at)
SELECT device_id, (SELECT id FROM m), version_id, id, now() - interval '2 days' FROM actions;
WITH m AS (SELECT id FROM model WHERE name = 'detector'),
     v AS (SELECT id, version FROM model_version WHERE model_id = (SELECT id FROM m) AND status = 'PUBLISHED' ORDER BY sort_key DESC LIMIT 1),
     failed AS (
       INSERT INTO action (device_id, model_id, version_id, requested, type, status, active, reason, created_at, updated_at)
       SELECT d.id, (SELECT id FROM m), (SELECT id FROM v), (SELECT version FROM v), 'FORCED', 'ERROR', false,
              'self-test failed: output differs from the reference (max abs error 0.31 > 0.01)', now() - interval '1 hour', now()
       FROM device d WHERE d.status = 'ERROR' RETURNING id)
INSERT INTO action_status (action_id, type, code, messages, occurred_at, reported_at)
SELECT id, s.type, s.code, s.messages, now() - s.ago, now() - s.ago FROM failed,
  (VALUES ('RETRIEVED', NULL::int, '["downloading detector.onnx"]'::jsonb, interval '50 minutes'),
          ('ERROR', 1, '["self-test failed: output differs from the reference", "max abs error 0.31 > 0.01"]'::jsonb, interval '40 minutes'))
  AS s(type, code, messages, ago);
VACUUM ANALYZE;
SQL

api() { curl -sf -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$@"; }
LATEST=$(psql -tAq "$PGURL/$DB" -c "SELECT version FROM model_version v JOIN model m ON m.id = v.model_id
  WHERE m.name = 'detector' AND v.status = 'PUBLISHED' ORDER BY v.sort_key DESC LIMIT 1")
api -X PUT "$URL/api/v1/models/detector/aliases/production" -d "{\"version\":\"$LATEST\"}" >/dev/null
api -X PUT "$URL/api/v1/models/detector/aliases/canary" -d "{\"version\":\"$LATEST\"}" >/dev/null
ROLLOUT=
for i in 1 2 3; do
  r=$(api -X POST "$URL/api/v1/rollouts" -d "{\"name\":\"detector-stores-$i\",\"model\":\"detector\",\"version\":\"$LATEST\",
      \"filter\":\"attribute.arch==aarch64;tag==store\",\"phases\":[{\"name\":\"canary\",\"size\":\"1%\"},{\"name\":\"rest\"}],
      \"failureBudget\":{\"maxFailurePct\":5,\"minExecuted\":20}}") \
    || { echo "creating a rollout failed (the rollout pages are measured without one)" >&2; r=; }
  [ -n "$r" ] && ROLLOUT=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' <<<"$r")
done
ROLLOUT=${ROLLOUT:-1}
DEVICE=dev-$(printf '%06d' $((DEVICES / 2)))
psql -tAq "$PGURL/$DB" -c "SELECT 'seeded: ' || (SELECT count(*) FROM device) || ' devices, ' ||
  (SELECT count(*) FROM model_version) || ' versions, ' || (SELECT count(*) FROM action) || ' actions, ' ||
  (SELECT count(*) FROM audit_entry) || ' audit entries'" >&2

# The pages, in the order a user might visit them. The filter and page-50 routes use the devices
# page's query parameters (q, page counted from 0).
python3 -c 'import urllib.parse,sys; print(urllib.parse.quote(sys.argv[1], safe=""))' 'attribute.arch==aarch64;tag==kiosk' > "$WORK/q"
java -cp "$(cat "$WORK/cp")" "$ROOT/bench/console/PageTimings.java" "$URL" "$TOKEN" "$RUNS" "$WORK/timings.tsv" \
  "dashboard=#/" \
  "models list=#/models" \
  "model (1,000 versions)=#/models/detector" \
  "version=#/models/detector/versions/$LATEST" \
  "devices=#/devices" \
  "devices, filtered=#/devices?q=$(cat "$WORK/q")" \
  "devices, page 50=#/devices?page=49" \
  "device=#/devices/$DEVICE" \
  "rollouts list=#/rollouts" \
  "rollout=#/rollouts/$ROLLOUT" \
  "audit log=#/admin/audit"
cp "$WORK/timings.tsv" "${TIMINGS_OUT:-/dev/null}" 2>/dev/null || true
echo "server peak RSS MiB: $(awk '/VmHWM/ {print int($2/1024)}' "/proc/$SERVER_PID/status" 2>/dev/null || echo unknown)" >&2
