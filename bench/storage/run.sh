#!/usr/bin/env bash
# Upload and download throughput of the registry, against the floors that bound them:
#   upload   vs sha256sum of the same file (the server must hash every byte),
#   download vs nginx serving the same file with sendfile.
# Also records the server's peak RSS (VmHWM) across the upload, with the heap capped at 256 MiB.
#
# Usage: bench/storage/run.sh            (2 GiB file; SIZE_MIB=512 for a quicker run)
# Needs: a built server (mvn -DskipTests install), PostgreSQL on 127.0.0.1:5432, curl, nginx, psql.
set -euo pipefail
shopt -s inherit_errexit

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SIZE_MIB=${SIZE_MIB:-2048}
RUNS=${RUNS:-3}
JAR=$ROOT/registry-server/target/quarkus-app/quarkus-run.jar
S3PROXY=$ROOT/test-support/target/tools/s3proxy.jar
PGURL=${PGURL:-postgresql://postgres@127.0.0.1:5432}
TOKEN=bench-admin-token-0123456789abcdef
WORK=$(mktemp -d)
chmod 755 "$WORK"   # nginx workers run unprivileged and must read the file
DB=modelyard_bench_$$
PIDS=()

cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  sleep 1
  psql -q "$PGURL/postgres" -c "DROP DATABASE IF EXISTS ${DB} WITH (FORCE)" >/dev/null 2>&1 || true
  psql -q "$PGURL/postgres" -c "DROP DATABASE IF EXISTS ${DB}_s3 WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

[ -f "$JAR" ] || { echo "build the server first: mvn -DskipTests install" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
mbps() { python3 -c "print(f'{$1/1048576/($3-$2):.0f}')"; }
median() { python3 -c "import statistics,sys; print(f'{statistics.median(map(float, sys.argv[1:])):.0f}')" "$@"; }

# Random bytes, so the artifact is declared in an opaque format (.bin): ONNX and TensorFlow Lite uploads are parsed.
echo "generating a ${SIZE_MIB} MiB file" >&2
head -c "${SIZE_MIB}M" /dev/urandom > "$WORK/model.onnx"
chmod 644 "$WORK/model.onnx"
BYTES=$(stat -c %s "$WORK/model.onnx")
cat "$WORK/model.onnx" > /dev/null   # warm the page cache for every contender alike

hash_runs=()
for i in $(seq "$RUNS"); do
  t0=$(now); SHA=$(sha256sum "$WORK/model.onnx" | cut -d' ' -f1); t1=$(now)
  hash_runs+=("$(mbps "$BYTES" "$t0" "$t1")")
done
DIGEST="sha-256=:$(echo -n "$SHA" | xxd -r -p | base64 -w0):"

start_server() { # $1 = db, $2 = data dir, rest = extra env
  local db=$1 data=$2; shift 2
  psql -q "$PGURL/postgres" -c "CREATE DATABASE $db" >/dev/null
  PORT=$(free_port)
  env QUARKUS_HTTP_PORT="$PORT" QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:5432/$db" \
      MODELYARD_DATA_DIR="$data" MODELYARD_ADMIN_TOKEN=$TOKEN QUARKUS_LOG_LEVEL=WARN "$@" \
      java -Xmx256m -jar "$JAR" > "$WORK/server-$db.log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  for _ in $(seq 120); do curl -sf "http://127.0.0.1:$PORT/q/health/ready" >/dev/null && return 0; sleep 0.5; done
  echo "server did not start" >&2; cat "$WORK/server-$db.log" >&2; exit 1
}
api() { curl -sS -f -H "Authorization: Bearer $TOKEN" "$@"; }

upload_runs() { # prints median MiB/s of $RUNS uploads into fresh versions
  local runs=()
  api -X POST -H 'Content-Type: application/json' -d '{"name":"bench"}' "http://127.0.0.1:$PORT/api/v1/models" >/dev/null
  for i in $(seq "$RUNS"); do
    api -X POST -H 'Content-Type: application/json' -d "{\"version\":\"1.0.$i\"}" \
        "http://127.0.0.1:$PORT/api/v1/models/bench/versions" >/dev/null
    # Each run stores new content: the first byte differs, so deduplication cannot shortcut it.
    printf "\\x$(printf %02x "$i")" | dd of="$WORK/model.onnx" bs=1 count=1 conv=notrunc status=none
    local sha; sha=$(sha256sum "$WORK/model.onnx" | cut -d' ' -f1)
    local digest="sha-256=:$(echo -n "$sha" | xxd -r -p | base64 -w0):"
    local t
    t=$(api -o /dev/null -w '%{time_total}' -X PUT -H 'Expect:' -H 'Content-Type: application/octet-stream' \
        -H "Content-Digest: $digest" -T "$WORK/model.onnx" \
        "http://127.0.0.1:$PORT/api/v1/models/bench/versions/1.0.$i/artifacts/model.bin")
    runs+=("$(python3 -c "print($BYTES/1048576/$t)")")
  done
  median "${runs[@]}"
}

download_runs() { # $1 = url, rest = curl args
  local url=$1; shift
  local runs=()
  for i in $(seq "$RUNS"); do
    runs+=("$(curl -sS -f -o /dev/null -w '%{speed_download}' "$@" "$url" | python3 -c 'import sys; print(float(sys.stdin.read())/1048576)')")
  done
  median "${runs[@]}"
}

echo "filesystem store" >&2
start_server "$DB" "$WORK/data"
FS_UP=$(upload_runs)
FS_RSS=$(awk '/VmHWM/ {print int($2/1024)}' "/proc/$SERVER_PID/status")
FS_DOWN=$(download_runs "http://127.0.0.1:$PORT/api/v1/models/bench/versions/1.0.1/artifacts/model.bin/content" \
  -H "Authorization: Bearer $TOKEN")

echo "nginx" >&2
NGINX_PORT=$(free_port)
cat > "$WORK/nginx.conf" <<NGINX
worker_processes auto;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 64; }
http {
  access_log off;
  sendfile on;
  sendfile_max_chunk 8m;
  tcp_nopush on;
  client_body_temp_path $WORK/nginx-body;
  proxy_temp_path $WORK/nginx-proxy;
  fastcgi_temp_path $WORK/nginx-fastcgi;
  uwsgi_temp_path $WORK/nginx-uwsgi;
  scgi_temp_path $WORK/nginx-scgi;
  server { listen 127.0.0.1:$NGINX_PORT; root $WORK; }
}
NGINX
nginx -c "$WORK/nginx.conf"
NGINX_DOWN=$(download_runs "http://127.0.0.1:$NGINX_PORT/model.onnx")

kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
S3_UP=n/a; S3_DOWN=n/a; S3_RSS=n/a
if [ -z "${SKIP_S3:-}" ]; then
echo "s3 store (S3Proxy, filesystem backend)" >&2
S3_PORT=$(free_port)
mkdir -p "$WORK/s3"
cat > "$WORK/s3proxy.properties" <<S3
s3proxy.endpoint=http://127.0.0.1:$S3_PORT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=bench
s3proxy.credential=bench-secret
jclouds.provider=filesystem
jclouds.filesystem.basedir=$WORK/s3
S3
java -Xmx512m -jar "$S3PROXY" --properties "$WORK/s3proxy.properties" > "$WORK/s3proxy.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 60); do curl -s -o /dev/null "http://127.0.0.1:$S3_PORT/" && break; sleep 0.5; done
start_server "${DB}_s3" "$WORK/data-s3" MODELYARD_STORAGE_TYPE=s3 MODELYARD_STORAGE_S3_ENDPOINT="http://127.0.0.1:$S3_PORT" \
  MODELYARD_STORAGE_S3_ACCESS_KEY=bench MODELYARD_STORAGE_S3_SECRET_KEY=bench-secret
S3_UP=$(upload_runs)
S3_RSS=$(awk '/VmHWM/ {print int($2/1024)}' "/proc/$SERVER_PID/status")
S3_DOWN=$(download_runs "http://127.0.0.1:$PORT/api/v1/models/bench/versions/1.0.1/artifacts/model.bin/content" \
  -H "Authorization: Bearer $TOKEN")
fi

HASH=$(median "${hash_runs[@]}")
pct() { [ "$1" = n/a ] && echo n/a || python3 -c "print(f'{100*$1/$2:.0f}%')"; }
cat <<TABLE
| measure (${SIZE_MIB} MiB file, median of $RUNS) | MiB/s | vs floor |
|---|---|---|
| sha256sum (hashing floor) | $HASH | 100% |
| upload, filesystem store | $FS_UP | $(pct "$FS_UP" "$HASH") of sha256sum |
| upload, S3 store (S3Proxy on loopback) | $S3_UP | $(pct "$S3_UP" "$HASH") of sha256sum |
| nginx static file (sendfile) | $NGINX_DOWN | 100% |
| download, filesystem store | $FS_DOWN | $(pct "$FS_DOWN" "$NGINX_DOWN") of nginx |
| download, S3 store (streamed through the server) | $S3_DOWN | $(pct "$S3_DOWN" "$NGINX_DOWN") of nginx |

| server peak RSS (VmHWM, -Xmx256m) | MiB |
|---|---|
| filesystem store, across $RUNS uploads | $FS_RSS |
| S3 store, across $RUNS uploads | $S3_RSS |
TABLE
