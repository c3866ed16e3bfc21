#!/usr/bin/env bash
# Runs the sample app on http://localhost:8080 with the "local" profile, against a local Kinesis:
# the launcher in the sample's test sources (TestSampleApplication) installs kinesis-local (npm,
# into ~/.cache/kinesis-spring-boot) on first use, starts it on 127.0.0.1 and stops it when the
# app stops (Ctrl-C). Needs Java 17+ and Node.js with npm.
# It first installs the library's modules into your local Maven repository (~/.m2), as the sample
# is run on its own from there.
# Extra arguments go to the app, for example --kinesis.endpoint=http://127.0.0.1:4567 to use an
# emulator you started yourself (scripts/start-local-servers.sh), or
# --spring.profiles.active=local,redis to keep checkpoints in Redis.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

# the sample runs without AOT here, so its build skips the AOT processing
./mvnw -B -q -DskipTests -Dspring-boot.aot.skip=true install
exec ./mvnw -B -q -f sample-app/pom.xml spring-boot:test-run \
  -Dspring-boot.run.main-class=dev.kinesisboot.sample.TestSampleApplication \
  -Dspring-boot.run.arguments="$*"
