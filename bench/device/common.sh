# Shared by the device benchmarks: a real registry server on a database of its own, a root of
# trust made with the CLI, and a registered device. Source it after setting DB_PREFIX and, if the
# server should yield the CPU to the device, SERVER_NICE=19.
# Defines: ROOT WORK URL DEVICE_TOKEN PIDS UPDATER_JVM_OPTS, and registry / cli / free_port /
# updater_config / updater_archive.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PGURL=${PGURL:-postgresql://postgres@127.0.0.1:5432}
TOKEN=bench-admin-token-0123456789abcdef
WORK=$(mktemp -d)
DB=${DB_PREFIX}_$$
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  sleep 1
  psql -q "$PGURL/postgres" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cli() { (cd "$WORK" && java -jar "$ROOT/cli/target/modelyard-cli.jar" "$@" > /dev/null); }
# The registry's fixtures go through the CLI (the API client), as a user would make them; prints JSON.
registry() { (cd "$WORK" && MODELYARD_SERVER=$URL MODELYARD_TOKEN=$TOKEN java -jar "$ROOT/cli/target/modelyard-cli.jar" "$@"); }

cli keys generate --out root-key.json
cli keys generate --out release-key.json
cli root init --root-key root-key.json --release-key release-key.json --out 1.root.json

PORT=$(free_port); URL=http://127.0.0.1:$PORT
psql -q "$PGURL/postgres" -c "CREATE DATABASE $DB" >/dev/null
QUARKUS_HTTP_PORT=$PORT QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:5432/$DB" \
  MODELYARD_DATA_DIR="$WORK/server" MODELYARD_ADMIN_TOKEN=$TOKEN MODELYARD_SIGNING_RELEASE_KEY_FILE="$WORK/release-key.json" \
  QUARKUS_LOG_LEVEL=WARN nice -n "${SERVER_NICE:-0}" java -Xmx512m -jar "$ROOT/registry-server/target/quarkus-app/quarkus-run.jar" \
  > "$WORK/server.log" 2>&1 &
PIDS+=("$!")
# A generous deadline: on a busy machine the server takes minutes to start.
for _ in $(seq 600); do curl -sf "$URL/q/health/ready" >/dev/null && break; sleep 0.5; done
curl -sf "$URL/q/health/ready" >/dev/null || { echo "the server did not start within 300 s; its log:" >&2; tail -20 "$WORK/server.log" >&2; exit 1; }
registry root publish 1.root.json > /dev/null

# Writes the updater's configuration for the device registered here (API_PORT: its local API), polling
# every 5 s, with the arguments as further key=value lines.
updater_config() {
  API_PORT=$(free_port)
  { printf '%s\n' "server.url=$URL" controller.id=bench-device "token=$DEVICE_TOKEN" trust.bundle=1.root.json \
      data.dir=device "api.address=127.0.0.1:$API_PORT" poll.override=5s "$@"; } > "$WORK/updater.properties"
}
DEVICE_TOKEN=$(registry devices create bench-device | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

# The JVM flags of device-updater/dist/modelyard-updater.service (without -Xmx, which the scripts
# take from HEAP), with the class-data archive in WORK.
UPDATER_JVM_OPTS="-Xms8m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:SharedArchiveFile=$WORK/updater.jsa"
# Makes the class-data archive from the shipped class list, as the unit's ExecStartPre does on the device.
updater_archive() {
  java -Xshare:dump -XX:+UseSerialGC -XX:SharedClassListFile="$ROOT/device-updater/dist/modelyard-updater.classlist" \
    -XX:SharedArchiveFile="$WORK/updater.jsa" -cp "$ROOT/device-updater/target/modelyard-updater.jar" > "$WORK/archive.log" 2>&1
}
