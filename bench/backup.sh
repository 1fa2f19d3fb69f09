#!/bin/bash
# Times `appliance volume backup` and `volume restore` of a volume holding SIZE of
# data against `skopeo copy` of an OCI artifact of the same size (the same data,
# already cut into gzip chunks: skopeo only moves bytes) from dir: to docker://
# and back, each against its own fresh docker-registry on 127.0.0.1, and prints
# time ratios. Also times a second backup with nothing changed (all skipped).
#
# usage: bench/backup.sh [SIZE_MB]     default 500
# env:   APPLIANCE  command to run appliance (default: java -jar cli/target/appliance.jar;
#                   build it with: mvn -B -q -pl cli -am package -DskipTests)
set -euo pipefail
size_mb=${1:-500}
here=$(cd "$(dirname "$0")/.." && pwd)
appliance=${APPLIANCE:-"java -jar $here/cli/target/appliance.jar"}
chunk=$((4 << 20))

# shellcheck source=bench/lib.sh
. "$here/bench/lib.sh"

# The data: half random, half text-like (compressible), like a database's files.
data=$work/data
head -c $((size_mb / 2 << 20)) /dev/urandom > "$data"
# (base64 may die of SIGPIPE when head has enough)
head -c $((size_mb / 2 * 3 << 18)) /dev/urandom | base64 -w 120 | head -c $((size_mb / 2 << 20)) >> "$data" || true

# The volume, laid out as appliance keeps it (docs/operations.md#volumes).
export APPLIANCE_HOME=$work/home
volume=$APPLIANCE_HOME/data/volumes/bench
mkdir -p "$volume"
uuid=$(cat /proc/sys/kernel/random/uuid)
mke2fs -q -F -t ext4 -U "$uuid" "$volume/disk.ext4" $((size_mb + size_mb / 5 + 64))M
echo "$uuid" > "$volume/uuid"
debugfs -w -R "write $data /data" "$volume/disk.ext4" > /dev/null 2>&1

# The skopeo artifact: the volume's data chunks, gzip -1, in a dir: layout.
art=$work/artifact
mkdir -p "$art" "$work/chunks"
split -b $chunk -a 4 "$volume/disk.ext4" "$work/chunks/c"
layers=""
for c in "$work"/chunks/c*; do
  if cmp -s -n "$(stat -c %s "$c")" "$c" /dev/zero; then continue; fi
  gzip -1 -n -c "$c" > "$c.gz"
  d=$(sha256sum "$c.gz" | cut -d' ' -f1)
  mv "$c.gz" "$art/$d"
  layers="$layers${layers:+,}{\"mediaType\":\"application/vnd.appliance.volume.chunk.v1+gzip\",\"digest\":\"sha256:$d\",\"size\":$(stat -c %s "$art/$d")}"
done
rm -rf "$work/chunks"
printf '{}' > "$art/config"
cd_=$(sha256sum "$art/config" | cut -d' ' -f1)
mv "$art/config" "$art/$cd_"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/vnd.appliance.volume.v1","config":{"mediaType":"application/vnd.appliance.volume.config.v1+json","digest":"sha256:%s","size":2},"layers":[%s]}' "$cd_" "$layers" > "$art/manifest.json"
echo "Directory Transport Version: 1.1" > "$art/version"

ours=$(start_registry appliance)
theirs=$(start_registry skopeo)
echo "volume: $(numfmt --to=iec "$(stat -c %s "$volume/disk.ext4")")B, $(numfmt --to=iec "$(du -sb --apparent-size "$data" | cut -f1)")B of data; artifact $(du -sh "$art" | cut -f1); load $(cut -d' ' -f1-3 /proc/loadavg)"

# shellcheck disable=SC2086 # $appliance is a command line
backup=$(measure $appliance volume backup -q bench "$ours/bench/volume:1")
# shellcheck disable=SC2086
again=$(measure $appliance volume backup -q bench "$ours/bench/volume:2")
skopeo_push=$(measure skopeo copy --quiet --preserve-digests --dest-tls-verify=false "dir:$art" "docker://$theirs/bench/volume:1")

# shellcheck disable=SC2086
restore=$(export APPLIANCE_HOME="$work/restore-home"; measure $appliance volume restore -q "$ours/bench/volume:1" bench)
skopeo_pull=$(measure skopeo copy --quiet --preserve-digests --src-tls-verify=false "docker://$theirs/bench/volume:1" "dir:$work/pulled")

cmp "$volume/disk.ext4" "$work/restore-home/data/volumes/bench/disk.ext4" || { echo "restored disk differs" >&2; exit 1; }
report backup "$backup" "$skopeo_push"
report restore "$restore" "$skopeo_pull"
echo "$again" | awk '{ printf "second backup, nothing changed: %.2f s (cpu %.2f s)\n", $1, $2 }'
