#!/usr/bin/env bash
# Record podpath's sample captures: real tcpdump/dumpcap captures of
# Calico-style pod networking, built from Linux network namespaces.
#
# Usage: sudo scripts/record-samples.sh [OUT_DIR] [SCENARIO...]
#
#   OUT_DIR    where to write <scenario>/... (default: samples/ of this repo)
#   SCENARIO   any of: vxlan no-encap ipip-two-nics three-nics-storage
#              any-sll2 pcapng-dumpcap (default: all of them)
#
# Environment:
#   PP_NS_PREFIX  prefix of every namespace this script creates (default "pp-");
#                 leftovers with this prefix are deleted first and at exit.
#   PP_VERBOSE=1  also print every ip/sysctl/bridge command.
#   PP_OFFLOADS=keep  leave veth offloads on (default: switched off with
#                 ethtool when it is installed, so captures have correct
#                 checksums and no GSO super-packets).
#
# Needs root, iproute2 (ip, bridge), tcpdump, python3 (stdlib only), and
# dumpcap for the pcapng-dumpcap scenario; /dev/net/tun for the IPIP
# scenarios (the kernel ipip module is not needed: scripts/userspace-ipip.py
# encapsulates in userspace). All traffic stays inside the namespaces created
# here: nodes are connected by direct veth pairs, nothing is bridged to the
# host.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/.." && pwd)
ALL_SCENARIOS=(vxlan no-encap ipip-two-nics three-nics-storage any-sll2 pcapng-dumpcap)

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }

case "${1:-}" in -h|--help) usage; exit 0 ;; esac
OUT_DIR=${1:-$REPO_DIR/samples}
[ $# -gt 0 ] && shift
if [ $# -gt 0 ]; then SCENARIOS=("$@"); else SCENARIOS=("${ALL_SCENARIOS[@]}"); fi

PREFIX=${PP_NS_PREFIX:-pp-}
VERBOSE=${PP_VERBOSE:-0}
OFFLOADS=${PP_OFFLOADS:-off}
IPIP_PY=$SCRIPT_DIR/userspace-ipip.py
TRAFFIC_PY=$SCRIPT_DIR/sample-traffic.py

log()  { printf '==> %s\n' "$*"; }
info() { printf '    %s\n' "$*"; }
die()  { printf 'record-samples: error: %s\n' "$*" >&2; exit 1; }
# x CMD...: run a configuration command (printed with PP_VERBOSE=1).
x() { if [ "$VERBOSE" = 1 ]; then printf '    + %s\n' "$*"; fi; "$@"; }

# ---------------------------------------------------------------- checks
[ "$(id -u)" = 0 ] || die "must be run as root (network namespaces, raw sockets, captures)"
for s in "${SCENARIOS[@]}"; do
  case " ${ALL_SCENARIOS[*]} " in *" $s "*) ;; *) die "unknown scenario '$s' (known: ${ALL_SCENARIOS[*]})" ;; esac
done
for c in ip bridge tcpdump sha1sum; do
  command -v "$c" >/dev/null || die "'$c' not found"
done
PYTHON=$(command -v python3) || die "'python3' not found"
# Resolve shims (pyenv etc.) so that $! is the interpreter itself.
PYTHON=$("$PYTHON" -c 'import sys; print(sys.executable)')
case " ${SCENARIOS[*]} " in
  *" pcapng-dumpcap "*) command -v dumpcap >/dev/null || die "'dumpcap' not found (needed for pcapng-dumpcap)" ;;
esac
case " ${SCENARIOS[*]} " in
  *ipip*|*three-nics*|*pcapng*) [ -c /dev/net/tun ] || die "/dev/net/tun missing (needed for the userspace IPIP tunnel)" ;;
esac
HAVE_ETHTOOL=0
if [ "$OFFLOADS" != keep ]; then
  if command -v ethtool >/dev/null; then
    HAVE_ETHTOOL=1
  else
    info "note: ethtool not installed; veth offloads stay on (captures may show"
    info "      bad TCP checksums). 'apt-get install -y ethtool' to switch them off."
  fi
fi

