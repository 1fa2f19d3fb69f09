#!/bin/bash
# Times `appliance push` and `appliance pull` of one image from the local store
# against `skopeo copy` of the same image, in the same run, each against its own
# fresh docker-registry on 127.0.0.1, and prints time ratios (goal: <= 1.0).
#
# usage: bench/push-pull.sh TAG        e.g. bench/push-pull.sh lamp:1.0.0
# env:   APPLIANCE  command to run appliance (default: the ./appliance launcher, as users
#                   run it; e.g. "java -jar cli/target/appliance.jar" for the bare jar).
#                   A push and a pull to a third registry run first, untimed: the
#                   launcher's first run of a command writes its class-data archive.
#        APPLIANCE_HOME / XDG_DATA_HOME select the store, as for appliance itself.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 TAG" >&2; exit 2; }
tag=$1
here=$(cd "$(dirname "$0")/.." && pwd)
appliance=${APPLIANCE:-"$here/appliance"}
if [ -n "${APPLIANCE_HOME:-}" ]; then
  store=$APPLIANCE_HOME/data/store
else
  store=${XDG_DATA_HOME:-$HOME/.local/share}/appliance/store
fi
[ -f "$store/index.json" ] || { echo "no image store at $store" >&2; exit 1; }

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
  echo "$1 $2 $3" | awk '{ printf "%-5s appliance %6.2f s (cpu %5.2f s)   skopeo %6.2f s (cpu %5.2f s)   ratio %.2f (cpu %.2f)\n",
    $1, $2, $3, $4, $5, $2 / $4, $3 / $5 }'
}

warmup=$(start_registry warmup)
# shellcheck disable=SC2086 # $appliance is a command line
$appliance push -q "$tag" "$warmup/bench/image:1" > /dev/null
# shellcheck disable=SC2086
(export APPLIANCE_HOME="$work/warmup-home"; $appliance pull -q "$warmup/bench/image:1" > /dev/null)
kill "$(cat "$work/warmup/pid")"

ours=$(start_registry appliance)
theirs=$(start_registry skopeo)
size=$(du -sb "$store/blobs" | cut -f1)
echo "image $tag from $store (store holds $(numfmt --to=si "$size")B of blobs)"

# shellcheck disable=SC2086 # $appliance is a command line
push=$(measure $appliance push -q "$tag" "$ours/bench/image:1")
skopeo_push=$(measure skopeo copy --quiet --dest-tls-verify=false "oci:$store:$tag" "docker://$theirs/bench/image:1")

pull_home=$work/pull-home
# shellcheck disable=SC2086
pull=$(export APPLIANCE_HOME="$pull_home"; measure $appliance pull -q "$ours/bench/image:1")
skopeo_pull=$(measure skopeo copy --quiet --src-tls-verify=false "docker://$theirs/bench/image:1" "oci:$work/skopeo-pull:image")

report push "$push" "$skopeo_push"
report pull "$pull" "$skopeo_pull"
