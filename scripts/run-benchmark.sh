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

JAVA_OPTS="${JAVA_OPTS:--Xmx512m}"
BENCHMARK_TARGET="${BENCHMARK_TARGET:-kinesis-local}"

# log, state, the exit trap, build_benchmarks, start_kinesis_local_if_needed, start_kinesalite
. "$here/benchmark-common.sh"

build_benchmarks

case "$BENCHMARK_TARGET" in
  kinesis-local)
    endpoint="http://127.0.0.1:$KINESIS_PORT"
    protocol_opts=""
    start_kinesis_local_if_needed
    ;;
  kinesalite)
    endpoint="http://127.0.0.1:$KINESALITE_PORT"
    protocol_opts="-Daws.cborEnabled=false"
    install_emulators
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
