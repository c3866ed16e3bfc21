#!/usr/bin/env bash
# Runs the sample app against a local Kinesis: starts the local servers (installing what is
# missing), builds the project, runs the app on http://localhost:8080 until Ctrl-C, then stops the
# servers it started.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

bash scripts/start-local-servers.sh
trap 'bash scripts/stop-local-servers.sh' EXIT

./mvnw -B -q -DskipTests package
export KINESIS_ENDPOINT="${KINESIS_ENDPOINT:-http://127.0.0.1:${KINESIS_PORT:-4567}}"
java -jar sample-app/target/sample-app-*-exec.jar --spring.profiles.active=local "$@"
