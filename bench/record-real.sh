#!/usr/bin/env bash
# Record a real VXLAN capture of bulk pod traffic, for measuring podpath on
# what tcpdump writes rather than on generated files (bench/README.md, "Real
# captures"). Two network namespaces stand for two nodes, joined by a veth
# pair (172.20.1.11/24 and .12/24); each has a kernel VXLAN device named
# vxlan.calico (VNI 4096, UDP 4789) and a pod address on its loopback
# (10.244.1.10 and 10.244.2.75). A paced Python sender on node A opens
# CONNS TCP connections to node B and sends TOTAL bytes at RATE MB/s while
# tcpdump records node A's NIC.
#
# Usage: sudo bench/record-real.sh OUT.pcap [CONNS] [TOTAL_BYTES] [RATE_MB_S] [OFFLOADS]
# (also writes each node's `ip -j addr` beside it: OUT.node-a.addrs.json, OUT.node-b.addrs.json)
#   CONNS        TCP connections (default 8)
#   TOTAL_BYTES  bytes sent over all of them (default 900000000: ~1 GB of capture)
#   RATE_MB_S    pace of the sender (default 150; faster and tcpdump drops packets here)
#   OFFLOADS     "off" (default: ethtool switches TSO/GSO/GRO and checksum offload
#                off, so frames are MTU-sized with correct checksums) or "on"
#
# Needs root, iproute2, tcpdump, python3 and (for OFFLOADS=off) ethtool. The
# namespaces (pp-real-a, pp-real-b) are removed at exit. Prints tcpdump's
# counts: a run with "packets dropped by kernel" above 0 should be repeated
# at a lower RATE_MB_S.
set -euo pipefail

OUT=${1:?usage: record-real.sh OUT.pcap [CONNS] [TOTAL_BYTES] [RATE_MB_S] [OFFLOADS]}
CONNS=${2:-8}
TOTAL=${3:-900000000}
RATE=${4:-150}
OFFLOADS=${5:-off}
A=pp-real-a
B=pp-real-b

cleanup() {
  [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null || true
  ip netns del $A 2>/dev/null || true
  ip netns del $B 2>/dev/null || true
}
trap cleanup EXIT
cleanup

ip netns add $A
ip netns add $B
ip link add a-eth1 netns $A type veth peer name b-eth1 netns $B
for side in a b; do
  ns=$([ $side = a ] && echo $A || echo $B)
  me=$([ $side = a ] && echo 11 || echo 12)
  peer=$([ $side = a ] && echo 12 || echo 11)
  ip -n "$ns" link set lo up
  ip -n "$ns" addr add "172.20.1.$me/24" dev "$side-eth1"
  ip -n "$ns" link set "$side-eth1" up
  if [ "$OFFLOADS" = off ]; then
    ip netns exec "$ns" ethtool -K "$side-eth1" tso off gso off gro off tx off rx off >/dev/null
  fi
  ip -n "$ns" link add vxlan.calico type vxlan id 4096 dstport 4789 local "172.20.1.$me" remote "172.20.1.$peer" dev "$side-eth1"
  ip -n "$ns" link set vxlan.calico up
done
ip -n $A addr add 10.244.1.10/32 dev lo
ip -n $B addr add 10.244.2.75/32 dev lo
ip -n $A route add 10.244.2.64/26 dev vxlan.calico src 10.244.1.10
ip -n $B route add 10.244.1.0/26 dev vxlan.calico src 10.244.2.75

TRAFFIC=$(cat <<'EOF'
import socket, sys, threading, time
if sys.argv[1] == 'server':
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('10.244.2.75', 5001))
    s.listen(1024)
    def drain(c):
        while c.recv(1 << 20):
            pass
        c.close()
    while True:
        c, _ = s.accept()
        threading.Thread(target=drain, args=(c,), daemon=True).start()
total, conns, rate = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]) * 1e6
buf = b'x' * (1 << 16)
def send():
    c = socket.create_connection(('10.244.2.75', 5001), source_address=('10.244.1.10', 0))
    n, t0 = 0, time.time()
    while n < total // conns:
        c.sendall(buf)
        n += len(buf)
        ahead = n / (rate / conns) - (time.time() - t0)
        if ahead > 0:
            time.sleep(ahead)
    c.close()
threads = [threading.Thread(target=send) for _ in range(conns)]
t = time.time()
for x in threads: x.start()
for x in threads: x.join()
print(f'sent {total} bytes over {conns} connections in {time.time() - t:.2f} s')
EOF
)

# The nodes' addresses, for --node-addrs: OUT.node-a.addrs.json, OUT.node-b.addrs.json.
ip -n $A -j addr > "$OUT.node-a.addrs.json"
ip -n $B -j addr > "$OUT.node-b.addrs.json"
ip netns exec $B python3 -c "$TRAFFIC" server &
SERVER=$!
sleep 1
rm -f "$OUT"
ip netns exec $A tcpdump -i a-eth1 -nn -B 262144 -w "$OUT" 2> "$OUT.tcpdump.log" &
DUMP=$!
sleep 2
ip netns exec $A python3 -c "$TRAFFIC" client "$TOTAL" "$CONNS" "$RATE"
sleep 2
kill -INT $DUMP
wait $DUMP || true
grep -E 'captured|dropped' "$OUT.tcpdump.log" || true
rm -f "$OUT.tcpdump.log"
ls -l "$OUT"
