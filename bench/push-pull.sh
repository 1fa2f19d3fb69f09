#!/bin/bash
# Times `appliance push` and `appliance pull` of one image from the local store
# against `skopeo copy` of the same image, in the same run, each against its own
# fresh docker-registry on 127.0.0.1, and prints time ratios (goal: <= 1.0).
#
# usage: bench/push-pull.sh TAG        e.g. bench/push-pull.sh lamp:1.1.0
# env:   APPLIANCE  command to run appliance (default: the ./appliance launcher, as users
#                   run it; e.g. "java -jar cli/target/appliance.jar" for the bare jar).
#                   A push and a pull to a third registry run first, untimed (warm
#                   page cache and registry, as for skopeo's own first run).
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

# shellcheck source=bench/lib.sh
. "$here/bench/lib.sh"

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
