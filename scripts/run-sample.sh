#!/usr/bin/env bash
# Runs the sample app on http://localhost:8080 with the "local" profile: the app installs
# kinesis-local (npm, into ~/.cache/kinesis-spring-boot) on first use, starts it on 127.0.0.1 and
# stops it when the app stops (Ctrl-C). Needs Java 17+ and Node.js with npm.
# Extra arguments go to the app, for example --kinesis.endpoint=http://127.0.0.1:4567 to use an
# emulator you started yourself (scripts/start-local-servers.sh).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

./mvnw -B -q -DskipTests package
exec java -jar sample-app/target/sample-app-*-exec.jar --spring.profiles.active=local "$@"
