# Shared by the bench scripts (sourced): a work directory removed on exit, fresh
# docker-registry instances, and timing. Needs: set -euo pipefail in the caller.

work=$(mktemp -d)
cleanup() {
  # start_registry runs in a command substitution (a subshell): its pids are in files.
  for pidfile in "$work"/*/pid; do
    [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# start_registry NAME -> prints host:port of a fresh registry (port chosen by the kernel)
start_registry() {
  mkdir -p "$work/$1"
  cat > "$work/$1/config.yml" <<CONFIG
version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/$1/storage
http:
  addr: 127.0.0.1:0
CONFIG
  docker-registry serve "$work/$1/config.yml" > "$work/$1/log" 2>&1 &
  echo $! > "$work/$1/pid"
  for _ in $(seq 100); do
    address=$(sed -n 's/.*msg="listening on \(127\.0\.0\.1:[0-9]*\)".*/\1/p' "$work/$1/log")
    if [ -n "$address" ] && curl -fs "http://$address/v2/" > /dev/null; then
      echo "$address"
      return
    fi
    sleep 0.1
  done
  echo "registry $1 did not start: $(cat "$work/$1/log")" >&2
  exit 1
}

# measure CMD... -> runs CMD, prints "WALL CPU" in seconds (CPU = user + system of
# the command and its children: on a shared, busy host it varies much less than WALL)
measure() {
  local TIMEFORMAT='%R %U %S'
  { time "$@" > /dev/null 2> "$work/stderr"; } 2> "$work/time" || { cat "$work/stderr" >&2; exit 1; }
  awk '{ printf "%s %.2f\n", $1, $2 + $3 }' "$work/time"
}

# report NAME "WALL CPU" "WALL CPU"
report() {
  echo "$1 $2 $3" | awk '{ printf "%-8s appliance %6.2f s (cpu %5.2f s)   skopeo %6.2f s (cpu %5.2f s)   ratio %.2f (cpu %.2f)\n",
    $1, $2, $3, $4, $5, $2 / $4, $3 / $5 }'
}

