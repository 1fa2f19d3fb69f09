#!/bin/bash
# Times `appliance push --root-slot` of one image against the same work written by hand, in
# the same run, each to its own fresh docker-registry on 127.0.0.1, and prints the ratio.
# Both start from the image's cached root disk (assembled by an untimed push first) and
# its layers already in the registry, so only the root-slot image is timed:
#   appliance   push --root-slot (shrink, compress, digest, upload the blob and manifest)
#   by hand     cp --sparse, e2fsck -f, resize2fs -M, gzip -1, sha256sum of the raw and
#               the compressed image, and a monolithic blob upload with curl
#
# usage: bench/root-slot.sh TAG        e.g. bench/root-slot.sh lamp:1.1.0
# env:   APPLIANCE (default: the ./appliance launcher); APPLIANCE_HOME / XDG_DATA_HOME
#        select the store and its disk cache, as for appliance itself.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 TAG" >&2; exit 2; }
tag=$1
here=$(cd "$(dirname "$0")/.." && pwd)
appliance=${APPLIANCE:-"$here/appliance"}
data=${APPLIANCE_HOME:+$APPLIANCE_HOME/data}
data=${data:-${XDG_DATA_HOME:-$HOME/.local/share}/appliance}

# shellcheck source=bench/lib.sh
. "$here/bench/lib.sh"

ours=$(start_registry ours)
hand=$(start_registry hand)
# Untimed: the layers into both registries; the first push also assembles the cached disk.
# shellcheck disable=SC2086 # $appliance is a command line
$appliance push -q --root-slot "$tag" "$ours/bench/image:warmup" > /dev/null
# shellcheck disable=SC2086
$appliance push -q "$tag" "$hand/bench/image:1" > /dev/null
digest=$(curl -fsS -o /dev/null -w '%header{docker-content-digest}' \
  -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$hand/v2/bench/image/manifests/1")
disk=$(ls "$data"/cache/disks/"${digest/:/-}"-*.ext4)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

by_hand() {
  cp --sparse=always "$disk" "$work/rootfs.ext4"
  e2fsck -f -y "$work/rootfs.ext4" > /dev/null || [ $? -eq 1 ]
  resize2fs -M "$work/rootfs.ext4" 2> /dev/null
  gzip -1 -c "$work/rootfs.ext4" > "$work/rootfs.ext4.gz"
  sha256sum "$work/rootfs.ext4" > /dev/null
  blob=sha256:$(sha256sum "$work/rootfs.ext4.gz" | cut -d' ' -f1)
  location=$(curl -fsS -X POST -o /dev/null -w '%header{location}' "http://$hand/v2/bench/image/blobs/uploads/")
  case $location in http*) ;; *) location=http://$hand$location ;; esac
  curl -fsS -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@$work/rootfs.ext4.gz" \
    "$location&digest=$blob" > /dev/null
  rm -f "$work/rootfs.ext4" "$work/rootfs.ext4.gz"
}

# shellcheck disable=SC2086
read -r ours_wall ours_cpu < <(measure $appliance push -q --root-slot "$tag" "$ours/bench/image:1")
read -r hand_wall hand_cpu < <(measure by_hand)

echo "load average before/after:   $load_before / $(cut -d' ' -f1-3 /proc/loadavg)"
echo "image:                       $tag ($disk)"
echo "appliance push --root-slot:  ${ours_wall} s wall, ${ours_cpu} s CPU"
echo "by hand (gzip -1):           ${hand_wall} s wall, ${hand_cpu} s CPU"
echo "ratio appliance/hand (wall): $(awk -v a="$ours_wall" -v b="$hand_wall" 'BEGIN { printf "%.2f", a / b }')"
