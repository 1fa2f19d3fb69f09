#!/bin/sh
# Benchmark (not a test): how fast the snort sensor on uml inspects replayed traffic
# without loss, against the image's own Suricata reading the same pcap on the host
# (`appliance analyze`, i.e. `suricata -r` in the engine sandbox: the ceiling).
#   1. makes a pcap of N HTTP sessions (scapy; default 2000 sessions, 20,000 frames);
#   2. ceiling: analyze of HOST_COPIES (20) copies of that traffic minus analyze of a
#      1-session pcap (start-up cost), per copy;
#   3. sensor: `run --capture-from pcap:FILE,rate=RATE` on uml; the replay's own event gives
#      frames and seconds; /healthz gives Suricata's capture.kernel_packets and
#      capture.kernel_drops once its stats have caught up.
# Prints pps and Mbit/s of both and the ratio. IMAGE=snort:1.0.0 (built when missing).
# RATE=max (default: as fast as the guest takes frames) or recorded, with GAP_US
# microseconds between frames in the pcap (default 100, i.e. 10,000 pps): lower the
# rate until kernel_drops is 0 to find the lossless rate.
# usage: bench/ids.sh [SESSIONS]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
app="java -jar $root/cli/target/appliance.jar"
[ -f "$root/cli/target/appliance.jar" ] || (cd "$root" && mvn -B -q -pl cli -am package -DskipTests)
image=${IMAGE:-snort:1.0.0}
sessions=${1:-2000}
rate=${RATE:-max}
gap_us=${GAP_US:-100}
work=$(mktemp -d /tmp/idsbench.XXXXXX)
name=ids-bench-$$
cleanup() { $app rm -f "$name" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM

$app inspect "$image" >/dev/null 2>&1 || $app build "$root/recipes/snort/snort.yaml"

host_copies=${HOST_COPIES:-20}
/usr/bin/python3 - "$work" "$sessions" "$gap_us" "$host_copies" <<'PY'
import sys
from scapy.all import IP, TCP, Ether, wrpcap
out, n, gap = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) / 1e6
def sessions(count):
    pkts, t = [], 1_700_000_000.0
    body = b"x" * 1200
    for i in range(count):
        cli, sport = "198.51.%d.%d" % (100 + i // 250 % 100, 1 + i % 250), 10000 + i % 50000
        up = lambda: Ether(src="02:00:5e:00:00:07", dst="02:00:5e:00:00:10") / IP(src=cli, dst="192.168.50.10")
        down = lambda: Ether(src="02:00:5e:00:00:10", dst="02:00:5e:00:00:07") / IP(src="192.168.50.10", dst=cli)
        req = b"GET /page/%d HTTP/1.1\r\nHost: 192.168.50.10\r\n\r\n" % i
        resp = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % (3 * len(body))
        c, s = 1000, 5000
        seq = [up() / TCP(sport=sport, dport=80, flags="S", seq=c),
               down() / TCP(sport=80, dport=sport, flags="SA", seq=s, ack=c + 1),
               up() / TCP(sport=sport, dport=80, flags="A", seq=c + 1, ack=s + 1),
               up() / TCP(sport=sport, dport=80, flags="PA", seq=c + 1, ack=s + 1) / req]
        c, s = c + 1 + len(req), s + 1
        for chunk in (resp + body, body, body):
            seq.append(down() / TCP(sport=80, dport=sport, flags="PA", seq=s, ack=c) / chunk)
            s += len(chunk)
        seq += [up() / TCP(sport=sport, dport=80, flags="A", seq=c, ack=s),
                up() / TCP(sport=sport, dport=80, flags="FA", seq=c, ack=s),
                down() / TCP(sport=80, dport=sport, flags="FA", seq=s, ack=c + 1)]
        for p in seq:
            t += gap
            p.time = t
            pkts.append(p)
    return pkts
wrpcap(out + "/bench.pcap", sessions(n))
wrpcap(out + "/one.pcap", sessions(1))
# The host reads HOST_COPIES copies of the traffic: enough that reading, not start-up, dominates.
with open(out + "/bench.pcap", "rb") as f:
    header, records = f.read(24), f.read()
with open(out + "/host.pcap", "wb") as f:
    f.write(header)
    for _ in range(int(sys.argv[4])):
        f.write(records)
PY
frames=$(tcpdump -nr "$work/bench.pcap" 2>/dev/null | wc -l)
bytes=$(stat -c %s "$work/bench.pcap")

now() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }
$app analyze "$image" --pcap "$work/one.pcap" >/dev/null 2>&1 # extracts suricata once (cached)
t0=$(now); $app analyze "$image" --pcap "$work/one.pcap" >/dev/null 2>&1; t1=$(now)
$app analyze "$image" --pcap "$work/host.pcap" >/dev/null 2>&1; t2=$(now)
startup=$(secs "$t0" "$t1"); full=$(secs "$t1" "$t2")
# seconds per copy of the traffic, start-up subtracted
host=$(awk -v f="$full" -v s="$startup" -v n="$host_copies" 'BEGIN { d = (f - s) / n; if (d < 0.001) d = 0.001; printf "%.4f", d }')

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
$app run "$image" -d --name "$name" --engine uml -p "$port:8080" \
    --capture-from "pcap:$work/bench.pcap,rate=$rate" >/dev/null
event=""
for _ in $(seq 1 600); do
  event=$($app ps --json | python3 -c 'import json,sys
for i in json.load(sys.stdin):
    for e in i["events"]:
        if e.startswith("capture capture: replayed"): print(e)' | tail -1)
  [ -n "$event" ] && break
  sleep 1
done
[ -n "$event" ] || { echo "the replay did not finish" >&2; exit 1; }
replay=$(echo "$event" | sed -n 's/.* in \([0-9.]*\) s$/\1/p')
sleep 20 # Suricata writes stats every 8 s
capture=$(curl -fsS "http://127.0.0.1:$port/healthz" | python3 -c 'import json,sys
c=json.load(sys.stdin).get("capture") or {}; print(c.get("kernel_packets","?"), c.get("kernel_drops","?"))')

awk -v rate="$rate" -v f="$frames" -v b="$bytes" -v h="$host" -v r="$replay" -v st="$startup" -v c="$capture" -v ev="$event" 'BEGIN {
  split(c, k, " ")
  printf "pcap: %d frames, %d bytes\n", f, b
  printf "host (appliance analyze, suricata -r, start-up %.2f s subtracted, per copy): %.4f s, %.0f pps, %.1f Mbit/s\n", st, h, f / h, b * 8 / h / 1e6
  printf "sensor on uml (replay rate=%s): %.3f s, %.0f pps, %.1f Mbit/s; kernel_packets %s, kernel_drops %s\n", rate, r, f / r, b * 8 / r / 1e6, k[1], k[2]
  printf "ratio sensor/host pps: %.2f\n", (f / r) / (f / h)
  printf "(%s)\n", ev
}'
