#!/usr/bin/env bash
# Record podpath's sample captures: real tcpdump/dumpcap captures of
# Calico-style pod networking, built from Linux network namespaces.
#
# Usage: sudo scripts/record-samples.sh [OUT_DIR] [SCENARIO|GROUP...]
#
#   OUT_DIR    where to write <scenario>/... (default: samples/ of this repo)
#   SCENARIO   any of: vxlan no-encap ipip-two-nics three-nics-storage
#              any-sll2 pcapng-dumpcap (the default set: these six), or of
#              mtu-fragmented mtu-icmp-frag-needed one-way-tunnel
#              before-after-nic before-after-ipip-off cross-subnet
#              cross-subnet-always vxlan-flannel-8472 mtu-blackhole
#   GROUP      "default" (the six above), "issue4" (the nine after them) or
#              "all" (all fifteen)
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
# dumpcap for pcapng-dumpcap and before-after-nic; /dev/net/tun for the IPIP
# scenarios (the kernel ipip module is not needed: scripts/userspace-ipip.py
# encapsulates in userspace). All traffic stays inside the namespaces created
# here: nodes are connected by direct veth pairs, or (cross-subnet) by a bridge
# inside a "switch" namespace of this script; nothing is bridged to the host.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/.." && pwd)
DEFAULT_SCENARIOS=(vxlan no-encap ipip-two-nics three-nics-storage any-sll2 pcapng-dumpcap)
ISSUE4_SCENARIOS=(mtu-fragmented mtu-icmp-frag-needed one-way-tunnel before-after-nic
  before-after-ipip-off cross-subnet cross-subnet-always vxlan-flannel-8472 mtu-blackhole)
KNOWN_SCENARIOS=("${DEFAULT_SCENARIOS[@]}" "${ISSUE4_SCENARIOS[@]}")

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }

case "${1:-}" in -h|--help) usage; exit 0 ;; esac
OUT_DIR=${1:-$REPO_DIR/samples}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- default
SCENARIOS=()
add_scenario() { # NAME: append once
  case " ${SCENARIOS[*]} " in *" $1 "*) ;; *) SCENARIOS+=("$1") ;; esac
}
for arg in "$@"; do
  case "$arg" in
    default) for s in "${DEFAULT_SCENARIOS[@]}"; do add_scenario "$s"; done ;;
    issue4)  for s in "${ISSUE4_SCENARIOS[@]}"; do add_scenario "$s"; done ;;
    all)     for s in "${KNOWN_SCENARIOS[@]}"; do add_scenario "$s"; done ;;
    *)       add_scenario "$arg" ;;
  esac
done

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
  case " ${KNOWN_SCENARIOS[*]} " in *" $s "*) ;; *) die "unknown scenario '$s' (known: ${KNOWN_SCENARIOS[*]}; groups: default issue4 all)" ;; esac
done
for c in ip bridge tcpdump sha1sum; do
  command -v "$c" >/dev/null || die "'$c' not found"
done
PYTHON=$(command -v python3) || die "'python3' not found"
# Resolve shims (pyenv etc.) so that $! is the interpreter itself.
PYTHON=$("$PYTHON" -c 'import sys; print(sys.executable)')
selected() { # NAME...: true if any of them is selected
  local n
  for n in "$@"; do case " ${SCENARIOS[*]} " in *" $n "*) return 0 ;; esac; done
  return 1
}
if selected pcapng-dumpcap before-after-nic; then
  command -v dumpcap >/dev/null || die "'dumpcap' not found (needed for pcapng-dumpcap and before-after-nic)"
fi
if selected ipip-two-nics three-nics-storage pcapng-dumpcap one-way-tunnel before-after-nic \
    before-after-ipip-off cross-subnet cross-subnet-always; then
  [ -c /dev/net/tun ] || die "/dev/net/tun missing (needed for the userspace IPIP tunnel)"
fi
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
    local dev
    for dev in vxlan.calico flannel.1; do
      ip -n "$ns" link show "$dev" >/dev/null 2>&1 || continue
      echo "# ip neigh show dev $dev"
      ip -n "$ns" neigh show dev "$dev"
      echo "# bridge fdb show dev $dev"
      ip netns exec "$ns" bridge fdb show dev "$dev"
    done
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

traffic_ping() { # FROM_NS_NAME DST_IP COUNT ID [MORE sample-traffic.py ping OPTIONS]
  info "\$ ip netns exec $(nsname "$1") sample-traffic.py ping $2 -c $3 --id $4${5:+ ${*:5}}"
  ip netns exec "$(nsname "$1")" "$PYTHON" "$TRAFFIC_PY" ping "$2" -c "$3" -i 0.15 --id "$4" "${@:5}" 2>&1 | sed 's/^/      /'
}

