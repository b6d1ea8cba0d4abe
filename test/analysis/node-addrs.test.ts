import { chmodSync, mkdtempSync, readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  loadNodeAddrs,
  MAX_NODE_ADDRS_BYTES,
  NodeAddrsError,
  NodeAddrsIndex,
  parseNodeAddrs,
  parseNodeAddrsArg,
  type NodeAddrs,
  type NodeInterface,
} from '../../src/analysis/node-addrs.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const FIX = join(HERE, 'fixtures', 'node-addrs');
const SAMPLES = join(HERE, '..', '..', 'samples');
const tmp = mkdtempSync(join(tmpdir(), 'podpath-node-addrs-'));

const fixture = (name: string): string => join(FIX, name);
const read = (name: string): string => readFileSync(fixture(name), 'utf8');
const parse = (text: string, file = 'node-t.json'): NodeAddrs => parseNodeAddrs(text, file, 'node-t');

/** One line per interface, so a whole file's reading fits in one readable expectation. */
function summary(iface: NodeInterface): string {
  const addrs = iface.addresses.map((a) => `${a.ip}/${a.prefixLen}${a.subnet === `${a.ip}/${a.prefixLen}` ? '' : `[${a.subnet}]`}`);
  return [iface.ifindex, iface.name, iface.mac, iface.mtu, iface.linkType, iface.kind, ...addrs].join(' ');
}

function thrown(fn: () => unknown): NodeAddrsError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(NodeAddrsError);
    return err as NodeAddrsError;
  }
  throw new Error('expected a NodeAddrsError');
}

async function rejected(p: Promise<unknown>): Promise<NodeAddrsError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(NodeAddrsError);
    return err as NodeAddrsError;
  }
  throw new Error('expected a NodeAddrsError');
}

/** node-x as every complete format reads it (ip -j addr, ip addr, ip -o addr + ip -o link). */
const NODE_X = [
  '1 lo 00:00:00:00:00:00 65536 loopback loopback 127.0.0.1/8[127.0.0.0/8] ::1/128',
  '2 eth0 02:5c:07:0a:00:00 1500 ether underlay 172.16.10.11/24[172.16.10.0/24] 172.16.10.200/32 172.16.10.99/24[172.16.10.0/24] 2001:db8:10::99/64[2001:db8:10::/64] 2001:db8:10::11/64[2001:db8:10::/64] fe80::5c:7ff:fe0a:0/64[fe80::/64]',
  '3 ens5 02:5c:07:0a:00:05 1500 ether underlay 192.168.40.11/24[192.168.40.0/24] 192.168.41.11/24[192.168.41.0/24] 192.168.40.50/24[192.168.40.0/24] fe80::5c:7ff:fe0a:5/64[fe80::/64]',
  '4 ens6 02:5c:07:0a:00:06 1500 ether underlay',
  '5 eth0.100 02:5c:07:0a:01:00 1500 ether underlay 10.100.0.11/24[10.100.0.0/24] fe80::5c:7ff:fe0a:100/64[fe80::/64]',
  '6 vxlan.calico 66:5c:07:0a:00:fe 1450 ether tunnel 10.244.1.0/32 fe80::645c:7ff:fe0a:fe/64[fe80::/64]',
  '7 vxlan-v6.calico 66:5c:07:0a:00:f6 1430 ether tunnel fd00:10:244:1::/128 fe80::645c:7ff:fe0a:f6/64[fe80::/64]',
  '8 tunl0  1480 none tunnel 10.244.2.0/32',
  '9 cali1234abcd567 ee:ee:ee:ee:ee:ee 1500 ether pod-veth fe80::ecee:eeff:feee:eeee/64[fe80::/64]',
  '10 cali9876fedc543 ee:ee:ee:ee:ee:ee 1500 ether pod-veth fe80::ecee:eeff:feee:eeee/64[fe80::/64]',
  '11 kube-ipvs0 4a:5c:07:0a:00:99 1500 ether other 10.96.0.1/32 10.96.0.10/32',
  '12 nodelocaldns 4a:5c:07:0a:00:98 1500 ether other 169.254.20.10/32',
  '13 docker0 02:42:5c:07:00:01 1500 ether other 172.17.0.1/16[172.17.0.0/16]',
  // Point-to-point: the prefix (and so the subnet) is the peer's.
  '14 ptp0  1500 none tunnel 10.9.9.1/32[10.9.9.2/32]',
];

