#!/bin/sh
# Benchmark (not a test): time from `appliance run` to healthy for the LAMP
# appliance on uml, against a hand-written command line doing the same in the
# same run (mke2fs -d of the image's root tree + UML 7 seccomp + vde_plug slirp),
# then a second `appliance run` of the same image (disk assembly skipped, probes
# cached: engine started within 0.5 s) and a restart (`stop`, then `start` until
# healthy); then a run on tcg against a hand-written QEMU line (TCG=0 skips it).
# Prints the numbers, the ratios and the load average before and after (goal <= 0.6
# of the hand-written line, < 10 s).
# Needs root for the hand-written line's tree (tar of the layers, mke2fs -d).
# IMAGE=lamp:1.1.0 by default; built from recipes/lamp when not in the store.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
app="$root/appliance"
image=${IMAGE:-lamp:1.1.0}
if [ -n "${APPLIANCE_HOME:-}" ]; then data=$APPLIANCE_HOME/data; state=$APPLIANCE_HOME/state
else data=${XDG_DATA_HOME:-$HOME/.local/share}/appliance; state=${XDG_STATE_HOME:-$HOME/.local/state}/appliance; fi
work=$(mktemp -d /tmp/apbench.XXXXXX)
pids=""
cleanup() {
  for p in $pids; do kill -9 "$p" 2>/dev/null || true; done
  for n in bench-run-1 bench-run-2; do "$app" rm -f "$n" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

now() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b - a) / 1e9 }'; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
  || echo $(( 20000 + $$ % 20000 )); }
wait_http() { # URL TIMEOUT_S
  end=$(( $(date +%s) + $2 ))
  until curl -fsS -o /dev/null -m 2 "$1" 2>/dev/null; do
    [ "$(date +%s)" -lt "$end" ] || return 1
    sleep 0.1
  done
}

# Seconds a command takes, its output discarded.
timed() {
  t0=$(now)
  "$@" >/dev/null
  secs "$t0" "$(now)"
}
# The hand-written line started at $t0 (its processes in $pids): waits for its health on $port,
# prints the seconds since $t0 and kills it.
hand_line_healthy() { # TIMEOUT_S
  wait_http "http://127.0.0.1:$port/healthz" "$1"
  secs "$t0" "$(now)"
  for p in $pids; do kill -9 "$p" 2>/dev/null || true; done
}
"$app" inspect "$image" >/dev/null 2>&1 || "$app" build "$root/recipes/lamp/lamp.yaml" >&2
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# --- prepare the hand-written line's inputs (not timed): the image's root tree
echo "preparing the root tree of $image for the hand-written line..." >&2
skopeo copy -q "oci:$data/store:$image" "dir:$work/oci" >&2
tree=$work/tree
mkdir -p "$tree"
for blob in $(grep -o '"digest": *"sha256:[0-9a-f]*"' "$work/oci/manifest.json" | tail -n +2 | sed 's/.*sha256://; s/"//'); do
  tar --numeric-owner --xattrs --xattrs-include='*' -xzf "$work/oci/$blob" -C "$tree"
  # OCI whiteouts: .wh.NAME deletes NAME (opaque directories are not used by our builder's layers)
  find "$tree" -name '.wh.*' | while read -r wh; do
    rm -rf "$(dirname "$wh")/$(basename "$wh" | sed 's/^\.wh\.//')" "$wh"
  done
done

# --- 1: appliance run (first run of the image in this data dir may assemble its disk)
cached_before=$(ls "$data/cache/disks" 2>/dev/null | wc -l)
port=$(free_port)
first=$(timed "$app" run -d -q --engine uml --name bench-run-1 -p "$port:80" "$image")
cached_after=$(ls "$data/cache/disks" 2>/dev/null | wc -l)
"$app" rm -f bench-run-1 >/dev/null

