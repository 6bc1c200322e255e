#!/usr/bin/env bash
# The dashboard's read model at fleet scale: DEVICES devices (default 100000) with last-seen times,
# statuses, installed versions of two models and failed actions with feedback messages; the median
# and p99 of RUNS calls to GET /api/v1/overview, then the plan PostgreSQL chooses for each of its
# statements (which index it uses).
#
# Usage: bench/overview/run.sh             (DEVICES=10000 RUNS=20 for a quick run)
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
DB=modelyard_overviewbench_$$

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
for m in detector kws-small; do
  api -X POST "$URL/api/v1/models" -d "{\"name\":\"$m\",\"framework\":\"onnx\"}" >/dev/null
  for v in 1.0.0 1.5.0 2.0.0; do
    api -X POST "$URL/api/v1/models/$m/versions" -d "{\"version\":\"$v\"}" >/dev/null
  done
done

echo "registering $DEVICES devices" >&2
# Last seen within ~3 days (about a third online), 2% in error; detector on 70% (three versions),
# kws-small on 30%; every device in error has a failed action with a feedback message, plus one
# finished action per installed version (the history a real fleet has).
psql -q "$PGURL/$DB" <<SQL
INSERT INTO device (tenant, controller_id, token_hash, token_hint, status, attributes, attributes_requested, created_at, updated_at,
                    last_seen_at)
SELECT 'default', 'dev-' || lpad(i::text, 6, '0'), encode(sha256(convert_to('tok-' || i, 'UTF8')), 'hex'), 'tok-',
       CASE WHEN i % 50 = 0 THEN 'ERROR' ELSE 'IN_SYNC' END, '{}'::jsonb, false, now() - interval '30 days', now(),
       now() - (i % 45) * interval '1 minute' * (CASE WHEN i % 3 = 0 THEN 1 ELSE 100 END)
FROM generate_series(1, $DEVICES) AS i;
WITH v AS (SELECT mv.id, mv.model_id, mv.version, m.name,
                  row_number() OVER (PARTITION BY mv.model_id ORDER BY mv.id) - 1 AS k
           FROM model_version mv JOIN model m ON m.id = mv.model_id),
     targets AS (SELECT d.id AS device_id, v.model_id, v.id AS version_id, v.version FROM device d JOIN v
                 ON (v.name = 'detector' AND d.id % 10 < 7 OR v.name = 'kws-small' AND d.id % 10 >= 7) AND v.k = d.id % 3),
     actions AS (
       INSERT INTO action (device_id, model_id, version_id, requested, type, status, active, created_at, updated_at)
       SELECT device_id, model_id, version_id, version, 'FORCED', 'FINISHED', false, now() - interval '2 days', now() - interval '2 days'
       FROM targets RETURNING id, device_id, model_id, version_id)
INSERT INTO installed_model (device_id, model_id, version_id, action_id, installed_at)
SELECT device_id, model_id, version_id, id, now() FROM actions;
WITH failed AS (
  INSERT INTO action (device_id, model_id, version_id, requested, type, status, active, reason, created_at, updated_at)
  SELECT d.id, v.model_id, v.id, v.version, 'FORCED', 'ERROR', false, 'self-test failed', now() - (d.id % 5000) * interval '1 minute',
         now() - (d.id % 5000) * interval '1 minute'
  FROM device d JOIN model_version v ON v.version = '2.0.0' AND v.model_id = (SELECT id FROM model WHERE name = 'detector')
  WHERE d.status = 'ERROR' RETURNING id, updated_at)
INSERT INTO action_status (action_id, type, code, messages, occurred_at, reported_at)
SELECT id, 'error', 1, '["self-test failed: output differs from the reference"]'::jsonb, updated_at, updated_at FROM failed;
VACUUM ANALYZE;
SQL

python3 - "$URL" "$TOKEN" "$RUNS" <<'PY'
import http.client, json, sys, time, urllib.parse
url, token, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
u = urllib.parse.urlparse(url)
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
def call():
    start = time.perf_counter()
    conn.request("GET", "/api/v1/overview", headers={"Authorization": "Bearer " + token})
    r = conn.getresponse(); body = r.read()
    if r.status != 200: raise SystemExit(f"{r.status} {body[:300]!r}")
    return (time.perf_counter() - start) * 1000, json.loads(body)
_, o = call()
samples = sorted(call()[0] for _ in range(runs))
d = o["devices"]
print(f"devices {d['total']} (online {d['online']}, offline {d['offline']}, error {d['error']}), "
      f"{len(o['models'])} models, {len(o['recentFailures'])} recent failures")
print(f"GET /api/v1/overview: median {samples[len(samples)//2]:.1f} ms, p99 {samples[min(len(samples)-1, int(len(samples)*0.99))]:.1f} ms over {runs} calls")
PY

plan() { psql -tAq "$PGURL/$DB" -c "EXPLAIN $1" | grep -oE '(Bitmap Index Scan on|Index Only Scan using|Index Scan using|Seq Scan on|Parallel Seq Scan on) [a-z_]+' \
  | sed -E 's/ (on|using) / /' | sort -u | paste -sd ',' | sed 's/,/, /g'; }
echo "plan, device counts: $(plan "SELECT count(*), count(*) FILTER (WHERE status <> 'ERROR' AND last_seen_at >= now()), count(*) FILTER (WHERE status = 'ERROR') FROM device WHERE tenant = 'default'")"
echo "plan, versions per model: $(plan "SELECT model_id, version_id, count(*) FROM installed_model WHERE tenant = 'default' GROUP BY model_id, version_id")"
echo "plan, active rollouts: $(plan "SELECT id FROM rollout r WHERE r.tenant = 'default' AND r.state IN ('waiting-for-approval', 'scheduled', 'running', 'paused', 'rolling-back') ORDER BY r.id DESC LIMIT 20")"
echo "plan, recent failures: $(plan "SELECT * FROM action WHERE tenant = 'default' AND status = 'ERROR' ORDER BY updated_at DESC, id DESC LIMIT 20")"
echo "server peak RSS MiB: $(awk '/VmHWM/ {print int($2/1024)}' "/proc/$SERVER_PID/status" 2>/dev/null || echo unknown)" >&2