HTTP_SERVE_OPTS=()  # more sample-traffic.py serve / get options for traffic_http
HTTP_GET_OPTS=()
traffic_http() { # SERVER SERVER_IP CLIENT PORT [BODY_BYTES]
  local ready="$WORK/ready.$SCEN.$1.$4" pid i
  local body=(--body "hello from $1 ($2)")
  [ -z "${5:-}" ] || body=(--body-size "$5")
  rm -f "$ready"
  info "\$ ip netns exec $(nsname "$1") sample-traffic.py serve $4${5:+ --body-size $5}${HTTP_SERVE_OPTS[*]:+ ${HTTP_SERVE_OPTS[*]}} &   +   ip netns exec $(nsname "$3") sample-traffic.py get $2 $4${HTTP_GET_OPTS[*]:+ ${HTTP_GET_OPTS[*]}}"
  ip netns exec "$(nsname "$1")" "$PYTHON" "$TRAFFIC_PY" serve "$4" "${body[@]}" "${HTTP_SERVE_OPTS[@]}" --ready-file "$ready" >"$ready.log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  for i in $(seq 100); do [ -e "$ready" ] && break; sleep 0.05; done
  [ -e "$ready" ] || { cat "$ready.log" >&2; die "server in $1 did not start"; }
  ip netns exec "$(nsname "$3")" "$PYTHON" "$TRAFFIC_PY" get "$2" "$4" "${HTTP_GET_OPTS[@]}" | sed 's/^/      /'
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

scenario_begin() { # NAME DESCRIPTION [SUBDIR (default NAME)]
  SCEN=$1
  DIR="$OUT_DIR/${3:-$1}"
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

# ---------------------------------------------------------------- building blocks of the issue-4 scenarios

new_router() { # NAME: a plain IPv4 router between two underlay subnets
  new_ns "$1"
  x ip netns exec "$(nsname "$1")" sysctl -qw net.ipv4.ip_forward=1
  info "router $1: namespace $(nsname "$1"), ip_forward=1"
}

set_mtu() { # NODE DEV MTU
  x ip -n "$(nsname "$1")" link set "$2" mtu "$3"
  info "$1: $2 mtu $3"
}

# new_switch NAME: a namespace with one bridge br0 (no STP, no address, no
# multicast snooping): an Ethernet segment for more than two NICs.
new_switch() {
  local ns; ns=$(nsname "$1")
  new_ns "$1"
  x ip -n "$ns" link add br0 type bridge stp_state 0 mcast_snooping 0
  x ip -n "$ns" link set br0 up
  info "switch $1: bridge br0 in namespace $ns"
}

# plug NODE NIC MAC CIDR SWITCH PORT: a veth pair as the cable from a node NIC
# to a port of the switch's br0. The switch gets a static FDB entry for MAC on
# that port, so unicast frames are never flooded to the other ports.
plug() {
  local nn; nn=$(nsname "$1")
  local sn; sn=$(nsname "$5")
  x ip link add "$2" netns "$nn" address "$3" type veth peer name "$6" netns "$sn"
  x ip -n "$nn" addr add "$4" dev "$2"
  x ip -n "$sn" link set "$6" master br0
  x ip -n "$nn" link set "$2" up
  x ip -n "$sn" link set "$6" up
  x ip netns exec "$sn" bridge fdb replace "$3" dev "$6" master static
  no_offload "$nn" "$2"
  no_offload "$sn" "$6"
  info "cable $1:$2 ($4, $3) <-> $5:$6 (port of br0)"
}

# setup_vxlan_dev NODE NIC LOCAL_IP VTEP_MAC TUNNEL_IP DEV VNI PORT MTU [MORE vxlan OPTIONS]:
# a kernel VXLAN device like setup_vxlan's, with name, VNI, port and MTU given.
# NIC "-": no lower device (the kernel caps the MTU of a VXLAN device that has
# one at the lower device's MTU - 50, so a too-large MTU needs this).
setup_vxlan_dev() {
  local ns; ns=$(nsname "$1")
  local lower=(dev "$2")
  [ "$2" != - ] || lower=()
  x ip -n "$ns" link add "$6" address "$4" mtu "$9" type vxlan id "$7" dstport "$8" local "$3" "${lower[@]}" nolearning "${@:10}"
  x ip -n "$ns" addr add "$5/32" dev "$6"
  x ip -n "$ns" link set "$6" up
  no_offload "$ns" "$6"
  info "$6 on $1: VNI $7, udp/$8, local $3${lower[*]:+ ${lower[*]}}, vtep $4, tunnel address $5/32, mtu $9${10:+, ${*:10}}"
}

# vxlan_peer_dev NODE DEV PEER_VTEP_MAC PEER_NODE_IP PEER_TUNNEL_IP PEER_BLOCK [PROTO]
vxlan_peer_dev() {
  local ns; ns=$(nsname "$1")
  local proto=()
  [ -z "${7:-}" ] || proto=(proto "$7")
  x ip netns exec "$ns" bridge fdb add "$3" dev "$2" dst "$4" self permanent
  x ip -n "$ns" neigh add "$5" lladdr "$3" dev "$2" nud permanent
  x ip -n "$ns" route add "$6" via "$5" dev "$2" onlink "${proto[@]}"
  info "$1: fdb $3 -> $4, neigh $5 -> $3, route $6 via $5 dev $2 onlink"
}

# setup_ipip_peers NODE NIC LOCAL_IP TUNNEL_IP PEER_BLOCK=PEER_NODE_IP...: like
# setup_ipip, with any number of peers (one tunl0 route each).
setup_ipip_peers() {
  local node=$1 nic=$2 local_ip=$3 tunnel_ip=$4
  shift 4
  local ns; ns=$(nsname "$node")
  local peer_args=() p i
  for p in "$@"; do peer_args+=(--peer "$p"); done
  info "\$ ip netns exec $ns python3 scripts/userspace-ipip.py --local $local_ip ${peer_args[*]} &"
  ip netns exec "$ns" "$PYTHON" "$IPIP_PY" --local "$local_ip" "${peer_args[@]}" 2>>"$WORK/ipip.$SCEN.$node.log" &
  PIDS+=("$!")
  SCEN_PIDS+=("$!")
  for i in $(seq 50); do
    ip -n "$ns" link show tunl0 >/dev/null 2>&1 && break
    sleep 0.1
  done
  ip -n "$ns" link show tunl0 >/dev/null 2>&1 || { cat "$WORK/ipip.$SCEN.$node.log" >&2; die "tunl0 did not appear in $ns"; }
  x ip -n "$ns" link set tunl0 mtu 1480 up
  x ip -n "$ns" addr add "$tunnel_ip/32" dev tunl0
  for p in "$@"; do
    x ip -n "$ns" route add "${p%%=*}" via "${p#*=}" dev tunl0 onlink proto 12
  done
  info "tunl0 on $node: IPIP over $nic (outer source $local_ip), tunnel address $tunnel_ip/32, mtu 1480, routes via tunl0: $*"
}

# flannel_bridge NODE GATEWAY_CIDR MAC MTU: the cni0 bridge of flannel's bridge CNI plugin.
flannel_bridge() {
  local ns; ns=$(nsname "$1")
  x ip -n "$ns" link add cni0 address "$3" mtu "$4" type bridge stp_state 0 mcast_snooping 0
  x ip -n "$ns" addr add "$2" dev cni0
  x ip -n "$ns" link set cni0 up
  info "cni0 on $1: bridge $2 ($3, mtu $4)"
}

# add_flannel_pod NODE POD POD_IP PREFIXLEN GATEWAY MTU VETH_MAC: a pod on cni0,
# as flannel's bridge CNI plugin wires it (veth<8 hex> on the bridge).
add_flannel_pod() {
  local nn; nn=$(nsname "$1")
  local pn; pn=$(nsname "$2")
  local veth; veth="veth$(printf 'default.%s' "$2" | sha1sum | cut -c1-8)"
  local mac; mac=$(pod_mac "$3")
  new_ns "$2"
  x ip link add "$veth" netns "$nn" address "$7" mtu "$6" type veth peer name eth0 netns "$pn" address "$mac" mtu "$6"
  x ip -n "$nn" link set "$veth" master cni0
  x ip -n "$nn" link set "$veth" up
  x ip -n "$pn" addr add "$3/$4" dev eth0
  x ip -n "$pn" link set eth0 up
  x ip -n "$pn" route add default via "$5" dev eth0
  no_offload "$nn" "$veth"
  no_offload "$pn" eth0
  info "pod $2 on $1: eth0 $3/$4 ($mac, mtu $6), gateway $5, $veth on cni0"
}

# no_tlp POD: no TCP tail loss probes in the pod (net.ipv4.tcp_early_retrans=0).
# With sub-millisecond RTTs a probe fires after a few ms, so a slow moment of
# the userspace tunnel (or a busy machine) would add a spurious retransmission
# and a D-SACK to a recording; with this the packet counts are the same each run.
no_tlp() {
  x ip netns exec "$(nsname "$1")" sysctl -qw net.ipv4.tcp_early_retrans=0
}

add_pod_no_tlp() { # NODE POD POD_IP MTU: add_pod, then no_tlp
  add_pod "$@"
  no_tlp "$2"
}

# settle NODE...: wait (at most 3 s) until no link in the nodes' namespaces
# reports NO-CARRIER: a veth can take a moment to get its carrier, and the
# saved addrs.json should show every NIC up.
settle() {
  local i n busy
  for i in $(seq 60); do
    busy=0
    for n in "$@"; do
      if ip -n "$(nsname "$n")" -o link show | grep -q NO-CARRIER; then busy=1; fi
    done
    [ "$busy" = 1 ] || return 0
    sleep 0.05
  done
  info "note: a link still reports NO-CARRIER after 3 s"
}

# save_cmd NODE FILE CMD...: save the output of CMD (run in the node's namespace) as $DIR/FILE.
save_cmd() {
  local node=$1 file=$2
  local ns; ns=$(nsname "$node")
  shift 2
  { echo "# $* (namespace of $node)"; ip netns exec "$ns" "$@"; } >"$DIR/$file"
  info "saved $(rel "$DIR/$file")"
}

# expect_packets FILE FILTER OP N WHAT: fail the recording unless the number of
# packets in FILE that match the tcpdump FILTER is -OP N (OP: eq, ge, le).
expect_packets() {
  # One line per packet starts with its -tt timestamp (tunnelled packets add
  # lines for the inner packet).
  local n; n=$(tcpdump -nn -tt -r "$1" "$2" 2>/dev/null | grep -c '^[0-9]' || true)
  if [ "$n" -"$3" "$4" ]; then
    info "check: $5: $n packets [$2]"
  else
    die "check failed on $(rel "$1"): $5: $n packets match '$2', expected -$3 $4"
  fi
}

# pod_traffic_ids POD_A IP_A POD_B IP_B ID_AB ID_BA: pod_traffic with other ICMP ids.
pod_traffic_ids() {
  log "traffic: $1 ($2) <-> $3 ($4)"
  traffic_ping "$1" "$4" 3 "$5"
  traffic_ping "$3" "$2" 3 "$6"
  traffic_http "$3" "$4" "$1" 8080
  traffic_http "$1" "$2" "$3" 8080
}

# traffic_http_stall SERVER SERVER_IP CLIENT PORT BODY_BYTES: the server sends its
# headers, then a body the path cannot carry; the client must see the answer stall (3 s).
traffic_http_stall() {
  HTTP_SERVE_OPTS=(--headers-first)
  HTTP_GET_OPTS=(--expect-stall --timeout 3)
  traffic_http "$@"
  HTTP_SERVE_OPTS=()
  HTTP_GET_OPTS=()
}

traffic_connect_fail() { # CLIENT DST_IP PORT: one TCP connection attempt that must time out (0.5 s: one SYN)
  info "\$ ip netns exec $(nsname "$1") sample-traffic.py get $2 $3 --expect-failure --timeout 0.5"
  ip netns exec "$(nsname "$1")" "$PYTHON" "$TRAFFIC_PY" get "$2" "$3" --expect-failure --timeout 0.5 2>&1 | sed 's/^/      /'
}

# ---------------------------------------------------------------- issue-4 scenarios
# Scenario numbers in MACs: 07 mtu-fragmented, 08 mtu-icmp-frag-needed,
# 09 one-way-tunnel, 0a before-after-nic, 0b before-after-ipip-off,
# 0c cross-subnet and cross-subnet-always, 0e vxlan-flannel-8472, 0f mtu-blackhole. Routers use
# 01 and node-c 0c in the node byte.

scenario_mtu_fragmented() {
  scenario_begin mtu-fragmented "Calico VXLAN with vxlan.calico mtu 1500 (wrong) on a 1500-byte underlay: the outer packets are fragmented"
  new_node node-a
  new_node node-b
  wire node-a eth1 02:5c:07:0a:00:01 172.24.7.71/24 node-b eth1 02:5c:07:0b:00:01 172.24.7.72/24
  default_route node-a 172.24.7.1 eth1
  default_route node-b 172.24.7.1 eth1
  pod_block node-a 10.244.70.0/26
  pod_block node-b 10.244.71.64/26
  add_pod_no_tlp node-a pod-a1 10.244.70.10 1500
  add_pod_no_tlp node-b pod-b1 10.244.71.75 1500
  # Wrong: Felix would use 1450 (1500 - 50 bytes of VXLAN overhead).
  # (created without "dev eth1": see setup_vxlan_dev)
  setup_vxlan_dev node-a - 172.24.7.71 66:5c:07:0a:00:fe 10.244.70.0 vxlan.calico 4096 4789 1500
  setup_vxlan_dev node-b - 172.24.7.72 66:5c:07:0b:00:fe 10.244.71.64 vxlan.calico 4096 4789 1500
  vxlan_peer node-a 66:5c:07:0b:00:fe 172.24.7.72 10.244.71.64 10.244.71.64/26
  vxlan_peer node-b 66:5c:07:0a:00:fe 172.24.7.71 10.244.70.0 10.244.70.0/26
  settle node-a node-b
  save_node_state node-a
  save_node_state node-b
  start_capture node-a eth1 "${TCPDUMP[@]}" -i eth1 -w "$DIR/node-a.eth1.pcap"
  log "traffic: full-size (1500-byte) pod packets; each becomes a 1550-byte VXLAN packet"
  traffic_ping pod-a1 10.244.71.75 2 0x0a0b --size 1472
  traffic_ping pod-b1 10.244.70.10 2 0x0b0a --size 1472
  traffic_http pod-b1 10.244.71.75 pod-a1 8080 20000
  traffic_http pod-a1 10.244.70.10 pod-b1 8080 20000
  stop_captures
  expect_packets "$DIR/node-a.eth1.pcap" 'ip[6:2] & 0x3fff != 0' ge 2 "outer IPv4 fragments"
  expect_packets "$DIR/node-a.eth1.pcap" 'ip[6:2] & 0x1fff != 0' ge 1 "non-first fragments (offset > 0)"
  expect_packets "$DIR/node-a.eth1.pcap" 'src 172.24.7.71 and ip[6:2] & 0x1fff != 0' ge 1 "non-first fragments sent by node-a"
  expect_packets "$DIR/node-a.eth1.pcap" 'src 172.24.7.72 and ip[6:2] & 0x1fff != 0' ge 1 "non-first fragments sent by node-b"
  scenario_end
}

scenario_mtu_icmp_frag_needed() {
  scenario_begin mtu-icmp-frag-needed "Calico VXLAN (df set) through a router with a 1400-byte link: ICMP fragmentation needed"
  new_node node-a
  new_node node-b
  new_router router
  wire node-a eth1 02:5c:08:0a:00:01 172.25.8.81/24 router eth0 02:5c:08:01:00:00 172.25.8.1/24
  wire router eth1 02:5c:08:01:00:01 172.25.9.1/24 node-b eth1 02:5c:08:0b:00:01 172.25.9.82/24
  set_mtu router eth1 1400
  set_mtu node-b eth1 1400
  default_route node-a 172.25.8.1 eth1
  default_route node-b 172.25.9.1 eth1
  pod_block node-a 10.244.80.0/26
  pod_block node-b 10.244.81.128/26
  add_pod_no_tlp node-a pod-a1 10.244.80.5 1450
  add_pod_no_tlp node-b pod-b1 10.244.81.140 1450
  setup_vxlan_dev node-a eth1 172.25.8.81 66:5c:08:0a:00:fe 10.244.80.0 vxlan.calico 4096 4789 1450 df set
  setup_vxlan_dev node-b eth1 172.25.9.82 66:5c:08:0b:00:fe 10.244.81.128 vxlan.calico 4096 4789 1450 df set
  vxlan_peer node-a 66:5c:08:0b:00:fe 172.25.9.82 10.244.81.128 10.244.81.128/26
  vxlan_peer node-b 66:5c:08:0a:00:fe 172.25.8.81 10.244.80.0 10.244.80.0/26
  settle node-a node-b
  save_node_state node-a
  save_node_state node-b
  start_capture node-a eth1 "${TCPDUMP[@]}" -i eth1 -w "$DIR/node-a.eth1.pcap"
  log "traffic: pod-a1 -> pod-b1, small (answered), 1350 bytes (outer 1400, answered), 1450 bytes (outer 1500: too big for the router's 1400-byte link)"
  traffic_ping pod-a1 10.244.81.140 3 0x0a0b
  traffic_ping pod-a1 10.244.81.140 2 0x0a0c --size 1322
  traffic_ping pod-a1 10.244.81.140 2 0x0a0d --size 1422 -W 1 --allow-loss
  stop_captures
  save_cmd node-a node-a.pmtu.txt ip route get 172.25.9.82
  info "$(tail -n +2 "$DIR/node-a.pmtu.txt" | tr -s ' \n' ' ')"
  expect_packets "$DIR/node-a.eth1.pcap" 'icmp[icmptype] = 3 and icmp[icmpcode] = 4' eq 1 "ICMP fragmentation needed from the router"
  expect_packets "$DIR/node-a.eth1.pcap" 'icmp[icmptype] = 3 and icmp[icmpcode] = 4 and icmp[6:2] = 1400' eq 1 "... with next-hop MTU 1400"
  expect_packets "$DIR/node-a.eth1.pcap" 'src 172.25.8.81 and udp port 4789 and greater 1514' ge 1 "1500-byte outer packets with DF from node-a"
  expect_packets "$DIR/node-a.eth1.pcap" 'src 172.25.8.81 and ip[6:2] & 0x4000 = 0' eq 0 "outer packets of node-a without DF"
  scenario_end
}

scenario_one_way_tunnel() {
  scenario_begin one-way-tunnel "IPIP where node-b drops node-a's tunnel packets (it only accepts node-a's stale address)"
  new_node node-a
  new_node node-b
  wire node-a eth1 02:5c:09:0a:00:01 172.26.9.91/24 node-b eth1 02:5c:09:0b:00:01 172.26.9.92/24
  default_route node-a 172.26.9.1 eth1
  default_route node-b 172.26.9.1 eth1
  pod_block node-a 10.244.90.0/26
  pod_block node-b 10.244.91.64/26
  add_pod_no_tlp node-a pod-a1 10.244.90.7 1480
  add_pod_no_tlp node-b pod-b1 10.244.91.70 1480
  setup_ipip node-a eth1 172.26.9.91 10.244.90.0 10.244.91.64/26 172.26.9.92
  # node-b has a stale address for node-a (172.26.9.191): its tunnel accepts
  # IPIP only from the nodes it knows (as Felix's IPIP allow-list does) and
  # silently drops everything from 172.26.9.91.
  setup_ipip node-b eth1 172.26.9.92 10.244.91.64 10.244.90.0/26 172.26.9.191
  settle node-a node-b
  save_node_state node-a
  save_node_state node-b
  start_capture node-a eth1 "${TCPDUMP[@]}" -i eth1 -w "$DIR/node-a.eth1.pcap"
  log "traffic: pod-a1 -> pod-b1 only (nothing is answered)"
  traffic_ping pod-a1 10.244.91.70 3 0x0a0b -W 0.5 --allow-loss
  traffic_connect_fail pod-a1 10.244.91.70 8080
  stop_captures
  expect_packets "$DIR/node-a.eth1.pcap" 'ip proto 4 and src 172.26.9.91 and dst 172.26.9.92' eq 4 "IPIP node-a -> node-b (3 echo requests, 1 SYN)"
  expect_packets "$DIR/node-a.eth1.pcap" 'ip and src 172.26.9.92' eq 0 "IPv4 packets from node-b"
  scenario_end
}

scenario_before_after_nic() {
  local phase nic la lb
  for phase in before after; do
    if [ "$phase" = before ]; then
      nic=eth0 la=192.168.110.11 lb=192.168.110.12
      scenario_begin before-after-nic-before "IPIP over eth0 (management; Calico autodetected the wrong NIC)" before-after-nic/before
    else
      nic=eth1 la=172.16.110.11 lb=172.16.110.12
      scenario_begin before-after-nic-after "IPIP over eth1 (business; after IP_AUTODETECTION_METHOD=interface=eth1)" before-after-nic/after
    fi
    new_node node-a
    new_node node-b
    wire node-a eth0 02:5c:0a:0a:00:00 192.168.110.11/24 node-b eth0 02:5c:0a:0b:00:00 192.168.110.12/24
    wire node-a eth1 02:5c:0a:0a:00:01 172.16.110.11/24 node-b eth1 02:5c:0a:0b:00:01 172.16.110.12/24
    default_route node-a 192.168.110.1 eth0
    default_route node-b 192.168.110.1 eth0
    pod_block node-a 10.244.110.0/26
    pod_block node-b 10.244.111.64/26
    add_pod_no_tlp node-a pod-a1 10.244.110.5 1480
    add_pod_no_tlp node-b pod-b1 10.244.111.70 1480
    setup_ipip node-a "$nic" "$la" 10.244.110.0 10.244.111.64/26 "$lb"
    setup_ipip node-b "$nic" "$lb" 10.244.111.64 10.244.110.0/26 "$la"
    settle node-a node-b
    save_node_state node-a
    save_node_state node-b
    start_capture node-a dumpcap dumpcap -q -B 32 -i eth0 -i eth1 -w "$DIR/node-a.pcapng"
    pod_traffic pod-a1 10.244.110.5 pod-b1 10.244.111.70
    stop_captures
    expect_packets "$DIR/node-a.pcapng" "ip proto 4 and host $la and host $lb" eq 32 "IPIP between $la and $lb (on $nic)"
    expect_packets "$DIR/node-a.pcapng" "ip proto 4" eq 32 "IPIP in total"
    scenario_end
  done
}

scenario_before_after_ipip_off() {
  local phase
  for phase in before after; do
    if [ "$phase" = before ]; then
      scenario_begin before-after-ipip-off-before "IPIP between nodes in the same subnet" before-after-ipip-off/before
    else
      scenario_begin before-after-ipip-off-after "IPIP turned off: direct (BGP) routes, no encapsulation" before-after-ipip-off/after
    fi
    new_node node-a
    new_node node-b
    wire node-a eth0 02:5c:0b:0a:00:00 172.27.11.111/24 node-b eth0 02:5c:0b:0b:00:00 172.27.11.112/24
    default_route node-a 172.27.11.1 eth0
    default_route node-b 172.27.11.1 eth0
    pod_block node-a 10.244.112.0/26
    pod_block node-b 10.244.113.64/26
    add_pod_no_tlp node-a pod-a1 10.244.112.6 1480
    add_pod_no_tlp node-b pod-b1 10.244.113.72 1480
    if [ "$phase" = before ]; then
      setup_ipip node-a eth0 172.27.11.111 10.244.112.0 10.244.113.64/26 172.27.11.112
      setup_ipip node-b eth0 172.27.11.112 10.244.113.64 10.244.112.0/26 172.27.11.111
    else
      bgp_route node-a 10.244.113.64/26 172.27.11.112 eth0
      bgp_route node-b 10.244.112.0/26 172.27.11.111 eth0
    fi
    settle node-a node-b
    save_node_state node-a
    save_node_state node-b
    start_capture node-a eth0 "${TCPDUMP[@]}" -i eth0 -w "$DIR/node-a.eth0.pcap"
    pod_traffic pod-a1 10.244.112.6 pod-b1 10.244.113.72
    log "traffic: 10 more pings each way, for round-trip times"
    traffic_ping pod-a1 10.244.113.72 10 0x0a1b
    traffic_ping pod-b1 10.244.112.6 10 0x0b1a
    stop_captures
    if [ "$phase" = before ]; then
      expect_packets "$DIR/node-a.eth0.pcap" 'ip proto 4' eq 72 "IPIP packets"
    else
      expect_packets "$DIR/node-a.eth0.pcap" 'ip proto 4' eq 0 "IPIP packets"
      expect_packets "$DIR/node-a.eth0.pcap" 'host 10.244.112.6 and host 10.244.113.72' eq 72 "plain pod packets"
    fi
    scenario_end
  done
}

# cross_subnet MODE: three nodes, node-a and node-b on 172.16.40.0/24 (one
# switch), node-c on 172.16.41.0/24 behind a router. MODE cross-subnet: IPIP
# only to node-c; always: IPIP between all nodes.
cross_subnet() {
  local blk_a=10.244.40.0/26 blk_b=10.244.41.64/26 blk_c=10.244.42.128/26
  local ip_a=172.16.40.41 ip_b=172.16.40.42 ip_c=172.16.41.43
  new_node node-a
  new_node node-b
  new_node node-c
  new_router router
  new_switch switch
  plug node-a eth0 02:5c:0c:0a:00:00 $ip_a/24 switch port-a
  plug node-b eth0 02:5c:0c:0b:00:00 $ip_b/24 switch port-b
  plug router eth0 02:5c:0c:01:00:00 172.16.40.1/24 switch port-r
  wire router eth1 02:5c:0c:01:00:01 172.16.41.1/24 node-c eth0 02:5c:0c:0c:00:00 $ip_c/24
  default_route node-a 172.16.40.1 eth0
  default_route node-b 172.16.40.1 eth0
  default_route node-c 172.16.41.1 eth0
  pod_block node-a $blk_a
  pod_block node-b $blk_b
  pod_block node-c $blk_c
  add_pod_no_tlp node-a pod-a1 10.244.40.10 1480
  add_pod_no_tlp node-b pod-b1 10.244.41.70 1480
  add_pod_no_tlp node-c pod-c1 10.244.42.140 1480
  if [ "$1" = cross-subnet ]; then
    setup_ipip_peers node-a eth0 $ip_a 10.244.40.0 $blk_c=$ip_c
    setup_ipip_peers node-b eth0 $ip_b 10.244.41.64 $blk_c=$ip_c
    bgp_route node-a $blk_b $ip_b eth0
    bgp_route node-b $blk_a $ip_a eth0
  else
    setup_ipip_peers node-a eth0 $ip_a 10.244.40.0 $blk_b=$ip_b $blk_c=$ip_c
    setup_ipip_peers node-b eth0 $ip_b 10.244.41.64 $blk_a=$ip_a $blk_c=$ip_c
  fi
  setup_ipip_peers node-c eth0 $ip_c 10.244.42.128 $blk_a=$ip_a $blk_b=$ip_b
  settle node-a node-b node-c
  save_node_state node-a
  save_node_state node-b
  save_node_state node-c
  log "check before the capture: pod-b1 <-> pod-c1 (does not pass node-a)"
  traffic_ping pod-b1 10.244.42.140 2 0x0b0c
  traffic_ping pod-c1 10.244.41.70 2 0x0c0b
  start_capture node-a eth0 "${TCPDUMP[@]}" -i eth0 -w "$DIR/node-a.eth0.pcap"
  pod_traffic pod-a1 10.244.40.10 pod-b1 10.244.41.70
  pod_traffic_ids pod-a1 10.244.40.10 pod-c1 10.244.42.140 0x0a0c 0x0c0a
  stop_captures
  expect_packets "$DIR/node-a.eth0.pcap" "ip proto 4 and host $ip_a and host $ip_c" eq 32 "IPIP node-a <-> node-c"
  if [ "$1" = cross-subnet ]; then
    expect_packets "$DIR/node-a.eth0.pcap" "host 10.244.40.10 and host 10.244.41.70" eq 32 "plain pod-a1 <-> pod-b1"
    expect_packets "$DIR/node-a.eth0.pcap" "ip proto 4 and host $ip_b" eq 0 "IPIP node-a <-> node-b"
  else
    expect_packets "$DIR/node-a.eth0.pcap" "host 10.244.40.10 and host 10.244.41.70" eq 0 "plain pod-a1 <-> pod-b1"
    expect_packets "$DIR/node-a.eth0.pcap" "ip proto 4 and host $ip_a and host $ip_b" eq 32 "IPIP node-a <-> node-b"
  fi
}

scenario_cross_subnet() {
  scenario_begin cross-subnet "IPIP CrossSubnet: node-a/node-b same subnet (no encapsulation), node-c behind a router (IPIP)"
  cross_subnet cross-subnet
  scenario_end
}

scenario_cross_subnet_always() {
  scenario_begin cross-subnet-always "The cross-subnet cluster with IPIP Always: node-a <-> node-b encapsulated too"
  cross_subnet always
  scenario_end
}

scenario_vxlan_flannel_8472() {
  scenario_begin vxlan-flannel-8472 "flannel-style VXLAN: flannel.1, VNI 1, udp/8472, pods on cni0"
  new_node node-a
  new_node node-b
  wire node-a eth0 02:5c:0e:0a:00:00 172.28.14.11/24 node-b eth0 02:5c:0e:0b:00:00 172.28.14.12/24
  default_route node-a 172.28.14.1 eth0
  default_route node-b 172.28.14.1 eth0
  flannel_bridge node-a 10.244.14.1/24 02:5c:0e:0a:00:c0 1450
  flannel_bridge node-b 10.244.15.1/24 02:5c:0e:0b:00:c0 1450
  add_flannel_pod node-a pod-a1 10.244.14.2 24 10.244.14.1 1450 02:5c:0e:0a:00:a1
  add_flannel_pod node-b pod-b1 10.244.15.2 24 10.244.15.1 1450 02:5c:0e:0b:00:a1
  no_tlp pod-a1
  no_tlp pod-b1
  setup_vxlan_dev node-a eth0 172.28.14.11 66:5c:0e:0a:00:fe 10.244.14.0 flannel.1 1 8472 1450
  setup_vxlan_dev node-b eth0 172.28.14.12 66:5c:0e:0b:00:fe 10.244.15.0 flannel.1 1 8472 1450
  vxlan_peer_dev node-a flannel.1 66:5c:0e:0b:00:fe 172.28.14.12 10.244.15.0 10.244.15.0/24
  vxlan_peer_dev node-b flannel.1 66:5c:0e:0a:00:fe 172.28.14.11 10.244.14.0 10.244.14.0/24
  settle node-a node-b
  save_node_state node-a
  save_node_state node-b
  start_capture node-a eth0 "${TCPDUMP[@]}" -i eth0 -w "$DIR/node-a.eth0.pcap"
  pod_traffic pod-a1 10.244.14.2 pod-b1 10.244.15.2
  log "traffic: node -> remote pod (source = flannel.1 address)"
  traffic_ping node-a 10.244.15.2 2 0x0a00
  traffic_ping node-b 10.244.14.2 2 0x0b00
  stop_captures
  expect_packets "$DIR/node-a.eth0.pcap" 'udp dst port 8472' eq 40 "VXLAN packets to udp/8472"
  expect_packets "$DIR/node-a.eth0.pcap" 'udp port 4789' eq 0 "packets on udp/4789"
  scenario_end
}

scenario_mtu_blackhole() {
  scenario_begin mtu-blackhole "Calico VXLAN (mtu 1450) to a node whose NIC has mtu 1400: full-size packets vanish without an ICMP error"
  new_node node-a
  new_node node-b
  wire node-a eth1 02:5c:0f:0a:00:01 172.29.15.151/24 node-b eth1 02:5c:0f:0b:00:01 172.29.15.152/24
  # node-b's NIC (say, a cloud network with a smaller MTU) takes at most 1400
  # bytes: its veth drops the larger frames node-a sends, and says nothing.
  set_mtu node-b eth1 1400
  default_route node-a 172.29.15.1 eth1
  default_route node-b 172.29.15.1 eth1
  pod_block node-a 10.244.150.0/26
  pod_block node-b 10.244.151.64/26
  add_pod_no_tlp node-a pod-a1 10.244.150.10 1450
  add_pod_no_tlp node-b pod-b1 10.244.151.70 1450
  # Calico's VXLAN MTU for a 1500-byte underlay on both nodes (wrong for node-b).
  setup_vxlan_dev node-a - 172.29.15.151 66:5c:0f:0a:00:fe 10.244.150.0 vxlan.calico 4096 4789 1450
  setup_vxlan_dev node-b - 172.29.15.152 66:5c:0f:0b:00:fe 10.244.151.64 vxlan.calico 4096 4789 1450
  vxlan_peer node-a 66:5c:0f:0b:00:fe 172.29.15.152 10.244.151.64 10.244.151.64/26
  vxlan_peer node-b 66:5c:0f:0a:00:fe 172.29.15.151 10.244.150.0 10.244.150.0/26
  settle node-a node-b
  save_node_state node-a
  save_node_state node-b
  start_capture node-a eth1 "${TCPDUMP[@]}" -i eth1 -w "$DIR/node-a.eth1.pcap"
  log "traffic: small pings both ways (answered), then pod-b1 asks pod-a1 for 20000 bytes: headers arrive, the full-size body segments do not"
  traffic_ping pod-a1 10.244.151.70 3 0x0a0b
  traffic_ping pod-b1 10.244.150.10 3 0x0b0a
  traffic_http_stall pod-a1 10.244.150.10 pod-b1 8080 20000
  stop_captures
  expect_packets "$DIR/node-a.eth1.pcap" 'src 172.29.15.151 and udp port 4789 and greater 1514' ge 4 "1500-byte VXLAN packets from node-a"
  expect_packets "$DIR/node-a.eth1.pcap" 'icmp[icmptype] = 3' eq 0 "ICMP unreachable / fragmentation needed"
  expect_packets "$DIR/node-a.eth1.pcap" 'ip[6:2] & 0x3fff != 0' eq 0 "IPv4 fragments"
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
  find "$OUT_DIR/$s" -type f | sort | while IFS= read -r f; do info "$(rel "$f") ($(stat -c %s "$f") bytes)"; done
done