mkdir -p "$OUT_DIR"
OUT_DIR=$(cd "$OUT_DIR" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/record-samples.XXXXXX")

# ---------------------------------------------------------------- cleanup
PIDS=()          # every background process started here
SCEN_PIDS=()     # background helpers of the current scenario (IPIP, servers)
CAPTURE_PIDS=()  # capture processes of the current scenario

prefix_namespaces() { # [more-specific-prefix]
  local p=${1:-$PREFIX}
  ip netns list | awk '{print $1}' | while read -r ns; do
    case "$ns" in "$p"*) printf '%s\n' "$ns" ;; esac
  done
}

# forget_pid PID: drop a reaped pid from PIDS, so that the exit trap never
# signals a pid that may have been reused by an unrelated process.
forget_pid() {
  local p keep=()
  for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
  PIDS=("${keep[@]}")
}

stop_pid() { # PID [SIGNAL]: signal (default INT), then TERM after 3 s, KILL after 5 s; reap
  local pid=$1 sig=${2:-INT} i
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; forget_pid "$pid"; return 0; }
  kill -"$sig" "$pid" 2>/dev/null || true
  for i in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || break
    if [ "$i" = 30 ]; then kill -TERM "$pid" 2>/dev/null || true; fi
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
  forget_pid "$pid"
}

delete_namespaces() { # prefix
  local ns pid
  for ns in $(prefix_namespaces "$1"); do
    # Processes still inside one of our namespaces (e.g. from an interrupted
    # earlier run of this script) are ended by pid.
    for pid in $(ip netns pids "$ns" 2>/dev/null); do
      kill -KILL "$pid" 2>/dev/null || true
    done
    ip netns del "$ns" 2>/dev/null || true
  done
}

