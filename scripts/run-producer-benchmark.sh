#!/usr/bin/env bash
# Runs the producer benchmark (module benchmarks/, Maven profile "benchmarks") against two local
# Kinesis emulators and prints one Markdown table per emulator:
#   kinesis-local  on 127.0.0.1:$KINESIS_PORT (4567), started with scripts/start-local-servers.sh
#                  when it does not answer, and then stopped again at exit
#   kinesalite     on 127.0.0.1:$KINESALITE_PORT (4569), started here and stopped at exit; it speaks
#                  only the JSON protocol, so its JVM runs with -Daws.cborEnabled=false
# The kpl scenario (the Amazon KPL's native daemon) speaks only HTTPS: against kinesis-local it uses
# the TLS port $KINESIS_TLS_PORT (4568); against kinesalite it needs KINESALITE_TLS=1, which runs
# kinesalite and the whole benchmark over HTTPS (self-signed certificate, not checked).
# The tables are also written to benchmarks/target/producer-benchmark-<emulator>.md.
#
# Arguments go to the benchmark on both emulators, for example:
#   bash scripts/run-producer-benchmark.sh --records=20000 --runs=5
#   bash scripts/run-producer-benchmark.sh --records=2000 --runs=2 --warmup=1
#   bash scripts/run-producer-benchmark.sh --sizes=100,1024,25600 --shards=1,4 \
#       --scenarios=producer-noop,sdk-put-records,sca-message-handler,kpl
# (see --help for all). Environment:
#   BENCHMARK_TARGETS="kinesis-local kinesalite"  which emulators, in this order
#   JAVA_OPTS="-Xms512m -Xmx512m"                 options of the benchmark JVM
#   SKIP_BUILD=1                                   use the last build of benchmarks/
#   MAVEN_ARGS=...                                 extra arguments for the Maven build
#   KINESALITE_TLS=1                               run kinesalite over HTTPS (for the kpl scenario)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
cd "$top"

KINESIS_TLS_PORT="${KINESIS_TLS_PORT:-4568}"
KINESALITE_TLS="${KINESALITE_TLS:-}"
# the KPL daemon would otherwise ask the EC2 instance metadata service for the region and zone
export AWS_EC2_METADATA_DISABLED=true
BENCHMARK_TARGETS="${BENCHMARK_TARGETS:-kinesis-local kinesalite}"
JAVA_OPTS="${JAVA_OPTS:--Xms512m -Xmx512m}"

# log, state, the exit trap, build_benchmarks, start_kinesis_local_if_needed, start_kinesalite,
# package_version
. "$here/benchmark-common.sh"

targets=" $BENCHMARK_TARGETS "
case "$targets" in *" kinesalite "*) want_kinesalite=1 ;; *) want_kinesalite="" ;; esac
case "$targets" in *" kinesis-local "*) want_kinesis_local=1 ;; *) want_kinesis_local="" ;; esac

install_emulators

build_benchmarks
classpath="$top/benchmarks/target/classes:$top/benchmarks/target/lib/*"

[ -z "$want_kinesis_local" ] || start_kinesis_local_if_needed

kinesalite_scheme=http
[ -n "$KINESALITE_TLS" ] && kinesalite_scheme=https
if [ -n "$want_kinesalite" ]; then
  start_kinesalite "$KINESALITE_PORT" "$kinesalite_scheme" "$state/kinesalite.log"
fi

status=0
for target in $BENCHMARK_TARGETS; do
  case "$target" in
    kinesis-local)
      endpoint="http://127.0.0.1:$KINESIS_PORT"
      label="kinesis-local $(package_version kinesis-local)"
      protocol_opts=""
      kpl_endpoint="https://127.0.0.1:$KINESIS_TLS_PORT"
      ;;
    kinesalite)
      endpoint="$kinesalite_scheme://127.0.0.1:$KINESALITE_PORT"
      label="kinesalite $(package_version kinesalite)"
      protocol_opts="-Daws.cborEnabled=false"
      kpl_endpoint="$endpoint"
      ;;
    *)
      log "unknown target '$target' in BENCHMARK_TARGETS; use kinesis-local and/or kinesalite"
      exit 2
      ;;
  esac
  log "running against $label ($endpoint)"
  # shellcheck disable=SC2086 # JAVA_OPTS and protocol_opts are lists of options
  java $JAVA_OPTS $protocol_opts -cp "$classpath" dev.kinesisboot.benchmarks.ProducerBenchmark \
    --endpoint="$endpoint" --kpl-endpoint="$kpl_endpoint" --label="$label" --http=1.1 "$@" \
    | tee "$top/benchmarks/target/producer-benchmark-$target.md" || status=$?
done
exit "$status"
