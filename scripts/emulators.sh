# Shell functions shared by the scripts that start or probe local Kinesis emulators. Source it:
#   . "$here/emulators.sh"
# It defines no variables of its own except kinesalite_pid (set by start_kinesalite).

# Whether a Kinesis API answers ListStreams on 127.0.0.1:$1 ($2: http or https, default http;
# a self-signed certificate is accepted).
kinesis_answers() {
  curl -skf -o /dev/null -m 2 -X POST "${2:-http}://127.0.0.1:$1/" \
    -H 'Content-Type: application/x-amz-json-1.1' -H 'X-Amz-Target: Kinesis_20131202.ListStreams' \
    -H 'X-Amz-Date: 20260101T000000Z' -H 'Authorization: AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=0' \
    -d '{}'
}

# Whether something listens on 127.0.0.1:$1.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The version of an npm package installed under scripts/node_modules.
package_version() {
  sed -n 's/^ *"version" *: *"\([^"]*\)".*/\1/p' "$emulators_dir/node_modules/$1/package.json" | head -n 1
}

# Installs the pinned npm packages (kinesis-local, dynalite, kinesalite) when one is missing.
install_emulators() {
  if [ -f "$emulators_dir/node_modules/kinesis-local/main.js" ] && [ -f "$emulators_dir/node_modules/dynalite/cli.js" ] \
    && [ -f "$emulators_dir/node_modules/kinesalite/cli.js" ]; then
    return 0
  fi
  command -v npm >/dev/null || { echo "npm is required (Node.js 20+); install Node.js first" >&2; return 1; }
  echo "installing the emulators (npm ci, pinned by scripts/package-lock.json)" >&2
  (cd "$emulators_dir" && npm ci --no-audit --no-fund --loglevel=error) >&2
}

# Starts kinesalite on 127.0.0.1:$1 ($2: http or https), logging to the file $3, and waits until it
# answers. Sets kinesalite_pid; stop it with stop_kinesalite.
start_kinesalite() {
  local port=$1 scheme=$2 logfile=$3 ssl=""
  if port_open "$port"; then
    echo "port $port is taken; stop what listens there or set KINESALITE_PORT" >&2
    return 1
  fi
  [ "$scheme" = https ] && ssl="--ssl"
  mkdir -p "$(dirname "$logfile")"
  echo "starting kinesalite on $scheme://127.0.0.1:$port" >&2
  # shellcheck disable=SC2086 # ssl is empty or one option
  node --require "$emulators_dir/../kinesis-spring-boot-test/src/main/resources/META-INF/kinesis-local/listen-loopback.js" \
    --require "$emulators_dir/ignore-client-aborts.js" "$emulators_dir/node_modules/kinesalite/cli.js" --port "$port" \
    --createStreamMs 10 --deleteStreamMs 10 --updateStreamMs 10 --shardLimit 1000 $ssl >"$logfile" 2>&1 &
  kinesalite_pid=$!
  for _ in $(seq 1 60); do
    kinesis_answers "$port" "$scheme" && return 0
    kill -0 "$kinesalite_pid" 2>/dev/null || { echo "kinesalite exited:" >&2; cat "$logfile" >&2; return 1; }
    sleep 0.5
  done
  echo "kinesalite did not answer within 30 s; its log is $logfile" >&2
  return 1
}

stop_kinesalite() {
  if [ -n "${kinesalite_pid:-}" ] && kill -0 "$kinesalite_pid" 2>/dev/null; then
    kill "$kinesalite_pid"
    for _ in $(seq 1 50); do kill -0 "$kinesalite_pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$kinesalite_pid" 2>/dev/null && kill -9 "$kinesalite_pid"
    echo "stopped kinesalite (pid $kinesalite_pid)" >&2
  fi
  kinesalite_pid=""
}

emulators_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
