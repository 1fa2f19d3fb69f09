#!/bin/sh
# Benchmark of 'appliance build' (not a test). Run as root from the repository root:
#   sh bench/build.sh
# 1. cold build of recipes/lamp (empty APPLIANCE_HOME: no layer or .deb cache)
#    versus a bare mmdebstrap of the same package set into a directory, in the
#    same run and with the same mirror; prints the ratio (goal <= 1.15, issue 18);
# 2. warm rebuild after changing one file of the recipe (goal <= 10 s);
# 3. the same comparison without the mirror's download times, which vary by a quarter
#    between runs: `build --no-cache` in the home of step 1 (its .deb cache and apt
#    lists full) against a bare mmdebstrap given that cache and those lists, bound in
#    as the builder's base step binds them.
# APPLIANCE: the command to run appliance (default: the ./appliance launcher, as users run
# it; "java -jar cli/target/appliance.jar" for the bare jar, as this script did until
# 2026-12-07: one JVM start more per build).
set -eu
cd "$(dirname "$0")/.."
APPLIANCE=${APPLIANCE:-"$PWD/appliance"}
WORK=$(mktemp -d /var/tmp/appliance-bench.XXXXXX)
trap 'rm -rf --one-file-system "$WORK"' EXIT

# The mirror, as the builder finds it: the host's first non-security Debian source.
MIRROR=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[ -n "$MIRROR" ] || MIRROR=$(awk '$1 == "deb" && $0 !~ /security/ {print $2; exit}' /etc/apt/sources.list)
MIRROR=${MIRROR%/}

# The package set of recipes/lamp (its base's packages, its own, the kernels), as the
# recipe itself declares it.
PACKAGES=$($APPLIANCE validate --json recipes/lamp/lamp.yaml |
  jq -r '[.packages[], .kernels.qemu, .kernels.uml + "/" + .kernels.umlSuite] | join(",")')
# The host's Check-Valid-Until/Check-Date settings (a snapshot mirror's Release file has expired), as the builder does.
apt-config dump | grep -E '^Acquire::Check-(Valid-Until|Date) ' > "$WORK/host-apt.conf" || true

now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc; }

echo "== bare mmdebstrap (mirror $MIRROR)" >&2
t0=$(now)
mmdebstrap --quiet --mode=root --variant=minbase --include="$PACKAGES" --aptopt="$WORK/host-apt.conf" \
  --aptopt='APT::Default-Release "trixie"' trixie "$WORK/bare" \
  "deb $MIRROR trixie main" "deb $MIRROR sid main"
t1=$(now)
BARE=$(elapsed "$t0" "$t1")
rm -rf --one-file-system "$WORK/bare"

cp -r recipes "$WORK/recipes"
rm -f "$WORK/recipes/lamp/lamp.yaml.lock" "$WORK/recipes/base/debian.yaml.lock"
export APPLIANCE_HOME="$WORK/home"
echo "== cold appliance build" >&2
t0=$(now)
$APPLIANCE build "$WORK/recipes/lamp/lamp.yaml" -t bench-lamp:cold
t1=$(now)
COLD=$(elapsed "$t0" "$t1")

echo "# bench change $(date +%s)" >> "$WORK/recipes/lamp/files/lamp-demo.conf"
echo "== warm rebuild after changing one file" >&2
t0=$(now)
$APPLIANCE build "$WORK/recipes/lamp/lamp.yaml" -t bench-lamp:warm
t1=$(now)
WARM=$(elapsed "$t0" "$t1")

echo "== appliance build --no-cache, same home" >&2
t0=$(now)
$APPLIANCE build --no-cache "$WORK/recipes/lamp/lamp.yaml" -t bench-lamp:nocache
t1=$(now)
NOCACHE=$(elapsed "$t0" "$t1")

DEBS="$APPLIANCE_HOME/data/cache/debs"
set -- "$APPLIANCE_HOME"/data/cache/apt-lists/*
[ $# -eq 1 ] || { echo "expected one apt lists directory in the home, found: $*" >&2; exit 1; }
LISTS=$1
echo "== bare mmdebstrap with that home's .deb cache and apt lists" >&2
t0=$(now)
mmdebstrap --quiet --mode=root --variant=minbase --include="$PACKAGES" --aptopt="$WORK/host-apt.conf" \
  --aptopt='APT::Default-Release "trixie"' \
  --setup-hook='mkdir -p "$1/var/cache/apt/archives" "$1/var/lib/apt/lists"'" && mount --bind '$DEBS' \"\$1/var/cache/apt/archives\" && mount --bind '$LISTS' \"\$1/var/lib/apt/lists\"" \
  --customize-hook='umount "$1/var/cache/apt/archives" "$1/var/lib/apt/lists"' \
  trixie "$WORK/bare-cached" "deb $MIRROR trixie main" "deb $MIRROR sid main"
t1=$(now)
BARE_CACHED=$(elapsed "$t0" "$t1")
rm -rf --one-file-system "$WORK/bare-cached"

echo
printf 'bare mmdebstrap:           %6.1f s\n' "$BARE"
printf 'cold appliance build:      %6.1f s\n' "$COLD"
printf 'ratio cold / bare:         %6.2f   (goal <= 1.15)\n' "$(echo "$COLD / $BARE" | bc -l)"
printf 'warm rebuild, one file:    %6.1f s   (goal <= 10 s)\n' "$WARM"
printf 'cached, bare mmdebstrap:   %6.1f s\n' "$BARE_CACHED"
printf 'cached, build --no-cache:  %6.1f s\n' "$NOCACHE"
printf 'ratio cached:              %6.2f   (goal <= 1.15)\n' "$(echo "$NOCACHE / $BARE_CACHED" | bc -l)"
