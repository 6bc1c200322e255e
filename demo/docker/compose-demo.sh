#!/usr/bin/env bash
# The Docker Compose stack's demo services: make the demo device ready and give it a model, the
# way an operator does it by hand (README, Walkthrough), with the modelyard command.
#   compose-demo.sh provision   (service "demo", before the device starts)
#     1. a root of trust that trusts the server's release key, uploaded to the server, and the trust
#        bundle the device is provisioned with;
#     2. the device registered, its token and updater.properties written for the updater service;
#     3. demo-classifier 1.0.0 released.
#   compose-demo.sh deploy      (service "demo-deploy", once the device runs)
#     4. waits until the device has reported its runtimes (the server picks the artifact for what
#        a device reports, so an assignment before that would fail at once), then assigns 1.0.0.
# Runs again harmlessly: what exists already is kept. The root key stays in this service's volume:
# fine for a demo; in production root keys are kept offline (README, Signing and trust).
set -euo pipefail

: "${MODELYARD_SERVER:?set MODELYARD_SERVER, the registry server URL}"
: "${MODELYARD_TOKEN:?set MODELYARD_TOKEN, an admin API token}"
: "${DEMO_DEVICE_ID:?set DEMO_DEVICE_ID, the controller id of the demo device}"
PHASE=${1:?usage: compose-demo.sh provision|deploy}
# Where things are in the containers; each can be changed to run the script elsewhere (its
# end-to-end test runs it on the test machine).
JAR=${DEMO_JAR:-/opt/modelyard/modelyard-demo.jar}
STATE=${DEMO_STATE_DIR:-/var/lib/modelyard-demo}      # the root of trust (this service's volume)
DEVICE=${DEVICE_CONFIG_DIR:-/etc/modelyard}           # the device's provisioning (the updater's configuration volume)
DEVICE_DATA=${DEVICE_DATA_DIR:-/var/lib/modelyard}    # where the updater keeps its models (its own volume)
DEVICE_API=${DEVICE_API_ADDRESS:-0.0.0.0:8765}        # the device's inference API, published by Compose
DEVICE_MQTT=${DEVICE_MQTT_URL:-tcp://mosquitto:1883}
DEVICE_MQTT_PASSWORD=${DEVICE_MQTT_PASSWORD_FILE:-/run/mqtt/device.password}

say() { printf '[demo] %s\n' "$*"; }
modelyard() { java -cp "$JAR" dev.modelyard.cli.Main "$@"; }
api() { curl -fsS -H "Authorization: Bearer $MODELYARD_TOKEN" "$@"; }

# Compose starts this service once the server reports healthy; a slow first start (migrations) is
# still waited for here, up to 10 minutes.
deadline=$((SECONDS + 600))
until curl -fsS -o /dev/null "$MODELYARD_SERVER/q/health/ready"; do
  if (( SECONDS > deadline )); then say "the server at $MODELYARD_SERVER was not ready within 10 minutes"; exit 1; fi
  sleep 2
done

umask 077
provision() {
  say "1/4 root of trust"
  if [[ ! -s $STATE/root-passphrase ]]; then head -c 24 /dev/urandom | base64 > "$STATE/root-passphrase"; fi
  ROOT_PASSPHRASE=$(cat "$STATE/root-passphrase")
  export ROOT_PASSPHRASE
  if [[ ! -s $STATE/root-1.json ]]; then
    modelyard keys generate --out "$STATE/root-1.json" --passphrase-env ROOT_PASSPHRASE
  fi
  if [[ ! -s $STATE/1.root.json ]]; then
    release_public=$(api "$MODELYARD_SERVER/api/v1/trust/status" | jq -er .releasePublicKey)
    modelyard root init --root-key "$STATE/root-1.json" --release-public "$release_public" \
        --expires 365d --out "$STATE/1.root.json" --passphrase-env ROOT_PASSPHRASE
    api -H 'Content-Type: application/json' --data-binary @"$STATE/1.root.json" "$MODELYARD_SERVER/api/v1/trust/roots" > /dev/null
  fi
  modelyard trust-bundle --chain "$STATE/1.root.json" --out "$DEVICE/trust-bundle.json"

  say "2/4 device $DEMO_DEVICE_ID"
  if [[ ! -s $DEVICE/token ]]; then
    # A device registered by an earlier, interrupted run gets a new token instead.
    modelyard devices create "$DEMO_DEVICE_ID" --name "Docker Compose demo device" 2> /dev/null | jq -er .token > "$DEVICE/token" \
      || api -X POST "$MODELYARD_SERVER/api/v1/devices/$DEMO_DEVICE_ID/token" | jq -er .token > "$DEVICE/token"
  fi
  cat > "$DEVICE/updater.properties" <<PROPS
# Written by the demo service of docker-compose.yml (demo/docker/compose-demo.sh).
server.url=$MODELYARD_SERVER
tenant=default
controller.id=$DEMO_DEVICE_ID
token.file=token
trust.bundle=trust-bundle.json
data.dir=$DEVICE_DATA
api.address=$DEVICE_API
poll.max.interval=30s
push.mqtt.url=$DEVICE_MQTT
push.mqtt.password.file=$DEVICE_MQTT_PASSWORD
PROPS

  say "3/4 demo-classifier 1.0.0 released"
  if ! modelyard models get demo-classifier 1.0.0 > /dev/null 2>&1; then
    models=$(mktemp -d)
    java -cp "$JAR" dev.modelyard.demo.SampleModelFiles "$models" > /dev/null
    modelyard release demo-classifier 1.0.0 "$models/demo-classifier-1.0.0.onnx" --changelog "first release: petal length only" > /dev/null
    rm -rf "$models"
  fi
}

deploy() {
  say "4/4 waiting for $DEMO_DEVICE_ID to report its runtimes"
  deadline=$((SECONDS + 600))
  until api "$MODELYARD_SERVER/api/v1/devices/$DEMO_DEVICE_ID" | jq -e '.attributes["runtime.onnxruntime"]' > /dev/null 2>&1; do
    if (( SECONDS > deadline )); then say "$DEMO_DEVICE_ID has not reported its runtimes within 10 minutes: is the device service running?"; exit 1; fi
    sleep 2
  done
  if [[ ! -f $STATE/assigned ]]; then
    modelyard devices assign demo-classifier 1.0.0 --device "$DEMO_DEVICE_ID" > /dev/null
    touch "$STATE/assigned"
  fi
  say "done: the updater service installs demo-classifier 1.0.0 and serves it on port 8765, e.g."
  say "  curl -d '{\"inputs\":{\"features\":{\"dtype\":\"float32\",\"shape\":[1,4],\"data\":[5.9,3.0,5.1,1.8]}}}' http://localhost:8765/v1/models/demo-classifier/infer"
}

case $PHASE in
  provision) provision ;;
  deploy) deploy ;;
  *) echo "usage: compose-demo.sh provision|deploy" >&2; exit 2 ;;
esac
