import { BlockList, isIP } from 'node:net';

/**
 * Which addresses http.request may reach. Private, loopback, link-local and other
 * special-purpose ranges are refused unless the operator allows them
 * (`TANDEM_HTTP_ALLOW`: comma-separated IPs, CIDR ranges or host names).
 */
export class NetworkPolicy {
  private readonly allowedRanges = new BlockList();
  private readonly allowedHosts = new Set<string>();

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
    const family = isIP(address);
    if (family === 0) return `"${address}" is not an IP address`;
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (this.allowedRanges.check(address, type)) return null;
    if (family === 6) {
      const mapped = embeddedIpv4(address);
      if (mapped !== null) return this.refusal(mapped);
    }
    if (SPECIAL_PURPOSE.check(address, type)) {
      return `${address} is a private, loopback, link-local or reserved address; an operator can allow it with TANDEM_HTTP_ALLOW`;
    }
    return null;
  }
}

const SPECIAL_PURPOSE = new BlockList();
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
  SPECIAL_PURPOSE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  SPECIAL_PURPOSE.addSubnet(net, prefix, 'ipv6');
}

/** The IPv4 address inside an IPv4-mapped/compatible or NAT64 IPv6 address. */
function embeddedIpv4(address: string): string | null {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1]!;
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex) return null;
  const high = parseInt(hex[1]!, 16);
  const low = parseInt(hex[2]!, 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}
