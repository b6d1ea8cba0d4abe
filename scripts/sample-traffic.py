#!/usr/bin/env python3
"""Deterministic test traffic for scripts/record-samples.sh (Python 3 stdlib only).

Subcommands (run inside a network namespace with `ip netns exec`):

  ping DST [--count N] [--interval S] [--id ID] [--size BYTES] [--allow-loss]
      ICMP echo requests through a raw socket, like ping(8) but with a fixed
      identifier and a fixed payload (56 bytes unless --size), so re-recorded
      captures compare well.  Waits for every echo reply; exits 1 if any is
      missing, unless --allow-loss (then it only reports the loss).
  serve PORT [--count N] [--body TEXT | --body-size BYTES] [--headers-first] [--ready-file PATH]
      Tiny HTTP/1.0 server: answers N connections, then exits.  --body-size
      sends a body of that many fixed bytes instead of TEXT (bulk transfer).
      --headers-first: send the headers, wait 50 ms, then the body (so the
      headers travel as one small segment of their own).
  get HOST PORT [--expect-failure | --expect-stall]
      HTTP/1.0 client: sends one GET request, prints the status line (and the
      body length).  --expect-failure: the connection must NOT succeed within
      --timeout (one-way paths); exits 0 when it fails, 1 when it succeeds.
      --expect-stall: the connection must succeed but the whole answer must
      NOT arrive within --timeout (MTU black holes); exits 0 when it stalls.
"""

import argparse
import os
import socket
import struct
import sys
import time

PAYLOAD = bytes((0x10 + i) % 256 for i in range(56))


def payload(size: int) -> bytes:
    """The fixed echo payload, extended with the same pattern to SIZE bytes."""
    return bytes((0x10 + i) % 256 for i in range(size))


def bulk_body(size: int) -> bytes:
    """SIZE bytes of fixed, readable text (numbered 64-byte lines)."""
    out = bytearray()
    n = 0
    while len(out) < size:
        out += f"podpath sample bulk line {n:06d} ".ljust(63, ".").encode() + b"\n"
        n += 1
    return bytes(out[:size])


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def cmd_ping(args) -> int:
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    if args.source:
        sock.bind((args.source, 0))
    dst = socket.gethostbyname(args.dst)
    ident = args.id & 0xFFFF
    data_bytes = PAYLOAD if args.size == 56 else payload(args.size)
    lost = 0
    for seq in range(1, args.count + 1):
        hdr = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
        pkt = struct.pack("!BBHHH", 8, 0, checksum(hdr + data_bytes), ident, seq) + data_bytes
        sent = time.monotonic()
        try:
            sock.sendto(pkt, (dst, 0))
        except OSError as exc:  # e.g. EMSGSIZE once the kernel knows a smaller path MTU
            print(f"send icmp_seq={seq} ({len(pkt)} bytes) to {dst}: {exc.strerror}", file=sys.stderr, flush=True)
        deadline = sent + args.timeout
        got = False
        while not got:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            sock.settimeout(remaining)
            try:
                data, addr = sock.recvfrom(65535)
            except socket.timeout:
                break
            ihl = (data[0] & 0x0F) * 4
            icmp = data[ihl:ihl + 8]
            if len(icmp) < 8 or addr[0] != dst:
                continue
            typ, _code, _ck, rid, rseq = struct.unpack("!BBHHH", icmp)
            if typ == 0 and rid == ident and rseq == seq:
                got = True
                rtt = (time.monotonic() - sent) * 1000
                print(f"{len(data) - ihl} bytes from {dst}: icmp_seq={seq} id={ident:#06x} "
                      f"ttl={data[8]} time={rtt:.2f} ms", flush=True)
        if not got:
            lost += 1
            print(f"no reply from {dst} for icmp_seq={seq}", file=sys.stderr, flush=True)
        if seq < args.count:
            time.sleep(args.interval)
    print(f"--- {dst}: {args.count} sent, {args.count - lost} received", flush=True)
    return 1 if lost and not args.allow_loss else 0