describe('formats, on real ip output (test/analysis/fixtures/node-addrs, recorded by record.sh)', () => {
  it.each([
    ['node-x.addrs.json', 'ip -j addr show'],
    ['node-x.pretty.json', 'ip -j -p addr show'],
    ['node-x.addr-and-link.json', 'ip -j addr show; ip -j link show (two arrays)'],
    ['node-x.txt', 'ip addr show'],
    ['node-x.o-with-link.txt', 'ip -o addr show; ip -o link show'],
  ])('%s (%s) reads as node-x', (file) => {
    expect(parse(read(file), file).interfaces.map(summary)).toEqual(NODE_X);
  });

  it('veth: the veths (eth0 and ens5, recorded in namespaces, and the two cali*) in every format that has link lines', () => {
    const veths = ['eth0', 'ens5', 'cali1234abcd567', 'cali9876fedc543'];
    for (const file of ['node-x.addrs.json', 'node-x.pretty.json', 'node-x.addr-and-link.json', 'node-x.txt', 'node-x.o-with-link.txt', 'node-x.details.txt', 'node-x.details.json']) {
      expect(parse(read(file), file).interfaces.filter((i) => i.veth).map((i) => i.name), file).toEqual(veths);
    }
    // `ip -o addr show` alone has no link lines: nothing to tell by.
    expect(parse(read('node-x.o.txt')).interfaces.filter((i) => i.veth)).toEqual([]);
    // Text from an unnamed namespace says link-netnsid; `ip -d` names a veth whose peer is in the same namespace.
    const text = '2: eth0@if9: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000\n    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff link-netnsid 0\n    inet 172.18.0.2/16 brd 172.18.255.255 scope global eth0\n';
    expect(parse(text).interfaces.map((i) => [i.name, i.veth])).toEqual([['eth0', true]]);
    const same = [{ ifindex: 4, ifname: 'veth1', link_type: 'ether', address: '02:00:00:00:00:02', linkinfo: { info_kind: 'veth' }, addr_info: [] }];
    expect(parse(JSON.stringify(same)).interfaces.map((i) => [i.name, i.veth])).toEqual([['veth1', true]]);
    // A macvlan made in a container also has its parent in another namespace: `ip -d` tells it apart.
    const macvlan = [{ ifindex: 5, ifname: 'eth0', link_type: 'ether', address: '02:00:00:00:00:03', link_index: 2, link_netnsid: 0, linkinfo: { info_kind: 'macvlan' }, addr_info: [] }];
    expect(parse(JSON.stringify(macvlan)).interfaces.map((i) => [i.name, i.veth])).toEqual([['eth0', false]]);
    expect(parse(JSON.stringify([{ ...macvlan[0], linkinfo: undefined }])).interfaces.map((i) => [i.name, i.veth])).toEqual([['eth0', true]]);
  });

  it('ip -d addr show and ip -d -j addr show: the same, the device kind in the details only moves the ifb stand-in ens6 to other', () => {
    const expected = NODE_X.map((l) => (l.startsWith('4 ens6') ? l.replace('underlay', 'other') : l));
    expect(parse(read('node-x.details.txt')).interfaces.map(summary)).toEqual(expected);
    expect(parse(read('node-x.details.json')).interfaces.map(summary)).toEqual(expected);
  });

  it('ip -o addr show alone: addresses, no MAC/MTU/link type, kinds from names, address-less interfaces absent', () => {
    const node = parse(read('node-x.o.txt'), 'node-x.o.txt');
    expect(node.interfaces.map(summary)).toEqual([
      '1 lo    loopback 127.0.0.1/8[127.0.0.0/8] ::1/128',
      '2 eth0    underlay 172.16.10.11/24[172.16.10.0/24] 172.16.10.200/32 172.16.10.99/24[172.16.10.0/24] 2001:db8:10::99/64[2001:db8:10::/64] 2001:db8:10::11/64[2001:db8:10::/64] fe80::5c:7ff:fe0a:0/64[fe80::/64]',
      '3 ens5    underlay 192.168.40.11/24[192.168.40.0/24] 192.168.41.11/24[192.168.41.0/24] 192.168.40.50/24[192.168.40.0/24] fe80::5c:7ff:fe0a:5/64[fe80::/64]',
      '5 eth0.100    underlay 10.100.0.11/24[10.100.0.0/24] fe80::5c:7ff:fe0a:100/64[fe80::/64]',
      '6 vxlan.calico    tunnel 10.244.1.0/32 fe80::645c:7ff:fe0a:fe/64[fe80::/64]',
      '7 vxlan-v6.calico    tunnel fd00:10:244:1::/128 fe80::645c:7ff:fe0a:f6/64[fe80::/64]',
      '8 tunl0    tunnel 10.244.2.0/32',
      '9 cali1234abcd567    pod-veth fe80::ecee:eeff:feee:eeee/64[fe80::/64]',
      '10 cali9876fedc543    pod-veth fe80::ecee:eeff:feee:eeee/64[fe80::/64]',
      '11 kube-ipvs0    other 10.96.0.1/32 10.96.0.10/32',
      '12 nodelocaldns    other 169.254.20.10/32',
      '13 docker0    other 172.17.0.1/16[172.17.0.0/16]',
      // Without `link/none` a TUN's name is all there is.
      '14 ptp0    other 10.9.9.1/32[10.9.9.2/32]',
    ]);
  });

  it('ip -4 -j addr show: IPv4 only, and no link type or MAC in that output', () => {
    const node = parse(read('node-x.inet4-only.json'));
    expect(node.interfaces.map((i) => i.name)).toEqual(['lo', 'eth0', 'ens5', 'eth0.100', 'vxlan.calico', 'tunl0', 'kube-ipvs0', 'nodelocaldns', 'docker0', 'ptp0']);
    expect(node.interfaces.every((i) => i.mac === null && i.linkType === null && i.addresses.every((a) => a.family === 4))).toBe(true);
    expect(node.interfaces.find((i) => i.name === 'eth0')?.kind).toBe('underlay');
  });

  it('ip -br addr show is refused with advice', () => {
    const err = thrown(() => parse(read('node-x.brief.txt'), 'node-x.brief.txt'));
    expect(err.message).toBe(
      'node-x.brief.txt: looks like `ip -br addr` output, which has no interface indexes or MACs; save `ip -j addr show` (or `ip addr show`) instead (line 1)',
    );
  });

  it('plain text survives CRLF line ends, a BOM, trailing blanks and being pasted indented', () => {
    const text = read('node-x.txt');
    const variants = [
      text.replace(/\n/g, '\r\n'),
      '\ufeff' + text,
      '\n\n' + text + '\n\n   \n',
      text
        .split('\n')
        .map((l) => (l === '' ? l : '       ' + l))
        .join('\n'),
    ];
    for (const v of variants) expect(parse(v).interfaces.map(summary)).toEqual(NODE_X);
  });

  it('hand-written bare-metal Calico IPIP node: bond, VLAN on bond, InfiniBand, fallback tunnels, wireguard.cali', () => {
    const node = parse(read('calico-ipip-node.txt'), 'calico-ipip-node.txt');
    expect(node.interfaces.map(summary)).toEqual([
      '1 lo 00:00:00:00:00:00 65536 loopback loopback 127.0.0.1/8[127.0.0.0/8] ::1/128',
      '2 eno1 3c:ec:ef:10:20:31 9000 ether underlay',
      '3 eno2 3c:ec:ef:10:20:31 9000 ether underlay',
      // A 20-byte InfiniBand address is not a MAC.
      '4 ib0  2044 infiniband underlay 10.50.0.21/16[10.50.0.0/16]',
      '5 bond0 3c:ec:ef:10:20:31 9000 ether underlay 10.20.0.21/24[10.20.0.0/24] fe80::3eec:efff:fe10:2031/64[fe80::/64]',
      '6 bond0.100 3c:ec:ef:10:20:31 9000 ether underlay 10.30.0.21/24[10.30.0.0/24]',
      '7 docker0 02:42:9b:1c:7e:51 1500 ether other 172.17.0.1/16[172.17.0.0/16]',
      // tunl0@NONE: the suffix is dropped and "0.0.0.0" is not a MAC.
      '8 tunl0  8980 ipip tunnel 10.233.64.0/32',
      '9 gre0  1476 gre tunnel',
      '10 gretap0 00:00:00:00:00:00 1462 ether tunnel',
      '11 erspan0 00:00:00:00:00:00 1450 ether tunnel',
      '12 ip6tnl0  1452 tunnel6 tunnel',
      '13 sit0  1480 sit tunnel',
      '14 kube-ipvs0 8e:3a:5b:7c:11:02 1500 ether other 10.233.0.1/32 10.233.0.3/32',
      '15 nodelocaldns 2a:1d:93:4e:5f:60 1500 ether other 169.254.25.10/32',
      '16 wireguard.cali  8940 none tunnel 10.233.64.1/32',
      '17 cali2a0bf1f4a5e ee:ee:ee:ee:ee:ee 8980 ether pod-veth fe80::ecee:eeff:feee:eeee/64[fe80::/64]',
      '18 calif0c1d2e3a4b ee:ee:ee:ee:ee:ee 8980 ether pod-veth fe80::ecee:eeff:feee:eeee/64[fe80::/64]',
      '19 ens192 00:50:56:b4:60:31 1500 ether underlay 192.168.242.51/24[192.168.242.0/24] 192.168.242.55/24[192.168.242.0/24]',
    ]);
  });

  it('older iproute2: {} for filtered-out interfaces and addresses, and a 16-byte link/tunnel6 address that is no MAC', () => {
    const json = JSON.stringify([{}, { ifindex: 2, ifname: 'eth0', addr_info: [{}, { family: 'inet', local: '10.0.0.1', prefixlen: 24 }] }]);
    expect(parse(json).interfaces.map(summary)).toEqual(['2 eth0    underlay 10.0.0.1/24[10.0.0.0/24]']);
    const text = [
      '3: ip6tnl0@NONE: <NOARP> mtu 1452 qdisc noop state DOWN qlen 1',
      '    link/tunnel6 00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00 brd 00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00',
    ].join('\n');
    expect(parse(text).interfaces.map(summary)).toEqual(['3 ip6tnl0  1452 tunnel6 tunnel']);
  });

  it('JSON "link": null (tunl0@NONE) and other nulls are absent values, not errors', () => {
    const json = JSON.stringify([{ ifindex: 8, link: null, ifname: 'tunl0', mtu: 1480, link_type: 'ipip', address: '0.0.0.0', broadcast: '0.0.0.0', addr_info: [{ family: 'inet', local: '10.233.64.0', prefixlen: 32 }] }]);
    expect(parse(json).interfaces.map(summary)).toEqual(['8 tunl0  1480 ipip tunnel 10.233.64.0/32']);
  });

  it('addresses are stored canonically (lowercase, RFC 5952) and duplicates collapse', () => {
    const json = JSON.stringify([
      { ifindex: 2, ifname: 'eth0', address: '02:AB:CD:EF:00:01', addr_info: [{ family: 'inet6', local: '2001:DB8:0:0::0:1', prefixlen: 64 }, { family: 'inet6', local: '2001:db8::1', prefixlen: 64 }] },
    ]);
    expect(parse(json).interfaces.map(summary)).toEqual(['2 eth0 02:ab:cd:ef:00:01   underlay 2001:db8::1/64[2001:db8::/64]']);
  });
});