# --- 2: the same by hand
kernel=$(ls -t "$data"/cache/uml/*/linux.uml | head -n 1)
port=$(free_port)
t0=$(now)
mke2fs -q -F -t ext4 -d "$tree" "$work/disk.img" 4G
vde_plug "ptp://$work/vde.sock" "slirp:///tcpfwd=127.0.0.1:$port:10.0.2.15:80" >"$work/vde.log" 2>&1 &
pids="$pids $!"
while [ ! -e "$work/vde.sock" ]; do sleep 0.01; done
"$kernel" mem=1024M seccomp=on root=/dev/ubda rw "ubd0=$work/disk.img" \
  "vec0:transport=vde,vnl=ptp://$work/vde.sock" umid=bench "uml_dir=$work" \
  con0=null,fd:1 con=null ssl=null noreboot >"$work/console.log" 2>&1 </dev/null &
pids="$pids $!"
hand=$(hand_line_healthy 300)
pids=""

# --- 3: second appliance run: disk cached, engine should start within 1 s
port=$(free_port)
console="$state/instances/bench-run-2/console.log"
t0=$(now)
"$app" run -d -q --engine uml --name bench-run-2 -p "$port:80" "$image" >/dev/null &
runpid=$!
while [ ! -s "$console" ]; do sleep 0.02; done
t_engine=$(now)
wait "$runpid"
t1=$(now)
second=$(secs "$t0" "$t1")
engine=$(secs "$t0" "$t_engine")

# --- 4: restart of the second instance (its disk overlay kept)
"$app" stop bench-run-2 >/dev/null
restart=$(timed "$app" start -q bench-run-2)

# --- 5: the same on tcg (TCG=0 skips it): a second `appliance run --engine tcg` (the image's disk
# cached by step 1) against a hand-written QEMU line booting the stock tree: mke2fs -d, then
# qemu-system-x86_64 under TCG with the image's kernel and initramfs, user-mode networking.
if [ "${TCG:-1}" != 0 ]; then
  "$app" rm -f bench-run-2 >/dev/null
  vmlinuz=$(ls "$tree"/boot/vmlinuz-* | head -n 1)
  initrd=$(ls "$tree"/boot/initrd.img-* | head -n 1)
  port=$(free_port)
  t0=$(now)
  mke2fs -q -F -t ext4 -d "$tree" "$work/tcg.img" 4G
  qemu-system-x86_64 -accel tcg -machine q35 -m 1024 -nodefaults -display none -serial null \
    -kernel "$vmlinuz" -initrd "$initrd" -append "root=/dev/vda rw console=ttyS0" \
    -drive "file=$work/tcg.img,if=virtio,format=raw" \
    -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$port-:80" -device virtio-net-pci,netdev=n0 \
    </dev/null >/dev/null 2>&1 &
  pids="$pids $!"
  hand_tcg=$(hand_line_healthy 600)
  pids=""
  port=$(free_port)
  second_tcg=$(timed "$app" run -d -q --engine tcg --name bench-run-2 -p "$port:80" "$image")
fi

echo "load average before/after:      $load_before / $(cut -d' ' -f1-3 /proc/loadavg)"
echo "image:                          $image (uml, seccomp)"
echo "appliance run, first:           ${first} s  (disk cache entries before/after: $cached_before/$cached_after)"
echo "hand-written (mke2fs+uml+slirp): ${hand} s"
echo "appliance run, second:          ${second} s  (engine console after ${engine} s)"
echo "appliance start after stop:     ${restart} s"
echo "ratio second/hand:              $(awk -v a="$second" -v b="$hand" 'BEGIN { printf "%.2f", a / b }')  (goal <= 0.6)"
echo "ratio first/hand:               $(awk -v a="$first" -v b="$hand" 'BEGIN { printf "%.2f", a / b }')"
if [ "${TCG:-1}" != 0 ]; then
  echo "tcg, hand-written (mke2fs+qemu): ${hand_tcg} s"
  echo "tcg, appliance run, second:     ${second_tcg} s"
  echo "tcg, ratio second/hand:         $(awk -v a="$second_tcg" -v b="$hand_tcg" 'BEGIN { printf "%.2f", a / b }')"
fi
