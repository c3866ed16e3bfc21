#!/usr/bin/env bash
# Stops the servers scripts/start-local-servers.sh started (by their PID files); nothing else.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
state="${LOCAL_SERVERS_STATE:-$(cd "$here/.." && pwd)/.local-servers}"

for name in kinesis dynamodb redis; do
  pidfile="$state/$name.pid"
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    printf '[local-servers] stopped %s (pid %s)\n' "$name" "$pid"
  fi
  rm -f "$pidfile"
done
