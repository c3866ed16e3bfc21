#!/usr/bin/env bash
# Installs what is missing and starts the local servers the tests and the sample app use, all on
# 127.0.0.1: kinesis-local (Kinesis API), dynalite (DynamoDB API) and redis-server.
# Waits until each one answers. Safe to run twice: a server already answering is left alone.
# Stop them with scripts/stop-local-servers.sh (it stops only what this script started).
#
# Ports (override with the environment variables of the same name):
#   KINESIS_PORT=4567 (plain HTTP)  KINESIS_TLS_PORT=4568  DYNAMODB_PORT=8000  REDIS_PORT=6380
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
state="${LOCAL_SERVERS_STATE:-$top/.local-servers}"
KINESIS_PORT="${KINESIS_PORT:-4567}"
KINESIS_TLS_PORT="${KINESIS_TLS_PORT:-4568}"
DYNAMODB_PORT="${DYNAMODB_PORT:-8000}"
REDIS_PORT="${REDIS_PORT:-6380}"
SHARD_LIMIT="${SHARD_LIMIT:-1000}"
mkdir -p "$state"

log() { printf '[local-servers] %s\n' "$*"; }

# kinesis_answers, port_open, install_emulators
. "$here/emulators.sh"

kinesis_local_answers() { kinesis_answers "$KINESIS_PORT"; }

dynamodb_answers() {
  curl -sf -o /dev/null -m 2 -X POST "http://127.0.0.1:$DYNAMODB_PORT/" \
    -H 'Content-Type: application/x-amz-json-1.0' -H 'X-Amz-Target: DynamoDB_20120810.ListTables' \
    -H 'X-Amz-Date: 20260101T000000Z' -H 'Authorization: AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0' \
    -d '{}'
}

redis_answers() { [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]; }

wait_for() {
  local name=$1 check=$2 logfile=$3 i
  for i in $(seq 1 120); do
    if $check; then log "$name is up"; return 0; fi
    sleep 0.5
  done
  log "$name did not answer within 60 s; its log ($logfile):"
  tail -n 30 "$logfile" >&2 || true
  return 1
}

install_redis() {
  command -v redis-server >/dev/null && return 0
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null && sudo="sudo -n" || { log "redis-server is missing; install it (apt-get install redis-server)"; exit 1; }
  fi
  log "installing redis-server with apt-get"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server >/dev/null
}

start_kinesis() {
  if kinesis_local_answers; then log "Kinesis API already answers on port $KINESIS_PORT"; return 0; fi
  log "starting kinesis-local on 127.0.0.1:$KINESIS_PORT"
  (
    cd "$state"
    export KINESIS_MOCK_PLAIN_PORT="$KINESIS_PORT" KINESIS_MOCK_TLS_PORT="$KINESIS_TLS_PORT"
    export KINESIS_MOCK_CERT_PATH="$here/node_modules/kinesis-local/server.json"
    export LOG_LEVEL="${KINESIS_LOG_LEVEL:-WARN}" SHARD_LIMIT
    for op in CREATE_STREAM DELETE_STREAM SPLIT_SHARD MERGE_SHARDS UPDATE_SHARD_COUNT \
      REGISTER_STREAM_CONSUMER DEREGISTER_STREAM_CONSUMER START_STREAM_ENCRYPTION \
      STOP_STREAM_ENCRYPTION UPDATE_STREAM_MODE; do
      export "${op}_DURATION=${EMULATOR_OPERATION_DURATION:-10ms}"
    done
    nohup node --require "$here/../kinesis-spring-boot-test/src/main/resources/META-INF/kinesis-local/listen-loopback.js" "$here/node_modules/kinesis-local/main.js" \
      >"$state/kinesis.log" 2>&1 &
    echo $! >"$state/kinesis.pid"
  )
  wait_for "kinesis-local" kinesis_local_answers "$state/kinesis.log"
}

start_dynamodb() {
  if dynamodb_answers; then log "DynamoDB API already answers on port $DYNAMODB_PORT"; return 0; fi
  log "starting dynalite on 127.0.0.1:$DYNAMODB_PORT"
  nohup node "$here/node_modules/dynalite/cli.js" --host 127.0.0.1 --port "$DYNAMODB_PORT" \
    --createTableMs 10 --deleteTableMs 10 --updateTableMs 10 >"$state/dynamodb.log" 2>&1 &
  echo $! >"$state/dynamodb.pid"
  wait_for "dynalite" dynamodb_answers "$state/dynamodb.log"
}

start_redis() {
  if redis_answers; then log "Redis already answers on port $REDIS_PORT"; return 0; fi
  log "starting redis-server on 127.0.0.1:$REDIS_PORT"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no --daemonize yes \
    --pidfile "$state/redis.pid" --logfile "$state/redis.log" --dir "$state"
  wait_for "redis-server" redis_answers "$state/redis.log"
}

install_emulators
install_redis
start_kinesis
start_dynamodb
start_redis
log "ready: KINESIS_ENDPOINT=http://127.0.0.1:$KINESIS_PORT DYNAMODB_ENDPOINT=http://127.0.0.1:$DYNAMODB_PORT REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
