#!/usr/bin/env bash
# Re-record real IPv6 "Calico-like" pod traffic captures between two network
# namespaces (r6-a = node a, r6-b = node b) joined by a veth pair (eth1/eth1).
#
#   vx6in4.pcap  IPv6 (+ some IPv4) pod traffic over VXLAN with IPv4 underlay (vxlan.calico)
#   vx6in6.pcap  IPv6 pod traffic over VXLAN with IPv6 underlay (vxlan-v6.calico)
#   plain6.pcap  IPv6 pod traffic routed natively (Calico BGP, no encapsulation)
#   any6.pcap    like vx6in4 but smaller and captured with `tcpdump -i any` (SLL2)
#   node-a.addrs.json / node-b.addrs.json   `ip -j addr` of each namespace (VXLAN v4 case)
#
# Needs root, iproute2, tcpdump, ethtool, python3.  Idempotent: old namespaces are
# deleted first and always deleted on exit.
#   usage: sudo bench/record-real-ipv6.sh [OUTDIR]      (default: /tmp/podpath-real6)
# Sizes: BULK_MB, SMALL_MB, V4_MB, NCONN (environment); BULK_MB=400 gives ~450 MB files.
set -euo pipefail

OUT=${1:-/tmp/podpath-real6}
mkdir -p "$OUT"
NA=r6-a
NB=r6-b
PY=${PYTHON:-/usr/bin/python3}
[ -x "$PY" ] || PY=python3
BULK_MB=${BULK_MB:-50}      # IPv6 bulk TCP volume for cases 1-3
SMALL_MB=${SMALL_MB:-10}    # IPv6 bulk TCP volume for case 4
V4_MB=${V4_MB:-4}           # IPv4 pod TCP volume (cases 1 and 4)
NCONN=${NCONN:-8}
VX4_CSUM=${VX4_CSUM:-udpcsum}  # outer UDP checksum of the IPv4-underlay VXLAN: udpcsum | noudpcsum (zero csum)
PACE=${PACE:-12500000}  # per-connection SO_MAX_PACING_RATE in bytes/s (0 = none); keeps tcpdump from dropping
export PACE

for t in ip tcpdump ethtool; do
  command -v $t >/dev/null || { echo "missing $t (apt-get install -y iproute2 tcpdump ethtool)"; exit 1; }
done

# ---------------------------------------------------------------- helpers
XFER="$OUT/tcpxfer.py"
cat >"$XFER" <<'EOF'
#!/usr/bin/env python3
"""Tiny bulk TCP tool.
server ADDR PORT NCONN      : accept NCONN connections, read each to EOF, exit
client SRC DST PORT NCONN MB: NCONN parallel connections from SRC, MB megabytes in total
"""
import os, socket, sys, threading

def family(a):
    return socket.AF_INET6 if ":" in a else socket.AF_INET

def serve(addr, port, n):
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(64)
    print("listening", flush=True)
    ths, total = [], [0]
    def sink(c):
        got = 0
        while True:
            b = c.recv(1 << 16)
            if not b:
                break
            got += len(b)
        c.close()
        total[0] += got
    for _ in range(n):
        c, _ = s.accept()
        t = threading.Thread(target=sink, args=(c,)); t.start(); ths.append(t)
    for t in ths:
        t.join()
    s.close()
    print("server received %d bytes" % total[0], flush=True)

def client(src, dst, port, n, mb):
    per = int(mb * 1000 * 1000 / n)
    buf = bytes(range(256)) * 256          # 64 KiB non-zero pattern
    def send():
        s = socket.socket(family(dst), socket.SOCK_STREAM)
        pace = int(os.environ.get("PACE", "0"))
        if pace:
            s.setsockopt(socket.SOL_SOCKET, 47, pace)   # SO_MAX_PACING_RATE
        s.bind((src, 0))
        s.connect((dst, port))
        left = per
        while left > 0:
            k = s.send(buf[:min(left, len(buf))])
            left -= k
        s.shutdown(socket.SHUT_WR)
        while s.recv(4096):
            pass
        s.close()
    ths = [threading.Thread(target=send) for _ in range(n)]
    for t in ths: t.start()
    for t in ths: t.join()
    print("client sent %d bytes" % (per * n), flush=True)

