import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApplicationFailure } from '@temporalio/activity';
import { NetworkPolicy } from '@tandem/worker';
import { performHttpRequest } from '../src/activities/http-request.js';

const REFUSED = /private, loopback, link-local or reserved/;

describe('NetworkPolicy', () => {
  const policy = new NetworkPolicy();

  it.each([
    // IPv4 special-purpose ranges
    '127.0.0.1',
    '127.255.255.254',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '0.1.2.3',
    '224.0.0.1',
    '239.255.255.250',
    '255.255.255.255',
    '198.18.0.1',
    // IPv6 loopback, unspecified, link-local, unique-local, site-local, multicast
    '::1',
    '0:0:0:0:0:0:0:1',
    '::',
    'fe80::1',
    'fe80::1%eth0',
    'fc00::1',
    'fd00::1',
    'fdff:ffff::1',
    'fec0::1',
    'ff02::1',
    'ff05::1:3',
    // IPv4-mapped, dotted and hex, short and long
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::FFFF:7F00:0001',
    '0:0:0:0:0:ffff:7f00:1',
    '0000:0000:0000:0000:0000:ffff:127.0.0.1',
    '::ffff:a9fe:a9fe',
    '::ffff:169.254.169.254',
    '::ffff:10.0.0.1',
    '::ffff:0.0.0.0',
    // IPv4-compatible (the audit's finding), dotted and hex
    '::127.0.0.1',
    '::7f00:1',
    '::169.254.169.254',
    '::a9fe:a9fe',
    '::10.0.0.1',
    '::c0a8:101',
    '0:0:0:0:0:0:a9fe:a9fe',
    // IPv4-translated (SIIT)
    '::ffff:0:127.0.0.1',
    '::ffff:0:7f00:1',
    // NAT64 well-known prefix with a private IPv4 inside; the local-use NAT64 prefix
    '64:ff9b::127.0.0.1',
    '64:ff9b::a9fe:a9fe',
    '64:ff9b::c0a8:1',
    '64:ff9b:1::8.8.8.8',
    // 6to4 and Teredo, whatever IPv4 they embed
    '2002:7f00:1::1',
    '2002:a9fe:a9fe::1',
    '2002:808:808::1',
    '2001:0:4136:e378:8000:63bf:80ff:fffe',
    '2001::1',
    // documentation, discard-only, benchmarking, SRv6, unassigned space outside 2000::/3
    '2001:db8::1',
    '3fff::1',
    '100::1',
    '2001:2::1',
    '5f00::1',
    '1::1',
    '[::1]',
  ])('refuses %s by default', (address) => {
    expect(policy.refusal(address)).toMatch(REFUSED);
  });

  it('names the IPv4 address found inside an IPv6 one', () => {
    expect(policy.refusal('::a9fe:a9fe')).toContain('the IPv4 address 169.254.169.254 inside');
    expect(policy.refusal('::ffff:7f00:1')).toContain('the IPv4 address 127.0.0.1 inside');
    expect(policy.refusal('64:ff9b::a00:1')).toContain('the IPv4 address 10.0.0.1 inside');
  });

  it.each([
    '93.184.215.14',
    '8.8.8.8',
    '1.1.1.1',
    '2606:4700::1111',
    '2a00:1450:4001:82b::200e',
    '::ffff:8.8.8.8',
    '::ffff:808:808',
    '64:ff9b::8.8.8.8',
    '64:ff9b::101:101',
  ])('allows public %s', (address) => {
    expect(policy.refusal(address)).toBeNull();
  });

  it('refuses what is not an IP address', () => {
    expect(policy.refusal('localhost')).toContain('is not an IP address');
    expect(policy.refusal('')).toContain('is not an IP address');
  });

  it('lets an operator allow addresses, ranges and host names', () => {
    const custom = new NetworkPolicy(['127.0.0.1', '10.0.0.0/8', 'Internal.Example']);
    expect(custom.refusal('127.0.0.1')).toBeNull();
    expect(custom.refusal('127.0.0.2')).not.toBeNull();
    expect(custom.refusal('10.200.3.4')).toBeNull();
    expect(custom.refusal('192.168.0.1')).not.toBeNull();
    expect(custom.isHostAllowed('internal.example')).toBe(true);
    expect(custom.isHostAllowed('other.example')).toBe(false);
  });

  it('applies an allowed IPv4 address to the IPv6 spellings that carry it, and nothing else', () => {
    const custom = new NetworkPolicy(['127.0.0.1', 'fd00::/8']);
    for (const address of ['::ffff:127.0.0.1', '::ffff:7f00:1', '::127.0.0.1', '::7f00:1', '64:ff9b::7f00:1']) {
      expect(custom.refusal(address)).toBeNull();
    }
    expect(custom.refusal('::ffff:127.0.0.2')).toMatch(REFUSED);
    expect(custom.refusal('::1')).toMatch(REFUSED);
    expect(custom.refusal('2002:7f00:1::1')).toMatch(REFUSED);
    expect(custom.refusal('fd12::1')).toBeNull();
    expect(custom.refusal('fc00::1')).toMatch(REFUSED);
  });

  it('reads the allow-list from TANDEM_HTTP_ALLOW', () => {
    const fromEnv = NetworkPolicy.fromEnvironment(' 127.0.0.1 , ::1 ');
    expect(fromEnv.refusal('127.0.0.1')).toBeNull();
    expect(fromEnv.refusal('::1')).toBeNull();
    expect(NetworkPolicy.fromEnvironment(undefined).refusal('127.0.0.1')).not.toBeNull();
  });
});

