#!/bin/bash
# Benchmark (not a test): what signature verification adds to `appliance run` of
# a remote image (issue 13). One image goes to a fresh docker-registry twice:
# signed by skopeo (with a key `appliance key generate` wrote) as ops/signed:1,
# unsigned as ops/plain:1, the same digest. The policy requires the signature for
# ops/signed and accepts ops/plain. The home is warm (blobs in the store, root
# disk assembled); before each trial `rmi` drops the tag only, so the command
# must resolve the reference at the registry again, which is when the policy is
# applied (a tagged image is not checked again). Each trial times, alternating
# signed and plain:
#   pull  `pull --policy` (manifest, signatures, policy; no blob moves)
#   run   `run -d --policy` until healthy
# Prints each trial, the medians of wall and CPU time, their differences and
# the load average.
#
# Needs SKOPEO (a skopeo with sigstore: what scripts/skopeo-sigstore prints) and
# SOURCE_HOME, an APPLIANCE_HOME whose store holds IMAGE (default tiny-web:0.1.0,
# from tests/src/test/resources/recipes/tiny-web). TRIALS (default 5).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/lib.sh"
image=${IMAGE:-tiny-web:0.1.0}
trials=${TRIALS:-5}
: "${SKOPEO:?set SKOPEO to a skopeo with sigstore (scripts/skopeo-sigstore prints one)}"
: "${SOURCE_HOME:?set SOURCE_HOME to an APPLIANCE_HOME whose store holds $image}"

export APPLIANCE_HOME=$work/home APPLIANCE_KEY_PASSWORD=bench-only-passphrase
app() { "$root/appliance" "$@"; }
cleanup_instances() { app rm -f bench-signed bench-plain > /dev/null 2>&1 || true; }
trap 'cleanup_instances; cleanup' EXIT INT TERM

host=$(start_registry registry)
app key generate --output-key-prefix "$work/release" > /dev/null
printf '%s\n' "$APPLIANCE_KEY_PASSWORD" > "$work/passphrase"
printf '{"default":[{"type":"insecureAcceptAnything"}]}' > "$work/accept.json"
mkdir -p "$work/registries.d"
printf 'docker:\n  %s:\n    use-sigstore-attachments: true\n' "$host" > "$work/registries.d/bench.yaml"
skopeo_push() { # DESTINATION [SIGNING OPTIONS]: copies IMAGE from SOURCE_HOME's store
  local destination=$1
  shift
  "$SKOPEO" --policy "$work/accept.json" --registries.d "$work/registries.d" copy --quiet \
    --dest-tls-verify=false "$@" "oci:$SOURCE_HOME/data/store:$image" "docker://$destination"
}
skopeo_push "$host/ops/signed:1" \
  --sign-by-sigstore-private-key "$work/release.key" --sign-passphrase-file "$work/passphrase"
skopeo_push "$host/ops/plain:1"
cat > "$work/policy.json" <<POLICY
{"default":[{"type":"reject"}],"transports":{"docker":{
  "$host/ops/signed":[{"type":"sigstoreSigned","keyPath":"$work/release.pub"}],
  "$host/ops/plain":[{"type":"insecureAcceptAnything"}]}}}
POLICY

# Warm the home: blobs stored, root disk assembled, one boot of each.
for kind in signed plain; do
  measure "$root/appliance" pull --policy "$work/policy.json" "$host/ops/$kind:1" > /dev/null
  measure "$root/appliance" run -d --name "bench-$kind" -p 80 --policy "$work/policy.json" "$host/ops/$kind:1" > /dev/null
  app rm -f "bench-$kind" > /dev/null
done

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A times cpu
for trial in $(seq "$trials"); do
  for kind in signed plain; do
    ref=$host/ops/$kind:1
    app rmi "$ref" > /dev/null
    pull=$(measure "$root/appliance" pull --policy "$work/policy.json" "$ref")
    app rmi "$ref" > /dev/null
    run=$(measure "$root/appliance" run -d --name "bench-$kind" -p 80 --policy "$work/policy.json" "$ref")
    app rm -f "bench-$kind" > /dev/null
    echo "trial $trial $kind: pull ${pull% *} s (cpu ${pull#* } s), run to healthy ${run% *} s (cpu ${run#* } s)"
    times[$kind-pull]+="${pull% *} "
    times[$kind-run]+="${run% *} "
    cpu[$kind-pull]+="${pull#* } "
    cpu[$kind-run]+="${run#* } "
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
# CPU (user + system of the command and its children) varies far less than wall
# time on a shared host: the difference in CPU is the better estimate.
for step in pull run; do
  awk -v step="$step" \
    -v s="$(echo "${times[signed-$step]}" | median)" -v p="$(echo "${times[plain-$step]}" | median)" \
    -v cs="$(echo "${cpu[signed-$step]}" | median)" -v cp="$(echo "${cpu[plain-$step]}" | median)" \
    'BEGIN { printf "%-4s median wall signed %.2f s, unsigned %.2f s (%+d ms); cpu signed %.2f s, unsigned %.2f s (%+d ms)\n",
      step, s, p, (s - p) * 1000, cs, cp, (cs - cp) * 1000 }'
done
echo "load average before $load_before, after $load_after ($(nproc) cores)"