describe('the bundled samples (samples/**/node-*.addrs.json)', () => {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
      d.isDirectory() ? walk(join(dir, d.name)) : /^node-.*\.addrs\.json$/.test(d.name) ? [join(dir, d.name)] : [],
    );
  const files = walk(SAMPLES);

  it('finds at least the six first scenarios\' two nodes each', () => {
    expect(files.length).toBeGreaterThanOrEqual(12);
  });

  it.each(files)('%s loads: node named after the file, one loopback, underlay NICs, a pod veth', async (file) => {
    const node = await loadNodeAddrs(file);
    expect(node.name).toMatch(/^node-[a-z]$/);
    expect(node.file).toBe(file);
    expect(node.interfaces.filter((i) => i.kind === 'loopback').map((i) => i.name)).toEqual(['lo']);
    expect(node.interfaces.filter((i) => i.kind === 'underlay').length).toBeGreaterThan(0);
    const veths = node.interfaces.filter((i) => i.kind === 'pod-veth');
    expect(veths).toHaveLength(1);
    // Calico's cali* veths all carry ee:ee:ee:ee:ee:ee; flannel's veth* hang off the cni0 bridge.
    if (veths[0]!.name.startsWith('cali')) expect(veths[0]!.mac).toBe('ee:ee:ee:ee:ee:ee');
    else expect(veths[0]!.name).toMatch(/^veth/);
  });

  it('ipip-two-nics/node-a reads exactly', async () => {
    const node = await loadNodeAddrs(join(SAMPLES, 'ipip-two-nics', 'node-a.addrs.json'));
    expect(node.interfaces.map(summary)).toEqual([
      '1 lo 00:00:00:00:00:00 65536 loopback loopback 127.0.0.1/8[127.0.0.0/8]',
      '2 eth0 02:5c:03:0a:00:00 1500 ether underlay 192.168.10.11/24[192.168.10.0/24]',
      '3 eth1 02:5c:03:0a:00:01 1500 ether underlay 172.16.10.11/24[172.16.10.0/24]',
      '4 calidd33ceb84a6 ee:ee:ee:ee:ee:ee 1480 ether pod-veth',
      '5 tunl0  1480 none tunnel 10.244.10.0/32',
    ]);
  });

  it('vxlan/node-b reads exactly', async () => {
    const node = await loadNodeAddrs(join(SAMPLES, 'vxlan', 'node-b.addrs.json'));
    expect(node.interfaces.map(summary)).toEqual([
      '1 lo 00:00:00:00:00:00 65536 loopback loopback 127.0.0.1/8[127.0.0.0/8]',
      '2 eth1 02:5c:01:0b:00:01 1500 ether underlay 172.20.1.12/24[172.20.1.0/24]',
      '3 cali86a12876b92 ee:ee:ee:ee:ee:ee 1450 ether pod-veth',
      '4 vxlan.calico 66:5c:01:0b:00:fe 1450 ether tunnel 10.244.2.64/32',
    ]);
  });
});

