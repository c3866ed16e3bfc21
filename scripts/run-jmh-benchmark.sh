#!/usr/bin/env bash
# Runs the JMH benchmarks of module benchmarks/ (Maven profile "benchmarks"), by default
# dev.kinesisboot.benchmarks.MetricsOverheadBenchmark: the producer put path and the consumer
# dispatch path, each with the NoOp and the Micrometer (Prometheus registry) metrics collector, on
# an in-memory stub of Kinesis (no emulator, no network). Prints JMH's table and the metrics
# overhead, (noop - micrometer) / noop, per path, and writes
#   benchmarks/target/jmh-result.json   JMH's results (-rf json)
#   benchmarks/target/jmh-result.txt    the console output
#
# Defaults (about 7 minutes on 2 cores, build included): 3 forks, 5 warm-up and 8 measured
# iterations of 2 s.
# Arguments go to JMH; an option given replaces its default. A first argument that is not an
# option selects the benchmarks (a JMH regular expression, default MetricsOverheadBenchmark):
#   bash scripts/run-jmh-benchmark.sh                       # everything, defaults
#   bash scripts/run-jmh-benchmark.sh -f 1 -wi 2 -i 3       # a quick look
#   bash scripts/run-jmh-benchmark.sh 'MetricsOverheadBenchmark.consumer.*' -p metrics=micrometer
#   bash scripts/run-jmh-benchmark.sh -h                    # JMH's options
# Environment:
#   JMH_BENCHMARKS=MetricsOverheadBenchmark   which benchmarks, when no first argument names them
#   SKIP_BUILD=1                              use the last build of benchmarks/
#   MAVEN_ARGS=...                            extra arguments for the Maven build (e.g. -o)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
cd "$top"

JMH_BENCHMARKS="${JMH_BENCHMARKS:-MetricsOverheadBenchmark}"
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
  JMH_BENCHMARKS=$1
  shift
fi
target="$top/benchmarks/target"

log() { printf '[jmh] %s\n' "$*" >&2; }

if [ -z "${SKIP_BUILD:-}" ]; then
  log "building benchmarks/ (./mvnw -Pbenchmarks -pl benchmarks -am package)"
  # shellcheck disable=SC2086 # MAVEN_ARGS is a list of options
  ./mvnw -B -q -Pbenchmarks -pl benchmarks -am -DskipTests ${MAVEN_ARGS:-} package
fi
[ -f "$target/classes/META-INF/BenchmarkList" ] || {
  log "benchmarks/target/classes/META-INF/BenchmarkList is missing: the JMH annotation processor did not run; build without SKIP_BUILD"
  exit 1
}
classpath="$target/classes:$target/lib/*"

# JMH refuses an option given twice, so a default goes in only when the arguments lack it.
jmh_args=()
default() {
  local option=$1 value=$2 arg
  for arg in "${@:3}"; do [ "$arg" = "$option" ] && return 0; done
  jmh_args+=("$option" "$value")
}
default -f 3 "$@"
default -wi 5 "$@"
default -w 2s "$@"
default -i 8 "$@"
default -r 2s "$@"
default -rf json "$@"
format=json
for ((i = 1; i < $#; i++)); do
  [ "${!i}" = "-rf" ] && { next=$((i + 1)); format="${!next}"; }
done
default -rff "$target/jmh-result.$format" "$@"
jmh_args+=("$@")
result=""
for ((i = 0; i < ${#jmh_args[@]}; i++)); do
  [ "${jmh_args[$i]}" = "-rff" ] && result="${jmh_args[$((i + 1))]:-}"
done

log "$(java -version 2>&1 | head -n 1), $(nproc) cores, load average $(cut -d ' ' -f 1-3 /proc/loadavg)"
log "running: java -cp benchmarks/target/classes:benchmarks/target/lib/* org.openjdk.jmh.Main $JMH_BENCHMARKS ${jmh_args[*]}"
rm -f "$result"
status=0
java -cp "$classpath" org.openjdk.jmh.Main "$JMH_BENCHMARKS" "${jmh_args[@]}" \
  | tee "$target/jmh-result.txt" || status=$?
log "load average after the run: $(cut -d ' ' -f 1-3 /proc/loadavg)"
[ "$status" -eq 0 ] || exit "$status"
# only JSON results are summed up here (another -rf leaves its own file)
case "$result" in *.json) ;; *) exit 0 ;; esac
[ -s "$result" ] || exit 0

# The overhead per benchmark, from the JSON: (noop - micrometer) / noop, and its range when both
# scores are taken at the ends of their 99.9 % confidence intervals.
python3 - "$result" <<'EOF' | tee -a "$target/jmh-result.txt"
import json, sys

runs = json.load(open(sys.argv[1]))
scores = {}
for run in runs:
    name = run["benchmark"].rsplit(".", 1)[-1]
    metrics = run.get("params", {}).get("metrics")
    primary = run["primaryMetric"]
    scores.setdefault(name, {})[metrics] = (float(primary["score"]), float(primary["scoreError"]), primary["scoreUnit"])
print()
print("Metrics overhead, (noop - micrometer) / noop; range from the 99.9 % confidence intervals:")
for name, by in scores.items():
    if "noop" not in by or "micrometer" not in by:
        continue
    (n, ne, unit), (m, me, _) = by["noop"], by["micrometer"]
    worst = (n + ne - (m - me)) / (n + ne) if n + ne > 0 else float("nan")
    best = (n - ne - (m + me)) / (n - ne) if n - ne > 0 else float("nan")
    print(f"  {name}: noop {n:,.0f} ± {ne:,.0f}, micrometer {m:,.0f} ± {me:,.0f} {unit}; "
          f"overhead {(n - m) / n:+.1%} (range {best:+.1%} .. {worst:+.1%})")
EOF