cleanup() {
  local rc=$? pid
  set +e
  for pid in "${PIDS[@]}"; do stop_pid "$pid" INT; done
  delete_namespaces "$PREFIX"
  rm -rf "$WORK"
  if [ "$rc" != 0 ]; then printf 'record-samples: FAILED (exit %s); namespaces cleaned up\n' "$rc" >&2; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

leftovers=$(prefix_namespaces "$PREFIX" | tr '\n' ' ')
if [ -n "$leftovers" ]; then
  log "deleting leftover namespaces: $leftovers"
  delete_namespaces "$PREFIX"
fi

# ---------------------------------------------------------------- building blocks
SCEN=""      # current scenario
DIR=""       # its output directory

nsname() { printf '%s%s-%s' "$PREFIX" "$SCEN" "$1"; }

new_ns() { # NAME
  local ns; ns=$(nsname "$1")
  x ip netns add "$ns"
  x ip -n "$ns" link set lo up
  # No IPv6: keeps router/neighbour solicitations out of the captures.
  x ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
}

no_offload() { # NS DEV
  [ "$HAVE_ETHTOOL" = 1 ] || return 0
  x ip netns exec "$1" ethtool -K "$2" tx off tso off gso off gro off >/dev/null 2>&1 || true
}

new_node() { # NODE
  new_ns "$1"
  x ip netns exec "$(nsname "$1")" sysctl -qw net.ipv4.ip_forward=1
  info "node $1: namespace $(nsname "$1"), ip_forward=1"
}

# wire NODE_A NIC_A MAC_A CIDR_A NODE_B NIC_B MAC_B CIDR_B: a veth pair as the
# cable between two node NICs.
wire() {
  local na; na=$(nsname "$1")
  local nb; nb=$(nsname "$5")
  x ip link add "$2" netns "$na" address "$3" type veth peer name "$6" netns "$nb" address "$7"
  x ip -n "$na" addr add "$4" dev "$2"
  x ip -n "$nb" addr add "$8" dev "$6"
  x ip -n "$na" link set "$2" up
  x ip -n "$nb" link set "$6" up
  no_offload "$na" "$2"
  no_offload "$nb" "$6"
  info "cable $1:$2 ($4, $3) <-> $5:$6 ($8, $7)"
}

default_route() { # NODE GATEWAY DEV  (the gateway does not exist; the route
  # only makes proxy ARP for 169.254.1.1 work, as on a real node)
  x ip -n "$(nsname "$1")" route add default via "$2" dev "$3"
}

# Pod MAC derived from the pod IP (0a:58:<ip in hex>), like CNI plugins do.
pod_mac() { local IFS=.; set -- $1; printf '0a:58:%02x:%02x:%02x:%02x' "$1" "$2" "$3" "$4"; }
# Calico: "cali" + first 11 hex chars of a hash of the workload endpoint.
cali_name() { printf 'cali%s' "$(printf 'default.%s' "$1" | sha1sum | cut -c1-11)"; }

# add_pod NODE POD POD_IP MTU: a pod wired exactly like Calico's CNI plugin
# does it (veth, /32, 169.254.1.1 gateway answered by proxy ARP).
add_pod() {
  local nn; nn=$(nsname "$1")
  local pn; pn=$(nsname "$2")
  local cali; cali=$(cali_name "$2")
  local mac; mac=$(pod_mac "$3")
  new_ns "$2"
  x ip link add "$cali" netns "$nn" address ee:ee:ee:ee:ee:ee mtu "$4" type veth peer name eth0 netns "$pn" address "$mac" mtu "$4"
  x ip -n "$pn" link set eth0 up
  x ip -n "$pn" addr add "$3/32" dev eth0
  x ip -n "$pn" route add 169.254.1.1 dev eth0 scope link
  x ip -n "$pn" route add default via 169.254.1.1 dev eth0
  x ip -n "$nn" link set "$cali" up
  x ip netns exec "$nn" sysctl -qw "net.ipv4.conf.$cali.proxy_arp=1" "net.ipv4.neigh.$cali.proxy_delay=0" "net.ipv4.conf.$cali.forwarding=1"
  x ip -n "$nn" route add "$3/32" dev "$cali" scope link
  no_offload "$nn" "$cali"
  no_offload "$pn" eth0
  info "pod $2 on $1: eth0 $3/32 ($mac, mtu $4) <-> $cali (ee:ee:ee:ee:ee:ee, proxy_arp=1)"
}

pod_block() { # NODE CIDR: Calico's blackhole route for the node's own IPAM block
  x ip -n "$(nsname "$1")" route add blackhole "$2" proto 12
  info "IPAM block $2 on $1 (blackhole route)"
}

# setup_vxlan NODE NIC LOCAL_IP VTEP_MAC TUNNEL_IP: Felix's vxlan.calico device.
setup_vxlan() {
  local ns; ns=$(nsname "$1")
  x ip -n "$ns" link add vxlan.calico address "$4" mtu 1450 type vxlan id 4096 dstport 4789 local "$3" dev "$2" nolearning
  x ip -n "$ns" addr add "$5/32" dev vxlan.calico
  x ip -n "$ns" link set vxlan.calico up
  no_offload "$ns" vxlan.calico
  info "vxlan.calico on $1: VNI 4096, udp/4789, local $3 dev $2, vtep $4, tunnel address $5/32, mtu 1450"
}

# vxlan_peer NODE PEER_VTEP_MAC PEER_NODE_IP PEER_TUNNEL_IP PEER_BLOCK
vxlan_peer() {
  local ns; ns=$(nsname "$1")
  x ip netns exec "$ns" bridge fdb add "$2" dev vxlan.calico dst "$3" self permanent
  x ip -n "$ns" neigh add "$4" lladdr "$2" dev vxlan.calico nud permanent
  x ip -n "$ns" route add "$5" via "$4" dev vxlan.calico onlink proto 80
  info "$1: fdb $2 -> $3, neigh $4 -> $2, route $5 via $4 dev vxlan.calico onlink"
}

# setup_ipip NODE NIC LOCAL_IP TUNNEL_IP PEER_BLOCK PEER_NODE_IP: tunl0 backed by
# scripts/userspace-ipip.py (IP protocol 4 on the wire, like Calico's IPIP).
setup_ipip() {
  local ns; ns=$(nsname "$1")
  local i
  info "\$ ip netns exec $ns python3 scripts/userspace-ipip.py --local $3 --peer $5=$6 &"
  ip netns exec "$ns" "$PYTHON" "$IPIP_PY" --local "$3" --peer "$5=$6" 2>>"$WORK/ipip.$SCEN.$1.log" &
  PIDS+=("$!")
  SCEN_PIDS+=("$!")
  for i in $(seq 50); do
    ip -n "$ns" link show tunl0 >/dev/null 2>&1 && break
    sleep 0.1
  done
  ip -n "$ns" link show tunl0 >/dev/null 2>&1 || { cat "$WORK/ipip.$SCEN.$1.log" >&2; die "tunl0 did not appear in $ns"; }
  x ip -n "$ns" link set tunl0 mtu 1480 up
  x ip -n "$ns" addr add "$4/32" dev tunl0
  x ip -n "$ns" route add "$5" via "$6" dev tunl0 onlink proto 12
  info "tunl0 on $1: IPIP over $2 (outer source $3), tunnel address $4/32, mtu 1480, route $5 via $6 dev tunl0 onlink"
}

# bgp_route NODE PEER_BLOCK PEER_NODE_IP NIC: no-encap (BGP) route, as BIRD installs it.
bgp_route() {
  x ip -n "$(nsname "$1")" route add "$2" via "$3" dev "$4" proto 12
  info "$1: route $2 via $3 dev $4 (BGP, no encapsulation)"
}

save_node_state() { # NODE
  local ns; ns=$(nsname "$1")
  ip -n "$ns" -j -p addr show >"$DIR/$1.addrs.json"
  {
    echo "# ip route (namespace of $1)"
    ip -n "$ns" route show
    if ip -n "$ns" link show vxlan.calico >/dev/null 2>&1; then
      echo "# ip neigh show dev vxlan.calico"
      ip -n "$ns" neigh show dev vxlan.calico
      echo "# bridge fdb show dev vxlan.calico"
      ip netns exec "$ns" bridge fdb show dev vxlan.calico
    fi
  } >"$DIR/$1.routes.txt"
  info "saved $(rel "$DIR/$1.addrs.json") and $(rel "$DIR/$1.routes.txt")"
}

rel() { case "$1" in "$REPO_DIR"/*) printf '%s' "${1#"$REPO_DIR"/}" ;; *) printf '%s' "$1" ;; esac; }

# start_capture NODE LABEL CMD...: run a capture tool in the node's namespace
# and wait until it reports that it is capturing.
start_capture() {
  local ns; ns=$(nsname "$1")
  local label=$2 i pid
  shift 2
  local err="$WORK/capture.$SCEN.$label.err"
  printf '    $ ip netns exec %s %s\n' "$ns" "$(printf '%s ' "$@" | sed "s|$OUT_DIR/|<out>/|g")"
  ip netns exec "$ns" "$@" >/dev/null 2>"$err" &
  pid=$!
  PIDS+=("$pid")
  CAPTURE_PIDS+=("$pid")
  for i in $(seq 100); do
    grep -qE 'listening on|Capturing on' "$err" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || { cat "$err" >&2; die "capture '$label' exited"; }
    sleep 0.05
  done
  grep -qE 'listening on|Capturing on' "$err" || { cat "$err" >&2; die "capture '$label' did not start"; }
  sleep 0.3
}

stop_captures() {
  local pid
  sleep 0.5   # let the last ACKs/FINs arrive
  for pid in "${CAPTURE_PIDS[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
  for pid in "${CAPTURE_PIDS[@]}"; do stop_pid "$pid" INT; done
  CAPTURE_PIDS=()
  for f in "$WORK"/capture."$SCEN".*.err; do
    info "$(basename "$f" .err | sed "s/^capture\.$SCEN\.//"): $(grep -E 'packets? (captured|received by filter|dropped by kernel)|^Packets' "$f" | tr '\n' ' ')"
  done
}

traffic_ping() { # FROM_NS_NAME DST_IP COUNT ID
  info "\$ ip netns exec $(nsname "$1") sample-traffic.py ping $2 -c $3 --id $4"
  ip netns exec "$(nsname "$1")" "$PYTHON" "$TRAFFIC_PY" ping "$2" -c "$3" -i 0.15 --id "$4" | sed 's/^/      /'
}

traffic_http() { # SERVER SERVER_IP CLIENT PORT
  local ready="$WORK/ready.$SCEN.$1.$4" pid i
  rm -f "$ready"
  info "\$ ip netns exec $(nsname "$1") sample-traffic.py serve $4 &   +   ip netns exec $(nsname "$3") sample-traffic.py get $2 $4"
  ip netns exec "$(nsname "$1")" "$PYTHON" "$TRAFFIC_PY" serve "$4" --body "hello from $1 ($2)" --ready-file "$ready" >"$ready.log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  for i in $(seq 100); do [ -e "$ready" ] && break; sleep 0.05; done
  [ -e "$ready" ] || { cat "$ready.log" >&2; die "server in $1 did not start"; }
  ip netns exec "$(nsname "$3")" "$PYTHON" "$TRAFFIC_PY" get "$2" "$4" | sed 's/^/      /'
  wait "$pid" || { forget_pid "$pid"; cat "$ready.log" >&2; die "server in $1 failed"; }
  forget_pid "$pid"
  sed 's/^/      /' "$ready.log"
}

# pod_traffic POD_A IP_A POD_B IP_B: ICMP and TCP both ways.
pod_traffic() {
  log "traffic: $1 ($2) <-> $3 ($4)"
  traffic_ping "$1" "$4" 3 0x0a0b
  traffic_ping "$3" "$2" 3 0x0b0a
  traffic_http "$3" "$4" "$1" 8080
  traffic_http "$1" "$2" "$3" 8080
}

scenario_begin() { # NAME DESCRIPTION
  SCEN=$1
  DIR="$OUT_DIR/$1"
  log "scenario $1: $2"
  delete_namespaces "$(nsname "")"
  mkdir -p "$DIR"
  rm -f "$DIR"/*.pcap "$DIR"/*.pcapng "$DIR"/*.addrs.json "$DIR"/*.routes.txt
}

scenario_end() {
  local f pid
  for pid in "${SCEN_PIDS[@]}"; do stop_pid "$pid" INT; done
  SCEN_PIDS=()
  for f in "$WORK"/ipip."$SCEN".*.log; do
    [ -e "$f" ] || continue
    info "$(grep stopped "$f" || true)"
  done
  delete_namespaces "$(nsname "")"
  for f in "$DIR"/*.pcap "$DIR"/*.pcapng; do
    [ -e "$f" ] || continue
    chmod 0644 "$f"   # dumpcap creates its file 0600
    info "$(rel "$f"): $(count_packets "$f") packets, $(stat -c %s "$f") bytes"
  done
}

count_packets() {
  if command -v capinfos >/dev/null; then
    capinfos -c -M "$1" 2>/dev/null | awk -F: '/Number of packets/ {gsub(/ /, "", $2); print $2}'
  else
    tcpdump -nn -r "$1" 2>/dev/null | wc -l
  fi
}

# --immediate-mode: without it, packets still sitting in a TPACKET_V3 block when
# SIGINT arrives are lost; -B 32768 (KiB): immediate mode uses one ring frame
# per packet, and the default 2 MiB ring (8 frames at the default snaplen)
# overflows with -i any. -U: write each packet at once. -Z root: no privilege drop.
TCPDUMP=(tcpdump -nn --immediate-mode -B 32768 -U -Z root)

# ---------------------------------------------------------------- scenarios
# MAC addresses: node NICs 02:5c:<scenario>:<node>:00:<nic>, VTEPs
# 66:5c:<scenario>:<node>:00:fe, pod eth0 0a:58:<pod ip>, cali ee:ee:ee:ee:ee:ee.

scenario_vxlan() {
  scenario_begin vxlan "Calico VXLAN (vxlan.calico, VNI 4096, udp/4789) over eth1"
  new_node node-a
  new_node node-b
  wire node-a eth1 02:5c:01:0a:00:01 172.20.1.11/24 node-b eth1 02:5c:01:0b:00:01 172.20.1.12/24
  default_route node-a 172.20.1.1 eth1
  default_route node-b 172.20.1.1 eth1
  pod_block node-a 10.244.1.0/26
  pod_block node-b 10.244.2.64/26
  add_pod node-a pod-a1 10.244.1.10 1450
  add_pod node-b pod-b1 10.244.2.75 1450
  setup_vxlan node-a eth1 172.20.1.11 66:5c:01:0a:00:fe 10.244.1.0
  setup_vxlan node-b eth1 172.20.1.12 66:5c:01:0b:00:fe 10.244.2.64
  vxlan_peer node-a 66:5c:01:0b:00:fe 172.20.1.12 10.244.2.64 10.244.2.64/26
  vxlan_peer node-b 66:5c:01:0a:00:fe 172.20.1.11 10.244.1.0 10.244.1.0/26
  save_node_state node-a
  save_node_state node-b
  start_capture node-a eth1 "${TCPDUMP[@]}" -i eth1 -w "$DIR/node-a.eth1.pcap"
  pod_traffic pod-a1 10.244.1.10 pod-b1 10.244.2.75
  log "traffic: node -> remote pod (source = tunnel address)"
  traffic_ping node-a 10.244.2.75 2 0x0a00
  traffic_ping node-b 10.244.1.10 2 0x0b00
  stop_captures
  scenario_end
}

scenario_no_encap() {
  scenario_begin no-encap "Calico BGP, no encapsulation, over eth1"
  new_node node-a
  new_node node-b
  wire node-a eth1 02:5c:02:0a:00:01 172.21.2.21/24 node-b eth1 02:5c:02:0b:00:01 172.21.2.22/24
  default_route node-a 172.21.2.1 eth1
  default_route node-b 172.21.2.1 eth1
  pod_block node-a 10.244.3.0/26
  pod_block node-b 10.244.4.128/26
  add_pod node-a pod-a1 10.244.3.12 1500
  add_pod node-b pod-b1 10.244.4.140 1500
  bgp_route node-a 10.244.4.128/26 172.21.2.22 eth1
  bgp_route node-b 10.244.3.0/26 172.21.2.21 eth1
  save_node_state node-a
  save_node_state node-b
  start_capture node-a eth1 "${TCPDUMP[@]}" -i eth1 -w "$DIR/node-a.eth1.pcap"
  pod_traffic pod-a1 10.244.3.12 pod-b1 10.244.4.140
  stop_captures
  scenario_end
}

scenario_ipip_two_nics() {
  scenario_begin ipip-two-nics "IPIP (tunl0) over eth1 (business); eth0 is management"
  new_node node-a
  new_node node-b
  wire node-a eth0 02:5c:03:0a:00:00 192.168.10.11/24 node-b eth0 02:5c:03:0b:00:00 192.168.10.12/24
  wire node-a eth1 02:5c:03:0a:00:01 172.16.10.11/24 node-b eth1 02:5c:03:0b:00:01 172.16.10.12/24
  default_route node-a 192.168.10.1 eth0
  default_route node-b 192.168.10.1 eth0
  pod_block node-a 10.244.10.0/26
  pod_block node-b 10.244.11.64/26
  add_pod node-a pod-a1 10.244.10.5 1480
  add_pod node-b pod-b1 10.244.11.70 1480
  setup_ipip node-a eth1 172.16.10.11 10.244.10.0 10.244.11.64/26 172.16.10.12
  setup_ipip node-b eth1 172.16.10.12 10.244.11.64 10.244.10.0/26 172.16.10.11
  save_node_state node-a
  save_node_state node-b
  start_capture node-a eth1 "${TCPDUMP[@]}" -i eth1 -w "$DIR/node-a.eth1.pcap"
  pod_traffic pod-a1 10.244.10.5 pod-b1 10.244.11.70
  log "traffic: node -> remote pod (source = tunnel address)"
  traffic_ping node-a 10.244.11.70 2 0x0a00
  traffic_ping node-b 10.244.10.5 2 0x0b00
  stop_captures
  scenario_end
}

scenario_three_nics_storage() {
  scenario_begin three-nics-storage "IPIP over the storage NIC ens5 (wrongly autodetected), ens4 is business"
  new_node node-a
  new_node node-b
  wire node-a ens3 02:5c:04:0a:00:03 192.168.30.31/24 node-b ens3 02:5c:04:0b:00:03 192.168.30.32/24
  wire node-a ens4 02:5c:04:0a:00:04 172.16.30.31/24 node-b ens4 02:5c:04:0b:00:04 172.16.30.32/24
  wire node-a ens5 02:5c:04:0a:00:05 10.100.30.31/24 node-b ens5 02:5c:04:0b:00:05 10.100.30.32/24
  default_route node-a 192.168.30.1 ens3
  default_route node-b 192.168.30.1 ens3
  pod_block node-a 10.244.30.0/26
  pod_block node-b 10.244.31.192/26
  add_pod node-a pod-a1 10.244.30.8 1480
  add_pod node-b pod-b1 10.244.31.200 1480
  setup_ipip node-a ens5 10.100.30.31 10.244.30.0 10.244.31.192/26 10.100.30.32
  setup_ipip node-b ens5 10.100.30.32 10.244.31.192 10.244.30.0/26 10.100.30.31
  save_node_state node-a
  save_node_state node-b
  start_capture node-a ens5 "${TCPDUMP[@]}" -i ens5 -w "$DIR/node-a.ens5.pcap"
  start_capture node-a ens4 "${TCPDUMP[@]}" -i ens4 -w "$DIR/node-a.ens4.pcap"
  pod_traffic pod-a1 10.244.30.8 pod-b1 10.244.31.200
  log "traffic: node-a -> node-b over the business NIC (not pod traffic)"
  traffic_ping node-a 172.16.30.32 2 0x0a04
  stop_captures
  scenario_end
}

scenario_any_sll2() {
  scenario_begin any-sll2 "Calico VXLAN, captured on node-a with 'tcpdump -i any -y LINUX_SLL2'"
  new_node node-a
  new_node node-b
  wire node-a eth1 02:5c:05:0a:00:01 172.22.5.51/24 node-b eth1 02:5c:05:0b:00:01 172.22.5.52/24
  default_route node-a 172.22.5.1 eth1
  default_route node-b 172.22.5.1 eth1
  pod_block node-a 10.244.50.0/26
  pod_block node-b 10.244.51.128/26
  add_pod node-a pod-a1 10.244.50.9 1450
  add_pod node-b pod-b1 10.244.51.140 1450
  setup_vxlan node-a eth1 172.22.5.51 66:5c:05:0a:00:fe 10.244.50.0
  setup_vxlan node-b eth1 172.22.5.52 66:5c:05:0b:00:fe 10.244.51.128
  vxlan_peer node-a 66:5c:05:0b:00:fe 172.22.5.52 10.244.51.128 10.244.51.128/26
  vxlan_peer node-b 66:5c:05:0a:00:fe 172.22.5.51 10.244.50.0 10.244.50.0/26
  save_node_state node-a
  save_node_state node-b
  start_capture node-a any "${TCPDUMP[@]}" -i any -y LINUX_SLL2 -w "$DIR/node-a.any.pcap"
  pod_traffic pod-a1 10.244.50.9 pod-b1 10.244.51.140
  stop_captures
  scenario_end
}

scenario_pcapng_dumpcap() {
  scenario_begin pcapng-dumpcap "IPIP over ens192, captured with dumpcap on ens192 and tunl0 (pcapng)"
  new_node node-a
  new_node node-b
  wire node-a ens192 02:5c:06:0a:00:01 172.23.6.61/24 node-b ens192 02:5c:06:0b:00:01 172.23.6.62/24
  default_route node-a 172.23.6.1 ens192
  default_route node-b 172.23.6.1 ens192
  pod_block node-a 10.244.60.0/26
  pod_block node-b 10.244.61.64/26
  add_pod node-a pod-a1 10.244.60.20 1480
  add_pod node-b pod-b1 10.244.61.90 1480
  setup_ipip node-a ens192 172.23.6.61 10.244.60.0 10.244.61.64/26 172.23.6.62
  setup_ipip node-b ens192 172.23.6.62 10.244.61.64 10.244.60.0/26 172.23.6.61
  save_node_state node-a
  save_node_state node-b
  start_capture node-a dumpcap dumpcap -q -B 32 -i ens192 -i tunl0 -w "$DIR/node-a.pcapng"
  pod_traffic pod-a1 10.244.60.20 pod-b1 10.244.61.90
  stop_captures
  scenario_end
}

# ---------------------------------------------------------------- main
START=$(date +%s)
log "output directory: $OUT_DIR; namespace prefix: $PREFIX; scenarios: ${SCENARIOS[*]}"
for s in "${SCENARIOS[@]}"; do
  "scenario_${s//-/_}"
done
log "done in $(( $(date +%s) - START )) s; files:"
for s in "${SCENARIOS[@]}"; do
  for f in "$OUT_DIR/$s"/*; do info "$(rel "$f") ($(stat -c %s "$f") bytes)"; done
done