if __name__ == "__main__":
    a = sys.argv
    if a[1] == "server":
        serve(a[2], int(a[3]), int(a[4]))
    else:
        client(a[2], a[3], int(a[4]), int(a[5]), float(a[6]))
EOF

ina() { ip netns exec $NA "$@"; }
inb() { ip netns exec $NB "$@"; }

cleanup() {
  ip netns del $NA 2>/dev/null || true
  ip netns del $NB 2>/dev/null || true
}
trap cleanup EXIT

noofl() {   # ns dev : turn offloads off so the wire carries MTU-sized frames with real checksums
  local f
  for f in tx rx sg gso tso gro lro ufo tx-udp_tnl-segmentation tx-udp_tnl-csum-segmentation; do
    ip netns exec "$1" ethtool -K "$2" $f off >/dev/null 2>&1 || true
  done
}

# base: fresh namespaces, veth eth1<->eth1, underlay v4+v6, pod addresses on lo
base() {
  cleanup
  ip netns add $NA
  ip netns add $NB
  local ns
  for ns in $NA $NB; do
    ip netns exec $ns sysctl -qw net.ipv6.conf.all.accept_dad=0 \
      net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.dad_transmits=0 \
      net.ipv6.conf.default.dad_transmits=0 net.ipv4.conf.all.rp_filter=0 \
      net.ipv4.conf.default.rp_filter=0
    ip netns exec $ns ip link set lo up
  done
  ip link add eth1 netns $NA address 02:42:ac:10:0a:01 type veth peer name eth1 netns $NB address 02:42:ac:10:0a:02
  ina ip addr add 172.16.10.1/24 dev eth1
  inb ip addr add 172.16.10.2/24 dev eth1
  ina ip -6 addr add fd00:10::1/64 dev eth1 nodad
  inb ip -6 addr add fd00:10::2/64 dev eth1 nodad
  ina ip link set eth1 up
  inb ip link set eth1 up
  noofl $NA eth1
  noofl $NB eth1
  # pod addresses (Calico would put these in pod netns behind a cali* veth; here on lo)
  ina ip -6 addr add fd00:244:a::5/128 dev lo nodad
  inb ip -6 addr add fd00:244:b::7/128 dev lo nodad
  ina ip addr add 10.244.1.5/32 dev lo
  inb ip addr add 10.244.2.7/32 dev lo
}

# vxlan DEV UNDERLAY(4|6): Calico-style VXLAN device, per-peer fdb + permanent neighbours
vxlan() {
  local dev=$1 fam=$2 la lb
  if [ "$fam" = 4 ]; then la=172.16.10.1; lb=172.16.10.2; else la=fd00:10::1; lb=fd00:10::2; fi
  local maca=66:1e:0a:f4:01:00 macb=66:1e:0a:f4:02:00 opt=
  [ "$fam" = 4 ] && opt=$VX4_CSUM
  ina ip link add $dev address $maca type vxlan id 4096 dstport 4789 local $la dev eth1 nolearning $opt
  inb ip link add $dev address $macb type vxlan id 4096 dstport 4789 local $lb dev eth1 nolearning $opt
  ina ip link set $dev up
  inb ip link set $dev up
  noofl $NA $dev
  noofl $NB $dev
  # VTEP addresses
  ina ip -6 addr add fd00:1::1/64 dev $dev nodad
  inb ip -6 addr add fd00:1::2/64 dev $dev nodad
  # per-peer forwarding (what Calico's felix programs)
  ina bridge fdb add $macb dev $dev dst $lb self permanent
  inb bridge fdb add $maca dev $dev dst $la self permanent
  ina ip -6 neigh replace fd00:1::2 lladdr $macb dev $dev nud permanent
  inb ip -6 neigh replace fd00:1::1 lladdr $maca dev $dev nud permanent
  # pod routes through the tunnel
  ina ip -6 route add fd00:244:b::/64 via fd00:1::2 dev $dev
  inb ip -6 route add fd00:244:a::/64 via fd00:1::1 dev $dev
  if [ "$fam" = 4 ]; then
    # IPv4 pod traffic too (Calico: vxlan.calico gets a /32 from the block, routes onlink)
    ina ip addr add 10.244.1.0/32 dev $dev
    inb ip addr add 10.244.2.0/32 dev $dev
    ina ip neigh replace 10.244.2.0 lladdr $macb dev $dev nud permanent
    inb ip neigh replace 10.244.1.0 lladdr $maca dev $dev nud permanent
    ina ip route add 10.244.2.0/24 via 10.244.2.0 dev $dev onlink
    inb ip route add 10.244.1.0/24 via 10.244.1.0 dev $dev onlink
  fi
}