/**
 * The same policy at the level of URLs, through the activity's request code (no Temporal):
 * a loopback server counts what reaches it; each refused spelling must leave it untouched.
 */
describe('http.request targets', () => {
  let server: Server;
  let port: number;
  let hits = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      hits++;
      if (req.url?.startsWith('/redirect?to=')) {
        res.writeHead(302, { location: decodeURIComponent(req.url.slice('/redirect?to='.length)) }).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    // Dual-stack where the machine has IPv6, so the IPv6 spellings would really connect.
    await new Promise<void>((resolve) => {
      server.once('error', () => server.listen(0, '127.0.0.1', resolve));
      server.listen(0, '::', resolve);
    });
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const options = (policy: NetworkPolicy) => ({ policy, maxResponseBytes: 10_000, maxRedirects: 5, maxRequestBytes: 10_000 });
  const get = (url: string, policy: NetworkPolicy) =>
    performHttpRequest({ nodeId: 'call', method: 'GET', url, headers: {}, timeoutMs: 5_000, failOnHttpError: true }, options(policy));

  async function expectRefused(url: string, policy = new NetworkPolicy()): Promise<void> {
    const before = hits;
    const failure = (await get(url, policy).then(
      () => null,
      (error: unknown) => error,
    )) as ApplicationFailure | null;
    expect(failure, `${url} was not refused`).not.toBeNull();
    expect(failure!.type).toBe('HttpTargetBlocked');
    expect(failure!.nonRetryable).toBe(true);
    expect(failure!.message).toMatch(REFUSED);
    expect(hits - before, `${url} reached the server`).toBe(0);
  }

  // Only spellings of this machine's loopback connect here (a regression must not send
  // traffic anywhere else); the other targets are checked as the URL parser spells them.
  const loopbackSpellings = () => [
    `http://127.0.0.1:${port}/`,
    `http://2130706433:${port}/`, // decimal
    `http://0x7f000001:${port}/`, // hex
    `http://0x7f.1:${port}/`,
    `http://0177.0.0.1:${port}/`, // octal
    `http://127.1:${port}/`,
    `http://127.0.0.1.:${port}/`,
    `http://%31%32%37.0.0.1:${port}/`,
    `http://0.0.0.0:${port}/`,
    `http://0:${port}/`,
    `http://[::]:${port}/`,
    `http://[::1]:${port}/`,
    `http://[::ffff:127.0.0.1]:${port}/`,
    `http://[::ffff:7f00:1]:${port}/`,
    `http://[0:0:0:0:0:ffff:7f00:1]:${port}/`,
    `http://[::127.0.0.1]:${port}/`, // IPv4-compatible: the audit's finding
    `http://[::7f00:1]:${port}/`,
    `http://localhost:${port}/`, // a name that resolves to loopback
  ];

  it('refuses every spelling of a loopback target before connecting', async () => {
    for (const url of loopbackSpellings()) await expectRefused(url);
  });

  it.each([
    'http://169.254.169.254/latest/meta-data/',
    'http://[::169.254.169.254]/latest/meta-data/',
    'http://[::a9fe:a9fe]/latest/meta-data/',
    'http://[::ffff:169.254.169.254]/latest/meta-data/',
    'http://[::ffff:a9fe:a9fe]/',
    'http://[::ffff:0:a9fe:a9fe]/',
    'http://[64:ff9b::169.254.169.254]/',
    'http://[64:ff9b::10.0.0.1]/',
    'http://[2002:a9fe:a9fe::1]/',
    'http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/',
    'http://[fd00::1]/',
    'http://[fc00::1]/',
    'http://[fe80::1]/',
    'http://[ff02::1]/',
    'http://0xa9.0xfe.0xa9.0xfe/',
    'http://2852039166/',
    'http://0251.0376.0251.0376/',
    'http://10.1/',
    'http://0x0a000001/',
    'http://192.168.1/',
  ])('refuses %s as the URL parser spells its host', (url) => {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    expect(new NetworkPolicy().refusal(host)).toMatch(REFUSED);
  });

  it('reaches the same spellings when the operator allows loopback (the refusal is the policy, not the network)', async () => {
    const open = new NetworkPolicy(['127.0.0.0/8']);
    for (const url of [`http://2130706433:${port}/`, `http://0x7f.1:${port}/`, `http://0177.0.0.1:${port}/`, `http://[::ffff:127.0.0.1]:${port}/`]) {
      await expect(get(url, open)).resolves.toMatchObject({ status: 200, body: { ok: true } });
    }
  });

  it('checks every redirect hop, whatever spelling the Location header uses', async () => {
    // The first hop goes to an allowed name; each Location points back inside.
    const byName = new NetworkPolicy(['localhost']);
    for (const target of [
      `http://127.0.0.1:${port}/`,
      `http://2130706433:${port}/`,
      `http://[::127.0.0.1]:${port}/`,
      `http://[::ffff:7f00:1]:${port}/`,
      `http://[::]:${port}/`,
      `http://[::7f00:1]:${port}/`,
    ]) {
      const before = hits;
      await expect(get(`http://localhost:${port}/redirect?to=${encodeURIComponent(target)}`, byName)).rejects.toMatchObject({
        type: 'HttpTargetBlocked',
        message: expect.stringMatching(REFUSED),
      });
      expect(hits - before, target).toBe(1); // the allowed first hop only
    }
  });

  it('never reuses a pooled connection that a more permissive policy (or other code in the process) opened', async () => {
    const permissive = new NetworkPolicy(['localhost']);
    await expect(get(`http://localhost:${port}/`, permissive)).resolves.toMatchObject({ status: 200 });
    await expectRefused(`http://localhost:${port}/`, new NetworkPolicy());
  });
});
