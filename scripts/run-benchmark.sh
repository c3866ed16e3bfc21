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
#   bash scripts/run-benchmark.sh consumer --scenarios=latency --readers=polling --poll-interval=200
#   bash scripts/run-benchmark.sh consumer --scenarios=shards --shards=200 --phase-seconds=60
#   bash scripts/run-benchmark.sh consumer --scenarios=steady --minutes=10 --steady-rate=200
#   bash scripts/run-benchmark.sh startup --runs=7
#   BENCHMARK_TARGET=kinesalite bash scripts/run-benchmark.sh consumer --scenarios=latency,drain \
#       --readers=plain-loop,polling,sca-adapter --rate=200
#
# Environment: JAVA_OPTS (default -Xmx512m), SKIP_BUILD=1 to reuse the last build,
# BENCHMARK_TARGET=kinesalite to run against kinesalite on 127.0.0.1:$KINESALITE_PORT (4569) instead,
# started here and stopped at exit (JSON protocol only, and no SubscribeToShard: leave out fan-out).
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

BENCHMARK_TARGET="${BENCHMARK_TARGET:-kinesis-local}"
KINESALITE_PORT="${KINESALITE_PORT:-4569}"

# kinesis_answers, install_emulators, start_kinesalite, stop_kinesalite
. "$here/emulators.sh"

started_local_servers=""
cleanup() {
  stop_kinesalite
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

case "$BENCHMARK_TARGET" in
  kinesis-local)
    endpoint="http://127.0.0.1:$KINESIS_PORT"
    protocol_opts=""
    if ! kinesis_answers "$KINESIS_PORT"; then
      log "kinesis-local does not answer on port $KINESIS_PORT; starting the local servers"
      mkdir -p "$state"
      started_local_servers=1
      LOCAL_SERVERS_STATE="$state" KINESIS_PORT="$KINESIS_PORT" bash "$here/start-local-servers.sh" >&2
    fi
    ;;
  kinesalite)
    endpoint="http://127.0.0.1:$KINESALITE_PORT"
    protocol_opts="-Daws.cborEnabled=false"
    install_emulators
    mkdir -p "$state"
    start_kinesalite "$KINESALITE_PORT" http "$state/kinesalite.log"
    ;;
  *)
    log "unknown BENCHMARK_TARGET '$BENCHMARK_TARGET'; use kinesis-local or kinesalite"
    exit 2
    ;;
esac

# shellcheck disable=SC2086 # JAVA_OPTS and protocol_opts are lists of options
java $JAVA_OPTS $protocol_opts -cp "$top/benchmarks/target/classes:$top/benchmarks/target/lib/*" \
  "$main" --endpoint="$endpoint" "$@" \
  | tee "$top/benchmarks/target/$benchmark-benchmark.md"
