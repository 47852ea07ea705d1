import { BlockList, isIP } from 'node:net';

/**
 * Which addresses http.request may reach. Private, loopback, link-local and other
 * special-purpose ranges are refused unless the operator allows them
 * (`TANDEM_HTTP_ALLOW`: comma-separated IPs, CIDR ranges or host names).
 *
 * IPv6 addresses that carry an IPv4 address (IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible
 * `::a.b.c.d`, IPv4-translated `::ffff:0:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`) are judged as
 * that IPv4 address, whatever their spelling (dotted or hex, zeros written out or not).
 * Other IPv6 addresses must be global unicast (`2000::/3`) outside the reserved blocks in it;
 * 6to4 (`2002::/16`) and Teredo (`2001::/32`, in `2001::/23`) are refused whole, since either
 * can tunnel to an IPv4 address of the attacker's choosing.
 */
export class NetworkPolicy {
  private readonly allowedRanges = new BlockList();
  private readonly allowedHosts = new Set<string>();
  /** Verdicts by address: the policy never changes, and a request checks its target's address twice. */
  private readonly verdicts = new Map<string, string | null>();

  constructor(allow: readonly string[] = []) {
    for (const entry of allow.map((e) => e.trim().toLowerCase()).filter(Boolean)) {
      const [address, prefix] = entry.split('/');
      const family = isIP(address ?? '');
      if (family === 0) {
        this.allowedHosts.add(entry);
        continue;
      }
      const type = family === 4 ? 'ipv4' : 'ipv6';
      if (prefix === undefined) this.allowedRanges.addAddress(address!, type);
      else this.allowedRanges.addSubnet(address!, Number(prefix), type);
    }
  }

  static fromEnvironment(value: string | undefined): NetworkPolicy {
    return new NetworkPolicy(value ? value.split(',') : []);
  }

  isHostAllowed(host: string): boolean {
    return this.allowedHosts.has(host.toLowerCase().replace(/^\[|\]$/g, ''));
  }

  /** Why `address` may not be reached, or null when it may. */
  refusal(address: string): string | null {
    let verdict = this.verdicts.get(address);
    if (verdict === undefined) {
      if (this.verdicts.size >= VERDICTS_KEPT) this.verdicts.clear();
      this.verdicts.set(address, (verdict = this.judge(address)));
    }
    return verdict;
  }

  private judge(address: string): string | null {
    // A zone id (`fe80::1%eth0`, as DNS may return for link-local addresses) does not change the verdict.
    const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
    const family = isIP(bare);
    if (family === 0) return `"${bare.slice(0, 100)}" is not an IP address`;
    if (this.allowedRanges.check(bare, family === 4 ? 'ipv4' : 'ipv6')) return null;
    const why = family === 4 ? ipv4Refusal(bare) : this.ipv6Refusal(bare);
    return why === null ? null : `${bare} is ${why}; an operator can allow it with TANDEM_HTTP_ALLOW`;
  }

  private ipv6Refusal(address: string): string | null {
    const bytes = ipv6Bytes(address);
    if (bytes === null) return 'not an IPv6 address this policy can read';
    const inside = embeddedIpv4(bytes);
    if (inside !== null) {
      if (this.allowedRanges.check(inside, 'ipv4')) return null;
      const why = ipv4Refusal(inside);
      return why === null ? null : `${why} (the IPv4 address ${inside} inside)`;
    }
    const text = formatIpv6(bytes);
    if ((bytes[0]! & 0xe0) !== 0x20) return `${RESERVED} (not global unicast)`;
    return SPECIAL_IPV6.check(text, 'ipv6') ? RESERVED : null;
  }
}

/** Addresses whose verdict is remembered at once (a worker talks to far fewer). */
const VERDICTS_KEPT = 1_000;

const RESERVED = 'a private, loopback, link-local or reserved address';

function ipv4Refusal(address: string): string | null {
  return SPECIAL_IPV4.check(address, 'ipv4') ? RESERVED : null;
}

/** IANA special-purpose IPv4 blocks (not globally reachable), multicast and the future-use block. */
const SPECIAL_IPV4 = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  SPECIAL_IPV4.addSubnet(net, prefix, 'ipv4');
}

/**
 * Reserved blocks inside global unicast `2000::/3` (everything outside it — `::/128`, `::1`,
 * `100::/64`, `64:ff9b:1::/48`, `5f00::/16`, `fc00::/7`, `fe80::/10`, `fec0::/10`,
 * `ff00::/8`… — is refused before this list is read).
 */
const SPECIAL_IPV6 = new BlockList();
for (const [net, prefix] of [
  ['2001::', 23], // IETF protocol assignments: Teredo 2001::/32, benchmarking, ORCHID
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4
  ['3fff::', 20], // documentation
] as const) {
  SPECIAL_IPV6.addSubnet(net, prefix, 'ipv6');
}

/** The 16 bytes of a textual IPv6 address (any valid spelling, zone id ignored), or null. */
function ipv6Bytes(address: string): Uint8Array | null {
  let text = address.toLowerCase().replace(/^\[|\]$/g, '');
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const groups: number[] = [];
  let gap = -1;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  for (const [index, half] of halves.entries()) {
    if (index === 1) gap = groups.length;
    if (half === '') continue;
    const parts = half.split(':');
    for (const [i, part] of parts.entries()) {
      if (part.includes('.')) {
        // A dotted IPv4 tail, only as the last part.
        if (i !== parts.length - 1 || index !== halves.length - 1) return null;
        const octets = part.split('.').map((o) => (/^\d{1,3}$/.test(o) ? Number(o) : NaN));
        if (octets.length !== 4 || octets.some((o) => !(o >= 0 && o <= 255))) return null;
        groups.push((octets[0]! << 8) | octets[1]!, (octets[2]! << 8) | octets[3]!);
        continue;
      }
      if (!/^[0-9a-f]{1,4}$/.test(part)) return null;
      groups.push(parseInt(part, 16));
    }
  }
  if (gap >= 0) {
    if (groups.length > 7) return null;
    groups.splice(gap, 0, ...new Array<number>(8 - groups.length).fill(0));
  }
  if (groups.length !== 8) return null;
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    bytes[i * 2] = group >> 8;
    bytes[i * 2 + 1] = group & 255;
  });
  return bytes;
}

function formatIpv6(bytes: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return groups.join(':');
}

const zeros = (bytes: Uint8Array, from: number, to: number) => bytes.subarray(from, to).every((b) => b === 0);

/**
 * The IPv4 address an IPv6 address stands for, if it is one of the forms a host or a
 * translator turns into an IPv4 connection: IPv4-compatible `::/96`, IPv4-mapped `::ffff:0:0/96`,
 * IPv4-translated `::ffff:0:0:0/96` and NAT64 `64:ff9b::/96`.
 */
function embeddedIpv4(bytes: Uint8Array): string | null {
  const mapped = zeros(bytes, 0, 10) && bytes[10] === 0xff && bytes[11] === 0xff;
  // `::` and `::1` are the unspecified and loopback addresses, not IPv4-compatible ones.
  const compatible = zeros(bytes, 0, 12) && !(zeros(bytes, 12, 15) && bytes[15]! <= 1);
  const translated = zeros(bytes, 0, 8) && bytes[8] === 0xff && bytes[9] === 0xff && zeros(bytes, 10, 12);
  const nat64 = bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zeros(bytes, 4, 12);
  if (!(mapped || compatible || translated || nat64)) return null;
  return `${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
}