def cmd_serve(args) -> int:
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("0.0.0.0", args.port))
    srv.listen(8)
    srv.settimeout(args.timeout)
    if args.ready_file:
        with open(args.ready_file, "w") as f:
            f.write("ready\n")
    body = bulk_body(args.body_size) if args.body_size is not None else (args.body + "\n").encode()
    for _ in range(args.count):
        try:
            conn, peer = srv.accept()
        except socket.timeout:
            print("serve: timed out waiting for a connection", file=sys.stderr)
            return 1
        with conn:
            conn.settimeout(args.timeout)
            req = b""
            while b"\r\n\r\n" not in req:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                req += chunk
            line = req.split(b"\r\n", 1)[0].decode(errors="replace")
            print(f"serve: {peer[0]}:{peer[1]} {line}", flush=True)
            headers = (b"HTTP/1.0 200 OK\r\nServer: podpath-sample\r\nContent-Type: text/plain\r\n"
                       + f"Content-Length: {len(body)}\r\n\r\n".encode())
            if args.headers_first:
                conn.sendall(headers)
                time.sleep(0.05)
                conn.sendall(body)
            else:
                conn.sendall(headers + body)
    return 0


def cmd_get(args) -> int:
    if args.expect_failure:
        try:
            s = socket.create_connection((args.host, args.port), timeout=args.timeout)
        except OSError as exc:
            print(f"get {args.host}:{args.port}: no connection, as expected ({exc})", flush=True)
            return 0
        s.close()
        print(f"get {args.host}:{args.port}: connected, but the connection was expected to fail",
              file=sys.stderr, flush=True)
        return 1
    s = socket.create_connection((args.host, args.port), timeout=args.timeout)
    with s:
        s.sendall(f"GET / HTTP/1.0\r\nHost: {args.host}:{args.port}\r\n"
                  "User-Agent: podpath-sample\r\n\r\n".encode())
        resp = b""
        deadline = time.monotonic() + args.timeout
        while True:
            try:
                s.settimeout(max(0.01, deadline - time.monotonic()))
                chunk = s.recv(4096)
            except socket.timeout:
                if args.expect_stall:
                    print(f"get {args.host}:{args.port}: stalled after {len(resp)} bytes, as expected", flush=True)
                    return 0
                raise
            if not chunk:
                break
            resp += chunk
    if args.expect_stall:
        print(f"get {args.host}:{args.port}: the whole answer arrived ({len(resp)} bytes), but it was expected to stall",
              file=sys.stderr, flush=True)
        return 1
    status = resp.split(b"\r\n", 1)[0].decode(errors="replace")
    body = resp.split(b"\r\n\r\n", 1)[-1]
    if len(body) > 200:
        print(f"get {args.host}:{args.port}: {status} / {len(body)} bytes of body", flush=True)
    else:
        print(f"get {args.host}:{args.port}: {status} / {body.decode(errors='replace').strip()}", flush=True)
    return 0 if status.startswith("HTTP/1.0 200") else 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)

    p = sub.add_parser("ping")
    p.add_argument("dst")
    p.add_argument("--count", "-c", type=int, default=3)
    p.add_argument("--interval", "-i", type=float, default=0.2)
    p.add_argument("--timeout", "-W", type=float, default=2.0)
    p.add_argument("--id", type=lambda s: int(s, 0), default=0x7070)
    p.add_argument("--source", "-I")
    p.add_argument("--size", "-s", type=int, default=56, help="ICMP payload bytes (default 56)")
    p.add_argument("--allow-loss", action="store_true", help="exit 0 even if replies are missing")
    p.set_defaults(func=cmd_ping)

    s = sub.add_parser("serve")
    s.add_argument("port", type=int)
    s.add_argument("--count", type=int, default=1)
    s.add_argument("--body", default="hello from podpath sample")
    s.add_argument("--body-size", type=int, help="send this many fixed bytes as the body instead of --body")
    s.add_argument("--headers-first", action="store_true", help="send the headers as a segment of their own")
    s.add_argument("--ready-file")
    s.add_argument("--timeout", type=float, default=10.0)
    s.set_defaults(func=cmd_serve)

    g = sub.add_parser("get")
    g.add_argument("host")
    g.add_argument("port", type=int)
    g.add_argument("--timeout", type=float, default=5.0)
    g.add_argument("--expect-failure", action="store_true",
                   help="succeed only if no connection is made within --timeout")
    g.add_argument("--expect-stall", action="store_true",
                   help="succeed only if the connection is made but the whole answer does not arrive within --timeout")
    g.set_defaults(func=cmd_get)

    args = ap.parse_args()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