plain() {   # Calico BGP, no encapsulation: peer pod /64 via the peer node's address
  ina ip -6 route add fd00:244:b::/64 via fd00:10::2 dev eth1
  inb ip -6 route add fd00:244:a::/64 via fd00:10::1 dev eth1
}

TCPD_PID=
TCPD_ERR=
cap_start() {   # FILE IFACE
  rm -f "$1"
  TCPD_ERR=$(mktemp)
  ip netns exec $NA tcpdump -Z root -B 262144 -i "$2" -w "$1" 2>"$TCPD_ERR" &
  TCPD_PID=$!
  sleep 1
}
cap_stop() {
  # > 1 s so libpcap's TPACKET_V3 block timeout hands over the last packets before SIGINT
  sleep 2
  kill -INT $TCPD_PID
  wait $TCPD_PID || true
  cat "$TCPD_ERR"
  if ! grep -q '^0 packets dropped by kernel' "$TCPD_ERR"; then echo "WARNING: tcpdump dropped packets"; fi
  rm -f "$TCPD_ERR"
}

bulk() {   # SRC DST PORT MB
  inb "$PY" "$XFER" server "$2" "$3" $NCONN >/tmp/r6srv.$$ 2>&1 &
  local sp=$!
  for _ in $(seq 50); do grep -q listening /tmp/r6srv.$$ 2>/dev/null && break; sleep 0.1; done
  ina "$PY" "$XFER" client "$1" "$2" "$3" $NCONN "$4"
  wait $sp
  cat /tmp/r6srv.$$; rm -f /tmp/r6srv.$$
}

ping6s() { ina ping -6 -q -c 20 -i 0.05 -I fd00:244:a::5 fd00:244:b::7; }
ping4s() { ina ping -4 -q -c 20 -i 0.05 -I 10.244.1.5 10.244.2.7; }

# ------------------------------------------------ case 1: VXLAN, IPv4 underlay
echo "== vx6in4"
base; vxlan vxlan.calico 4
ina ip -j addr >"$OUT/node-a.addrs.json"
inb ip -j addr >"$OUT/node-b.addrs.json"
ping6s >/dev/null; ping4s >/dev/null          # sanity (not captured)
cap_start "$OUT/vx6in4.pcap" eth1
ping6s
bulk fd00:244:a::5 fd00:244:b::7 5201 $BULK_MB
ping6s
bulk 10.244.1.5 10.244.2.7 5202 $V4_MB
ping4s
cap_stop

# ------------------------------------------------ case 2: VXLAN, IPv6 underlay
echo "== vx6in6"
base; vxlan vxlan-v6.calico 6
ping6s >/dev/null
cap_start "$OUT/vx6in6.pcap" eth1
ping6s
bulk fd00:244:a::5 fd00:244:b::7 5201 $BULK_MB
ping6s
cap_stop

# ------------------------------------------------ case 3: no encapsulation
echo "== plain6"
base; plain
cap_start "$OUT/plain6.pcap" eth1        # neighbour discovery on eth1 is captured too
ping6s
bulk fd00:244:a::5 fd00:244:b::7 5201 $BULK_MB
ping6s
cap_stop

# ------------------------------------------------ case 4: case 1 with -i any (SLL2)
echo "== any6"
base; vxlan vxlan.calico 4
ping6s >/dev/null; ping4s >/dev/null
ina ip -j link >"$OUT/any6.node-a.links.json"   # SLL2 carries only ifindex: keep the map
cap_start "$OUT/any6.pcap" any
ping6s
bulk fd00:244:a::5 fd00:244:b::7 5201 $SMALL_MB
bulk 10.244.1.5 10.244.2.7 5202 1
ping4s
cap_stop

rm -f "$XFER"
ls -l "$OUT"