describe('node names: parseNodeAddrsArg', () => {
  it.each([
    ['node-a.addrs.json', 'node-a', 'node-a.addrs.json'],
    ['samples/vxlan/node-b.addrs.json', 'node-b', 'samples/vxlan/node-b.addrs.json'],
    ['/tmp/worker-3.txt', 'worker-3', '/tmp/worker-3.txt'],
    ['ip-10-0-1-5.ec2.internal.json', 'ip-10-0-1-5.ec2.internal', 'ip-10-0-1-5.ec2.internal.json'],
    ['NODE.ADDR.TXT', 'NODE', 'NODE.ADDR.TXT'],
    ['node-c', 'node-c', 'node-c'],
    ['.json', '.json', '.json'],
    ['worker-1=captures/w1.json', 'worker-1', 'captures/w1.json'],
    ['a.b_c-1=x=y.json', 'a.b_c-1', 'x=y.json'],
    // A '/' before the '=' (or no name, or a name with other characters) means the '=' is part of the path.
    ['./runs/a=b/node-a.json', 'node-a', './runs/a=b/node-a.json'],
    ['runs/a=b.json', 'a=b', 'runs/a=b.json'],
    ['=node.json', '=node', '=node.json'],
    ['my node=x.json', 'my node=x', 'my node=x.json'],
  ])('%s → name %s, file %s', (arg, name, file) => {
    expect(parseNodeAddrsArg(arg)).toEqual({ name, file });
  });

  it('refuses an empty argument and NAME= with no file', () => {
    expect(thrown(() => parseNodeAddrsArg('')).message).toBe('(empty argument): no node address file given');
    expect(thrown(() => parseNodeAddrsArg('node-a=')).message).toBe('node-a=: no file after "node-a="');
  });

  it('loadNodeAddrs uses NAME=FILE', async () => {
    const node = await loadNodeAddrs(`worker-7=${fixture('node-x.addrs.json')}`);
    expect(node.name).toBe('worker-7');
    expect(node.file).toBe(fixture('node-x.addrs.json'));
  });
});

describe('interface kinds', () => {
  const kindOf = (ifname: string, link_type?: string, info_kind?: string): string => {
    const entry: Record<string, unknown> = { ifindex: 1, ifname };
    if (link_type !== undefined) entry['link_type'] = link_type;
    if (info_kind !== undefined) entry['linkinfo'] = { info_kind };
    return parse(JSON.stringify([entry])).interfaces[0]?.kind ?? 'none';
  };

  it.each([
    ['lo', 'loopback', 'loopback'],
    ['tunl0', 'ipip', 'tunnel'],
    ['tunl0', 'none', 'tunnel'],
    ['vxlan.calico', 'ether', 'tunnel'],
    ['vxlan-v6.calico', 'ether', 'tunnel'],
    ['wireguard.cali', 'none', 'tunnel'],
    ['wg-v6.cali', 'none', 'tunnel'],
    ['wg0', 'none', 'tunnel'],
    ['flannel.1', 'ether', 'tunnel'],
    ['cilium_vxlan', 'ether', 'tunnel'],
    ['cilium_geneve', 'ether', 'tunnel'],
    ['genev_sys_6081', 'ether', 'tunnel'],
    ['vxlan_sys_4789', 'ether', 'tunnel'],
    ['ipip0', 'ipip', 'tunnel'],
    ['gre0', 'gre', 'tunnel'],
    ['gretap0', 'ether', 'tunnel'],
    ['erspan0', 'ether', 'tunnel'],
    ['sit0', 'sit', 'tunnel'],
    ['ip6tnl0', 'tunnel6', 'tunnel'],
    ['mytun', 'ipip', 'tunnel'],
    ['mytun6', 'tunnel6', 'tunnel'],
    ['vpn', 'none', 'tunnel'],
    ['cali1234abcd567', 'ether', 'pod-veth'],
    ['veth9f3a2b1', 'ether', 'pod-veth'],
    ['lxc1a2b3c4d5e6f', 'ether', 'pod-veth'],
    ['lxc_health', 'ether', 'pod-veth'],
    ['eni1a2b3c4d5e6', 'ether', 'pod-veth'],
    ['cilium_host', 'ether', 'other'],
    ['cilium_net', 'ether', 'other'],
    ['cni0', 'ether', 'other'],
    ['docker0', 'ether', 'other'],
    ['kube-ipvs0', 'ether', 'other'],
    ['nodelocaldns', 'ether', 'other'],
    ['lxcbr0', 'ether', 'other'],
    ['br-0123456789ab', 'ether', 'other'],
    ['eth0', 'ether', 'underlay'],
    ['ens192', 'ether', 'underlay'],
    ['eno1', 'ether', 'underlay'],
    ['enp3s0f1', 'ether', 'underlay'],
    ['bond0', 'ether', 'underlay'],
    ['team0', 'ether', 'underlay'],
    ['bond0.100', 'ether', 'underlay'],
    ['vlan100', 'ether', 'underlay'],
    ['ib0', 'infiniband', 'underlay'],
    ['br0', 'ether', 'underlay'],
    ['net1', 'ether', 'underlay'],
    ['can0', 'can', 'other'],
  ])('%s (link/%s) is %s', (name, linkType, kind) => {
    expect(kindOf(name, linkType)).toBe(kind);
  });

  it.each([
    ['eth0', 'underlay'],
    ['ens4', 'underlay'],
    ['bond0.100', 'underlay'],
    ['vlan7', 'underlay'],
    ['tunl0', 'tunnel'],
    ['vxlan.calico', 'tunnel'],
    ['cali1234abcd567', 'pod-veth'],
    ['kube-ipvs0', 'other'],
    ['net1', 'other'],
  ])('without a link type (ip -o addr alone), %s is %s', (name, kind) => {
    expect(kindOf(name)).toBe(kind);
  });

  it('the device kind from ip -d: tunnels and dummies whatever their names', () => {
    expect(kindOf('overlay0', 'ether', 'vxlan')).toBe('tunnel');
    expect(kindOf('gnv0', 'ether', 'geneve')).toBe('tunnel');
    expect(kindOf('ipvs-vips', 'ether', 'dummy')).toBe('other');
    // veth says nothing: the samples' node NICs are veths.
    expect(kindOf('eth1', 'ether', 'veth')).toBe('underlay');
  });
});

