#!/usr/bin/env bash
# Runs the fault suite (dev.kinesisboot.faults.*IntegrationTests) with N records per scenario and
# prints one summary table: records sent, received, lost, duplicates (split into copies the producer
# stored twice and records the consumer read again) and max iterator age per fault, and their total.
# The short version (1,000 records) runs in CI as part of ./mvnw verify; this is the long one.
#
#   bash scripts/run-fault-suite.sh            # 17,000 per scenario: 102,000 records through the six
#                                              # fault scenarios in sequence
#   bash scripts/run-fault-suite.sh 5000       # a shorter run
#
# Far more per scenario does not work on kinesis-local: its reads slow down as a stream fills, and
# with 100,000 records in one stream its calls time out after 10 s within minutes.
#
# Starts the local servers when they do not answer (and stops them again at exit). The table is
# also written to kinesis-spring-boot-autoconfigure/target/fault-suite.md.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
cd "$top"
records="${1:-17000}"
log="$top/kinesis-spring-boot-autoconfigure/target/fault-suite.log"
table="$top/kinesis-spring-boot-autoconfigure/target/fault-suite.md"

started=""
cleanup() { [ -z "$started" ] || bash "$here/stop-local-servers.sh" >&2; }
trap cleanup EXIT
if [ "$(redis-cli -h 127.0.0.1 -p "${REDIS_PORT:-6380}" ping 2>/dev/null || true)" != "PONG" ]; then
  started=1
fi
bash "$here/start-local-servers.sh" >&2

mkdir -p "$(dirname "$log")"
status=0
./mvnw -B verify -pl kinesis-spring-boot-autoconfigure -Dspring-javaformat.skip=true \
  -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test='dev/kinesisboot/faults/*IntegrationTests' -Dfaults.records="$records" >"$log" 2>&1 || status=$?

{
  echo "| fault | records sent | received | lost | duplicates | of which stored twice | of which read again | max iterator age |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  grep -o '\[faults\] [^:]*: records sent=.*' "$log" | sort -u |
    sed -E 's/\[faults\] ([^:]*): records sent=([0-9]+), received=([0-9]+), lost=([0-9]+), duplicates=([0-9]+), max iterator age=([^,]*), stored twice=([0-9]+), delivered again=([0-9]+)/| \1 | \2 | \3 | \4 | \5 | \7 | \8 | \6 |/' |
    awk -F' [|] ' '{ print; for (i = 2; i <= 7; i++) total[i] += $i }
      END { if (NR > 0) printf "| **all %d scenarios** | %d | %d | %d | %d | %d | %d | |\n", NR, total[2], total[3], total[4], total[5], total[6], total[7] }'
} | tee "$table"
grep -E 'Tests run:.*Fail' "$log" | tail -n 1 >&2 || true
[ "$status" = 0 ] || echo "the fault suite failed; see $log" >&2
exit "$status"
