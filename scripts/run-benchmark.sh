#!/usr/bin/env bash
# Runs a benchmark of module benchmarks/ (Maven profile "benchmarks") against kinesis-local on
# 127.0.0.1:$KINESIS_PORT (4567), which it starts with scripts/start-local-servers.sh when it does
# not answer (and stops again at exit). Prints Markdown and writes it to
# benchmarks/target/<benchmark>-benchmark.md. (The producer benchmark, which also runs kinesalite,
# has its own script: scripts/run-producer-benchmark.sh.)
#
#   bash scripts/run-benchmark.sh consumer        # latency, drain and shards scenarios, full length
#   bash scripts/run-benchmark.sh consumer --scenarios=latency --runs=5 --seconds=60 --rate=100
#   bash scripts/run-benchmark.sh consumer --scenarios=drain --drain-records=20000 --runs=5
#   bash scripts/run-benchmark.sh consumer --scenarios=shards --shards=200 --phase-seconds=60
#   bash scripts/run-benchmark.sh consumer --scenarios=steady --minutes=10 --steady-rate=200
#   bash scripts/run-benchmark.sh startup --runs=7

# Environment: JAVA_OPTS (default -Xmx512m), SKIP_BUILD=1 to reuse the last build.
set -euo pipefail

benchmark="${1:-}"
case "$benchmark" in
  consumer) main=dev.kinesisboot.benchmarks.ConsumerBenchmark ;;
  startup) main=dev.kinesisboot.benchmarks.StartupBenchmark ;;
  *) echo "usage: $0 consumer|startup [arguments]" >&2; exit 2 ;;
esac
shift

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
cd "$top"

KINESIS_PORT="${KINESIS_PORT:-4567}"
JAVA_OPTS="${JAVA_OPTS:--Xmx512m}"
state="$top/.local-servers/benchmark"
log() { printf '[benchmark] %s\n' "$*" >&2; }

kinesis_answers() {
  curl -sf -o /dev/null -m 2 -X POST "http://127.0.0.1:$KINESIS_PORT/" \
    -H 'Content-Type: application/x-amz-json-1.1' -H 'X-Amz-Target: Kinesis_20131202.ListStreams' \
    -H 'X-Amz-Date: 20260101T000000Z' -H 'Authorization: AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=0' \
    -d '{}'
}

started_local_servers=""
cleanup() {
  if [ -n "$started_local_servers" ]; then
    LOCAL_SERVERS_STATE="$state" bash "$here/stop-local-servers.sh" >&2
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "${SKIP_BUILD:-}" ]; then
  log "building benchmarks/ (./mvnw -Pbenchmarks -pl benchmarks -am package)"
  ./mvnw -B -q -Pbenchmarks -pl benchmarks -am -DskipTests package
fi
[ -d "$top/benchmarks/target/lib" ] || { log "benchmarks/target/lib is missing; build without SKIP_BUILD"; exit 1; }

if ! kinesis_answers; then
  log "kinesis-local does not answer on port $KINESIS_PORT; starting the local servers"
  mkdir -p "$state"
  started_local_servers=1
  LOCAL_SERVERS_STATE="$state" KINESIS_PORT="$KINESIS_PORT" bash "$here/start-local-servers.sh" >&2
fi

# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
java $JAVA_OPTS -cp "$top/benchmarks/target/classes:$top/benchmarks/target/lib/*" \
  "$main" --endpoint="http://127.0.0.1:$KINESIS_PORT" "$@" \
  | tee "$top/benchmarks/target/$benchmark-benchmark.md"