describe('NodeAddrsIndex', () => {
  const sample = (dir: string, node: string): NodeAddrs => {
    const file = join(SAMPLES, dir, `${node}.addrs.json`);
    return parseNodeAddrs(readFileSync(file, 'utf8'), file, node);
  };
  const a = sample('ipip-two-nics', 'node-a');
  const b = sample('ipip-two-nics', 'node-b');
  const index = new NodeAddrsIndex([a, b]);

  it('ownerOf: exact address match on any node', () => {
    const owner = index.ownerOf('172.16.10.12');
    expect(owner?.node).toBe(b);
    expect(owner?.iface.name).toBe('eth1');
    expect(owner?.address).toEqual({ ip: '172.16.10.12', prefixLen: 24, family: 4, subnet: '172.16.10.0/24' });
    expect(index.ownerOf('10.244.10.0')?.iface.name).toBe('tunl0');
    expect(index.ownerOf('10.244.10.0')?.node.name).toBe('node-a');
    // In the subnet is not owning.
    expect(index.ownerOf('172.16.10.13')).toBeNull();
    expect(index.ownerOf('not an ip')).toBeNull();
    expect(index.ownerOf('')).toBeNull();
    expect(index.nodes).toEqual([a, b]);
  });

  it('ownerOf: null for an address on more than one interface (127.0.0.1 on both); ownersOf lists them', () => {
    expect(index.ownerOf('127.0.0.1')).toBeNull();
    expect(index.ownersOf('127.0.0.1').map((o) => o.node.name)).toEqual(['node-a', 'node-b']);
  });

  it('ownerOf on real IPv6, secondary and labelled addresses, with queries in any spelling', () => {
    const x = parse(read('node-x.addrs.json'), 'node-x.addrs.json');
    const ix = new NodeAddrsIndex([x]);
    expect(ix.ownerOf('2001:DB8:10:0:0:0:0:11')?.iface.name).toBe('eth0');
    expect(ix.ownerOf('2001:db8:10::11')?.address.subnet).toBe('2001:db8:10::/64');
    expect(ix.ownerOf('fd00:10:244:1::')?.iface.name).toBe('vxlan-v6.calico');
    expect(ix.ownerOf('172.16.10.99')?.iface.name).toBe('eth0'); // secondary
    expect(ix.ownerOf('172.16.10.200')?.iface.name).toBe('eth0'); // label eth0:vip
    expect(ix.ownerOf('10.96.0.10')?.iface.kind).toBe('other');
    expect(ix.ownerOf('fe80::5c:7ff:fe0a:5')?.iface.name).toBe('ens5'); // link-local, still exact
    expect(ix.ownerOf('fe80::5c:7ff:fe0a:5%ens5')?.iface.name).toBe('ens5');
    // Every Calico veth has the same link-local address.
    expect(ix.ownerOf('fe80::ecee:eeff:feee:eeee')).toBeNull();
    expect(ix.ownersOf('fe80::ecee:eeff:feee:eeee').map((o) => o.iface.name)).toEqual(['cali1234abcd567', 'cali9876fedc543']);
    // The peer of a point-to-point address is not the node's.
    expect(ix.ownerOf('10.9.9.1')?.iface.name).toBe('ptp0');
    expect(ix.ownerOf('10.9.9.2')).toBeNull();
    // Leading zeros / short forms are not addresses `ip` prints.
    expect(ix.ownerOf('172.016.010.011')).toBeNull();
  });

  it('ownerOfMac: lowercase or not; Calico veth MAC, zero MAC and broadcast own nothing', () => {
    expect(index.ownerOfMac('02:5c:03:0a:00:01')?.iface.name).toBe('eth1');
    expect(index.ownerOfMac('02:5C:03:0B:00:01')?.node).toBe(b);
    expect(index.ownerOfMac('ee:ee:ee:ee:ee:ee')).toBeNull();
    expect(index.ownersOfMac('ee:ee:ee:ee:ee:ee').map((o) => `${o.node.name}/${o.iface.name}`)).toEqual(['node-a/calidd33ceb84a6', 'node-b/cali86a12876b92']);
    expect(index.ownerOfMac('00:00:00:00:00:00')).toBeNull();
    expect(index.ownerOfMac('ff:ff:ff:ff:ff:ff')).toBeNull();
    expect(index.ownerOfMac('02:5c:03:0a:00:99')).toBeNull();
  });

  it('ownerOfMac: a bond, its slaves and its VLAN share a MAC; the bond answers', () => {
    const node = parse(read('calico-ipip-node.txt'), 'calico-ipip-node.txt');
    const ix = new NodeAddrsIndex([node]);
    expect(ix.ownersOfMac('3c:ec:ef:10:20:31').map((o) => o.iface.name)).toEqual(['eno1', 'eno2', 'bond0', 'bond0.100']);
    expect(ix.ownerOfMac('3c:ec:ef:10:20:31')?.iface.name).toBe('bond0');
    // The same pod veths on one node still name no single device.
    expect(ix.ownerOfMac('ee:ee:ee:ee:ee:ee')).toBeNull();
    // gretap0/erspan0 carry the zero MAC.
    expect(ix.ownerOfMac('00:00:00:00:00:00')).toBeNull();
  });

  it('interfaceByIndex', () => {
    expect(index.interfaceByIndex(a, 3)?.name).toBe('eth1');
    expect(index.interfaceByIndex(b, 5)?.name).toBe('tunl0');
    expect(index.interfaceByIndex(a, 99)).toBeNull();
    // A node the index was not built with is searched directly.
    const c = sample('vxlan', 'node-a');
    expect(index.interfaceByIndex(c, 4)?.name).toBe('vxlan.calico');
  });

  it('subnetOf: the underlay NIC whose subnet holds the address, per node or across nodes', () => {
    const viaA = index.subnetOf('172.16.10.12', a);
    expect(viaA?.node).toBe(a);
    expect(viaA?.iface.name).toBe('eth1');
    expect(viaA?.address.subnet).toBe('172.16.10.0/24');
    expect(index.subnetOf('192.168.10.200', b)?.iface.name).toBe('eth0');
    // Across nodes, file order decides between equal prefixes.
    expect(index.subnetOf('172.16.10.12')?.node).toBe(a);
    // Only underlay NICs: tunl0's /32 and lo's /8 are not "a NIC that reaches a peer".
    expect(index.subnetOf('10.244.10.0', a)).toBeNull();
    expect(index.subnetOf('127.0.0.2')).toBeNull();
    expect(index.subnetOf('8.8.8.8')).toBeNull();
    expect(index.subnetOf('garbage')).toBeNull();
  });

  it('subnetOf: longest prefix wins, IPv6 works, link-local subnets are left out', () => {
    const x = parse(read('node-x.txt'), 'node-x.txt');
    const ix = new NodeAddrsIndex([x]);
    expect(ix.subnetOf('172.16.10.200')?.address.prefixLen).toBe(32); // eth0:vip /32 beats /24
    expect(ix.subnetOf('172.16.10.5')?.address.ip).toBe('172.16.10.11'); // first of equal prefixes
    expect(ix.subnetOf('2001:db8:10::abcd')?.iface.name).toBe('eth0');
    expect(ix.subnetOf('10.100.0.99')?.iface.name).toBe('eth0.100');
    expect(ix.subnetOf('fe80::1')).toBeNull();
    expect(ix.subnetOf('172.17.0.5')).toBeNull(); // docker0 is not underlay
  });

  it('refuses two nodes with one name', () => {
    const err = thrown(() => new NodeAddrsIndex([a, { ...b, name: 'node-a' }]));
    expect(err.message).toContain('node name "node-a" is already used by');
    expect(err.file).toBe(b.file);
  });
});

