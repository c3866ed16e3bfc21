# Sourced by the benchmark scripts (run-benchmark.sh, run-producer-benchmark.sh) once they have set
# $here (scripts/) and $top (the project) and changed into $top. Gives them the [benchmark] log, the
# state directory of the servers they start, an exit trap that stops exactly those, the build of
# benchmarks/, and kinesis-local started on demand.

# kinesis_answers, port_open, package_version, install_emulators, start_kinesalite, stop_kinesalite
. "$here/emulators.sh"

KINESIS_PORT="${KINESIS_PORT:-4567}"
KINESALITE_PORT="${KINESALITE_PORT:-4569}"
# Servers these scripts start keep their PID files and logs here, so that the stop script stops
# only those, never servers that were already running.
state="$top/.local-servers/benchmark"

log() { printf '[benchmark] %s\n' "$*" >&2; }

started_local_servers=""
stop_started_servers() {
  stop_kinesalite
  if [ -n "$started_local_servers" ]; then
    LOCAL_SERVERS_STATE="$state" bash "$here/stop-local-servers.sh" >&2
  fi
}
trap stop_started_servers EXIT
trap 'exit 130' INT TERM

# Builds benchmarks/ unless SKIP_BUILD is set; fails when there is no build to run.
build_benchmarks() {
  if [ -z "${SKIP_BUILD:-}" ]; then
    log "building benchmarks/ (./mvnw -Pbenchmarks -pl benchmarks -am package)"
    ./mvnw -B -q -Pbenchmarks -pl benchmarks -am -DskipTests package
  fi
  [ -d "$top/benchmarks/target/lib" ] || { log "benchmarks/target/lib is missing; build without SKIP_BUILD"; exit 1; }
}

# Starts the local servers (scripts/start-local-servers.sh) when kinesis-local does not answer on
# $KINESIS_PORT; the exit trap stops them again.
start_kinesis_local_if_needed() {
  kinesis_answers "$KINESIS_PORT" && return 0
  log "kinesis-local does not answer on port $KINESIS_PORT; starting the local servers"
  mkdir -p "$state"
  started_local_servers=1
  LOCAL_SERVERS_STATE="$state" KINESIS_PORT="$KINESIS_PORT" bash "$here/start-local-servers.sh" >&2
}
