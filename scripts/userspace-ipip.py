#!/usr/bin/env python3
"""Userspace IPIP (IPv4-in-IPv4, IP protocol 4) tunnel endpoint.

Stand-in for the kernel `ipip` module (Calico's `tunl0`) on machines where the
module is not available.  Python 3 standard library only.

It creates a TUN device (IFF_TUN | IFF_NO_PI, default name `tunl0`), reads the
inner IPv4 packets the kernel routes into it, and sends each one as the payload
of a real IPv4 protocol-4 packet through a raw socket
`socket(AF_INET, SOCK_RAW, IPPROTO_IPIP)` to the node that owns the inner
destination (the kernel builds the outer IPv4 header; the socket is bound to
the local node address, so the outer source is the address of the chosen NIC).
In the other direction it receives protocol-4 packets on the same raw socket
(raw IPv4 sockets get the whole outer header), strips the outer header and
writes the inner packet into the TUN device, where the kernel receives it as if
it came out of a tunnel.

The device is configured by the caller (address, MTU, routes), e.g.:

    ip netns exec NODE python3 userspace-ipip.py --local 172.16.10.11 \
        --peer 10.244.11.64/26=172.16.10.12 &
    ip -n NODE link set tunl0 mtu 1480 up
    ip -n NODE addr add 10.244.10.0/32 dev tunl0
    ip -n NODE route add 10.244.11.64/26 via 172.16.10.12 dev tunl0 onlink

Stops on SIGINT/SIGTERM and prints packet counters to stderr.
"""

import argparse
import fcntl
import ipaddress
import os
import select
import signal
import socket
import struct
import sys

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
IPPROTO_IPIP = 4


def open_tun(name: str) -> int:
    fd = os.open("/dev/net/tun", os.O_RDWR)
    ifr = struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI)
    fcntl.ioctl(fd, TUNSETIFF, ifr)
    return fd


def parse_peer(text: str):
    try:
        block, node = text.split("=", 1)
        return ipaddress.IPv4Network(block, strict=False), ipaddress.IPv4Address(node)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"bad --peer {text!r}: expected CIDR=NODE_IP ({exc})")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dev", default="tunl0", help="TUN device name (default tunl0)")
    ap.add_argument("--local", required=True, help="local node IP (outer source address)")
    ap.add_argument("--peer", action="append", type=parse_peer, default=[], required=True,
                    metavar="CIDR=NODE_IP", help="inner destination block -> peer node IP (repeatable)")
    ap.add_argument("--quiet", action="store_true", help="do not print the start/stop lines")
    args = ap.parse_args()

    # Longest prefix first.
    peers = sorted(args.peer, key=lambda p: p[0].prefixlen, reverse=True)
    peer_nodes = {str(node) for _, node in peers}

    tun = open_tun(args.dev)
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, IPPROTO_IPIP)
    sock.bind((args.local, 0))

    counters = {"tx": 0, "rx": 0, "drop": 0}
    running = True

    def stop(_signum, _frame):
        nonlocal running
        running = False

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)

    if not args.quiet:
        print(f"userspace-ipip: {args.dev} up, local {args.local}, peers "
              + ", ".join(f"{net}={node}" for net, node in peers), file=sys.stderr, flush=True)

    while running:
        try:
            readable, _, _ = select.select([tun, sock], [], [], 0.5)
        except InterruptedError:
            continue
        for r in readable:
            if r is tun:
                pkt = os.read(tun, 65535)
                if len(pkt) < 20 or pkt[0] >> 4 != 4:
                    counters["drop"] += 1  # not IPv4
                    continue
                dst = ipaddress.IPv4Address(pkt[16:20])
                node = next((n for net, n in peers if dst in net), None)
                if node is None:
                    counters["drop"] += 1
                    continue
                try:
                    sock.sendto(pkt, (str(node), 0))
                    counters["tx"] += 1
                except OSError:
                    counters["drop"] += 1
            else:
                data, addr = sock.recvfrom(65535)
                if len(data) < 20 or addr[0] not in peer_nodes:
                    counters["drop"] += 1
                    continue
                ihl = (data[0] & 0x0F) * 4
                inner = data[ihl:]
                if len(inner) < 20 or inner[0] >> 4 != 4:
                    counters["drop"] += 1
                    continue
                os.write(tun, inner)
                counters["rx"] += 1

    if not args.quiet:
        print(f"userspace-ipip: {args.dev} stopped: encapsulated {counters['tx']}, "
              f"decapsulated {counters['rx']}, dropped {counters['drop']}", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