describe('validation: every problem is a NodeAddrsError naming the file and what is wrong', () => {
  const entry = (over: Record<string, unknown>): string => JSON.stringify([{ ifindex: 2, ifname: 'eth0', link_type: 'ether', address: '02:00:00:00:00:01', addr_info: [], ...over }]);
  const addr = (a: Record<string, unknown>): string => entry({ addr_info: [{ family: 'inet', local: '10.0.0.1', prefixlen: 24, ...a }] });

  it.each([
    ['{"ifindex": 1}', 'node-t.json: top level is an object, expected an array of interfaces (the output of `ip -j addr show`)'],
    ['["eth0"]', 'node-t.json: entry 0: is the string "eth0", expected an object with "ifname"'],
    ['[null]', 'node-t.json: entry 0: is null, expected an object with "ifname"'],
    ['[{"ifindex": 1, "mtu": 1500}]', 'node-t.json: entry 0: has no "ifname" (a string); is this `ip -j addr show` output?'],
    ['[{"ifindex": 1, "ifname": 7}]', 'node-t.json: entry 0: has no "ifname" (a string); is this `ip -j addr show` output?'],
    ['[{"ifname": "a-very-long-interface-name"}]', 'node-t.json: entry 0: "a-very-long-interface-name" is not a Linux interface name'],
    ['[{"ifname": "eth0:1"}]', 'node-t.json: entry 0: "eth0:1" is not a Linux interface name'],
    ['[{"ifname": ""}]', 'node-t.json: entry 0: empty interface name'],
    [entry({ ifindex: 0 }), 'node-t.json: entry 0 ("eth0"): ifindex 0 is not an interface index (an integer from 1 to 2147483647)'],
    [entry({ ifindex: '2' }), 'node-t.json: entry 0 ("eth0"): ifindex the string "2" is not an interface index (an integer from 1 to 2147483647)'],
    [entry({ mtu: -1 }), 'node-t.json: entry 0 ("eth0"): mtu -1 is not an MTU'],
    [entry({ link_type: 5 }), 'node-t.json: entry 0 ("eth0"): "link_type" is 5, expected a string'],
    [entry({ address: ['02'] }), 'node-t.json: entry 0 ("eth0"): "address" is an array, expected a string'],
    [entry({ addr_info: {} }), 'node-t.json: entry 0 ("eth0"): "addr_info" is an object, expected an array'],
    [entry({ addr_info: ['10.0.0.1/24'] }), 'node-t.json: entry 0 ("eth0"): addr_info[0] is the string "10.0.0.1/24", expected an object'],
    [addr({ family: 'inet4' }), 'node-t.json: entry 0 ("eth0"): addr_info[0]: "family" is the string "inet4", expected "inet" or "inet6"'],
    [addr({ local: undefined }), 'node-t.json: entry 0 ("eth0"): addr_info[0]: "local" is missing, expected an address string'],
    [addr({ local: '300.1.1.1' }), 'node-t.json: entry 0 ("eth0"): addr_info[0]: "300.1.1.1" is not a valid IPv4 address'],
    [addr({ local: '10.1' }), 'node-t.json: entry 0 ("eth0"): addr_info[0]: "10.1" is not a valid IPv4 address'],
    [addr({ local: '2001:db8::1' }), 'node-t.json: entry 0 ("eth0"): addr_info[0]: "2001:db8::1" is not a valid IPv4 address'],
    [addr({ family: 'inet6', local: '10.0.0.1' }), 'node-t.json: entry 0 ("eth0"): addr_info[0]: "10.0.0.1" is not a valid IPv6 address'],
    [addr({ family: 'inet6', local: 'fe80::1%eth0', prefixlen: 64 }), 'node-t.json: entry 0 ("eth0"): addr_info[0]: "fe80::1%eth0" is not a valid IPv6 address'],
    [addr({ prefixlen: 33 }), 'node-t.json: entry 0 ("eth0"): addr_info[0]: prefix length 33 of "10.0.0.1" is out of range for IPv4 (0-32)'],
    [addr({ family: 'inet6', local: '2001:db8::1', prefixlen: 129 }), 'node-t.json: entry 0 ("eth0"): addr_info[0]: prefix length 129 of "2001:db8::1" is out of range for IPv6 (0-128)'],
    [addr({ prefixlen: 24.5 }), 'node-t.json: entry 0 ("eth0"): addr_info[0]: prefix length 24.5 of "10.0.0.1" is out of range for IPv4 (0-32)'],
    [addr({ prefixlen: '24' }), 'node-t.json: entry 0 ("eth0"): addr_info[0]: "prefixlen" is the string "24", expected a number'],
    [addr({ address: 'peer' }), 'node-t.json: entry 0 ("eth0"): addr_info[0]: peer "peer" of "10.0.0.1" is not a valid IPv4 address'],
    [
      JSON.stringify([{ ifindex: 2, ifname: 'eth0' }, { ifindex: 2, ifname: 'eth1' }]),
      'node-t.json: entry 1 ("eth1"): ifindex 2 is "eth0" earlier in the file but "eth1" here (outputs of two nodes in one file?)',
    ],
    [
      JSON.stringify([{ ifindex: 2, ifname: 'eth0' }, { ifindex: 3, ifname: 'eth0' }]),
      'node-t.json: entry 1 ("eth0"): interface "eth0" has ifindex 2 earlier in the file but 3 here (outputs of two nodes in one file?)',
    ],
    ['[] {"x": 1}', 'node-t.json: JSON array 2, top level is an object, expected an array of interfaces (the output of `ip -j addr show`)'],
    ['[]', 'node-t.json: lists no interfaces; expected the output of `ip -j addr show`, `ip -o addr show` or `ip addr show`'],
  ])('JSON %s', (text, message) => {
    expect(thrown(() => parse(text)).message).toBe(message);
  });

  it('broken JSON gives the line where it breaks', () => {
    const text = read('node-x.pretty.json').replace('"ifname": "ens5"', '"ifname" "ens5"');
    const err = thrown(() => parse(text, 'node-x.json'));
    expect(err.message).toMatch(/^node-x\.json: is not valid JSON \([^)]+\); expected the output of .* \(line \d+\)$/);
    expect(err.message).not.toContain('position');
    expect(err.line).toBe(text.slice(0, text.indexOf('"ifname" "ens5"')).split('\n').length);
    const cut = thrown(() => parse(read('node-x.addrs.json').slice(0, 500)));
    expect(cut.detail).toMatch(/^is not valid JSON/);
  });

  const T = 'node-t.txt';
  const header = '2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP group default qlen 1000';
  it.each([
    ['default via 10.0.0.1 dev eth0 proto dhcp', 'node-t.txt: expected the output of `ip -j addr show`, `ip -o addr show` or `ip addr show`, but the file starts with "default via 10.0.0.1 dev eth0 proto dhcp" (line 1)'],
    [`root@node-a:~# ip addr\n${header}`, 'node-t.txt: expected the output of `ip -j addr show`, `ip -o addr show` or `ip addr show`, but the file starts with "root@node-a:~# ip addr" (line 1)'],
    ['eth0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500', 'node-t.txt: expected the output of `ip -j addr show`, `ip -o addr show` or `ip addr show`, but the file starts with "eth0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500" (line 1)'],
    ['    inet 10.0.0.1/24 scope global eth0', 'node-t.txt: expected the output of `ip -j addr show`, `ip -o addr show` or `ip addr show`, but the file starts with "inet 10.0.0.1/24 scope global eth0" (line 1)'],
    [`${header}\n    inet 10.0.0.1 scope global eth0`, 'node-t.txt: inet address "10.0.0.1" has no prefix length (line 2)'],
    [`${header}\n    inet 10.0.0.1/abc scope global eth0`, 'node-t.txt: inet address "10.0.0.1/abc": prefix length "abc" is not a number (line 2)'],
    [`${header}\n    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff\n    inet 10.0.0.300/24 scope global eth0`, 'node-t.txt: inet address "10.0.0.300/24": "10.0.0.300" is not a valid IPv4 address (line 3)'],
    [`${header}\n    inet 10.0.0.1/40 scope global eth0`, 'node-t.txt: inet address "10.0.0.1/40": prefix length 40 of "10.0.0.1" is out of range for IPv4 (0-32)'.concat(' (line 2)')],
    [`${header}\n    inet6 2001:db8::1/200 scope global`, 'node-t.txt: inet6 address "2001:db8::1/200": prefix length 200 of "2001:db8::1" is out of range for IPv6 (0-128) (line 2)'],
    [`${header}\n    inet6 2001:db8::g/64 scope global`, 'node-t.txt: inet6 address "2001:db8::g/64": "2001:db8::g" is not a valid IPv6 address (line 2)'],
    [`${header}\n    inet 10.0.0.1 peer 10.0.0.2 scope global eth0`, 'node-t.txt: inet "10.0.0.1" peer "10.0.0.2" has no prefix length (line 2)'],
    [`${header}\n    inet 10.0.0.1 peer 10.0.0/32 scope global eth0`, 'node-t.txt: inet address "10.0.0.1": peer "10.0.0" of "10.0.0.1" is not a valid IPv4 address (line 2)'],
    [`${header}\nsomething else`, 'node-t.txt: "something else" is not a line of `ip addr show` output (line 2)'],
    ['0: eth0: <UP> mtu 1500', 'node-t.txt: ifindex 0 is not an interface index (an integer from 1 to 2147483647) (line 1)'],
    ['99999999999: eth0: <UP> mtu 1500', 'node-t.txt: ifindex 99999999999 is not an interface index (an integer from 1 to 2147483647) (line 1)'],
    ['2: averyveryverylongname: <UP> mtu 1500', 'node-t.txt: "averyveryverylongname" is not a Linux interface name (line 1)'],
    ['2: eth0    inet 10.0.0.1/24 scope global eth0\\       valid_lft forever\n2: eth1    inet 10.0.0.2/24 scope global eth1', 'node-t.txt: ifindex 2 is "eth0" earlier in the file but "eth1" here (outputs of two nodes in one file?) (line 2)'],
  ])('text %#', (text, message) => {
    expect(thrown(() => parse(text, T)).message).toBe(message);
  });

  it('two nodes\' ip addr outputs pasted into one file are refused', () => {
    const two = read('node-x.txt') + read('calico-ipip-node.txt');
    expect(thrown(() => parse(two, T)).detail).toBe('ifindex 2 is "eth0" earlier in the file but "eno1" here (outputs of two nodes in one file?)');
  });

  it('empty, blank and binary input', () => {
    expect(thrown(() => parse('', T)).message).toBe('node-t.txt: is empty; expected the output of `ip -j addr show`, `ip -o addr show` or `ip addr show`');
    expect(thrown(() => parse(' \n\t\r\n', T)).detail).toMatch(/^is empty/);
    expect(thrown(() => parse('\ufeff', T)).detail).toMatch(/^is empty/);
    expect(thrown(() => parse('1: lo\u0000', T)).detail).toMatch(/^is binary data/);
  });

  it('control characters in the file never reach the message raw', () => {
    const err = thrown(() => parse('\u001b[31mred\u0007', T));
    expect(err.message).not.toMatch(/[\u0000-\u001f]/);
    expect(err.message).toContain('\\u001b[31mred\\u0007');
  });

  it('never anything but a NodeAddrsError, on any text (fast-check)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        try {
          parse(text, T);
        } catch (err) {
          return err instanceof NodeAddrsError && err.message.startsWith('node-t.txt: ');
        }
        return true;
      }),
      { numRuns: 2000 },
    );
  });

  it('never anything but a NodeAddrsError, on any JSON value (fast-check)', () => {
    const iface = fc.record(
      {
        ifindex: fc.oneof(fc.integer(), fc.constant(null), fc.string()),
        ifname: fc.oneof(fc.constantFrom('eth0', 'lo', 'tunl0', 'cali1'), fc.string()),
        mtu: fc.oneof(fc.integer(), fc.string()),
        link_type: fc.oneof(fc.constantFrom('ether', 'none', 'ipip'), fc.jsonValue()),
        address: fc.oneof(fc.constant('02:00:00:00:00:01'), fc.jsonValue()),
        addr_info: fc.oneof(
          fc.array(
            fc.record(
              {
                family: fc.oneof(fc.constantFrom('inet', 'inet6'), fc.jsonValue()),
                local: fc.oneof(fc.ipV4(), fc.ipV6(), fc.string()),
                prefixlen: fc.oneof(fc.integer({ min: -1, max: 130 }), fc.jsonValue()),
                address: fc.oneof(fc.ipV4(), fc.jsonValue()),
              },
              { requiredKeys: [] },
            ),
          ),
          fc.jsonValue(),
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(fc.array(iface, { maxLength: 4 }), fc.jsonValue()), (value) => {
        try {
          parse(JSON.stringify(value));
        } catch (err) {
          return err instanceof NodeAddrsError && err.message.startsWith('node-t.json: ');
        }
        return true;
      }),
      { numRuns: 2000 },
    );
  });

  it('every prefix of every real output parses or fails cleanly (truncation sweep)', () => {
    for (const file of ['node-x.txt', 'node-x.o-with-link.txt', 'node-x.addrs.json', 'calico-ipip-node.txt']) {
      const text = read(file);
      // Every prefix of the first lines, then every 5th (prime steps hit every column sooner or later).
      for (let n = 0; n <= text.length; n += n < 400 ? 1 : file.endsWith('.json') ? 13 : 5) {
        try {
          parse(text.slice(0, n), file);
        } catch (err) {
          expect(err).toBeInstanceOf(NodeAddrsError);
        }
      }
    }
  });
});

