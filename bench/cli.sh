#!/bin/sh
# Benchmark (not a test): the quick commands, median of ten runs each, with the class-data
# archive (the launcher ./appliance, which maps cli/target/appliance.jsa) and without it
# (java -jar of the same jar, as a bare install runs it). Prints per command the median wall
# time and the median CPU time (user + system, less sensitive to a shared machine's load)
# of each, and their ratios. Uses the user's store; IMAGE (default lamp:1.1.0) is the image
# given to inspect (a lamp image missing from the store is built first, as run.sh does).
# RUNS changes the count.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
jar="$root/cli/target/appliance.jar"
image=${IMAGE:-lamp:1.1.0}
runs=${RUNS:-10}
"$root/appliance" --version >/dev/null # builds the jar and its archive when stale
[ -f "$root/cli/target/appliance.jsa" ] || { echo "no class-data archive beside $jar" >&2; exit 1; }
if ! "$root/appliance" inspect "$image" >/dev/null 2>&1; then
  case $image in
    lamp:*) "$root/appliance" build "$root/recipes/lamp/lamp.yaml" >&2 ;; # as run.sh does
  esac
  "$root/appliance" inspect "$image" >/dev/null || { echo "$image is not in the store" >&2; exit 1; }
fi
times=$(mktemp)
trap 'rm -f "$times"' EXIT

# "WALL CPU": the medians (seconds) of "$runs" runs of the command "$@"
medians() {
  i=0
  : >"$times"
  while [ "$i" -lt "$runs" ]; do
    /usr/bin/time -a -o "$times" -f '%e %U %S' "$@" >/dev/null 2>&1
    i=$((i + 1))
  done
  wall=$(awk '{ print $1 }' "$times" | sort -n | median)
  cpu=$(awk '{ print $2 + $3 }' "$times" | sort -n | median)
  echo "$wall $cpu"
}
median() { awk '{ v[NR] = $1 } END { printf "%.2f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-10s %19s %19s %13s\n' command "archive wall/cpu" "none wall/cpu" "ratio w/c"
for command in "--version" "images" "ps" "inspect $image"; do
  # shellcheck disable=SC2086 # the command's words split on purpose
  set -- $(medians "$root/appliance" $command) $(medians java -jar "$jar" $command)
  printf '%-10s %9s/%-9s %9s/%-9s %6s/%-6s\n' "${command%% *}" "$1" "$2" "$3" "$4" \
    "$(ratio "$1" "$3")" "$(ratio "$2" "$4")"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