describe('loadNodeAddrs: files', () => {
  it('missing file, directory, empty file, binary file', async () => {
    const missing = join(tmp, 'nope.json');
    expect((await rejected(loadNodeAddrs(missing))).message).toBe(`${missing}: no such file`);
    expect((await rejected(loadNodeAddrs(`node-a=${missing}`))).file).toBe(missing);
    expect((await rejected(loadNodeAddrs(tmp))).message).toBe(`${tmp}: is a directory, not a node address file`);
    const empty = join(tmp, 'empty.json');
    writeFileSync(empty, '');
    expect((await rejected(loadNodeAddrs(empty))).message).toBe(`${empty}: is empty; expected the output of \`ip -j addr show\`, \`ip -o addr show\` or \`ip addr show\``);
    const pcap = join(SAMPLES, 'vxlan', 'node-a.eth1.pcap');
    expect((await rejected(loadNodeAddrs(`node-a=${pcap}`))).message).toBe(`${pcap}: is binary data, not the output of \`ip addr show\` (a capture file given as a node address file?)`);
  });

  it('a file over the cap is refused before it is read', async () => {
    const big = join(tmp, 'big.json');
    writeFileSync(big, '');
    truncateSync(big, MAX_NODE_ADDRS_BYTES + 1);
    const err = await rejected(loadNodeAddrs(big));
    expect(err.message).toBe(`${big}: is larger than 16 MiB; \`ip addr show\` output is far smaller, is this the right file?`);
  });

  it('an unreadable file', async () => {
    if (process.getuid?.() === 0) return; // root reads anything
    const locked = join(tmp, 'locked.json');
    writeFileSync(locked, '[]');
    chmodSync(locked, 0o000);
    expect((await rejected(loadNodeAddrs(locked))).message).toBe(`${locked}: permission denied`);
  });

  it('UTF-16LE with BOM (PowerShell redirection) reads like UTF-8', async () => {
    const file = join(tmp, 'node-w.addrs.json');
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(read('node-x.addrs.json'), 'utf16le')]));
    const node = await loadNodeAddrs(file);
    expect(node.name).toBe('node-w');
    expect(node.interfaces.map(summary)).toEqual(NODE_X);
  });

  it('reads from a FIFO (process substitution: --node-addrs node-a=<(ssh node-a ip -j addr))', async () => {
    const { spawnSync, spawn } = await import('node:child_process');
    const fifo = join(tmp, 'fifo');
    if (spawnSync('mkfifo', [fifo]).status !== 0) return;
    const writer = spawn('sh', ['-c', `cat "$1" > "$2"`, 'sh', fixture('node-x.txt'), fifo]);
    const node = await loadNodeAddrs(`node-f=${fifo}`);
    writer.kill();
    expect(node.interfaces.map(summary)).toEqual(NODE_X);
  });

  it('all fixtures load by path, named after the file', async () => {
    const node = await loadNodeAddrs(fixture('node-x.o-with-link.txt'));
    expect(node.name).toBe('node-x.o-with-link');
    expect(node.interfaces.map(summary)).toEqual(NODE_X);
  });
});
