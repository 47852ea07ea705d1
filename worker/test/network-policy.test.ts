import { describe, expect, it } from 'vitest';
import { NetworkPolicy } from '@tandem/worker';

describe('NetworkPolicy', () => {
  const policy = new NetworkPolicy();

  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:a9fe:a9fe',
    '224.0.0.1',
  ])('refuses %s by default', (address) => {
    expect(policy.refusal(address)).toMatch(/private, loopback, link-local or reserved/);
  });

  it.each(['93.184.215.14', '8.8.8.8', '2606:4700::1111'])('allows public %s', (address) => {
    expect(policy.refusal(address)).toBeNull();
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

  it('reads the allow-list from TANDEM_HTTP_ALLOW', () => {
    const fromEnv = NetworkPolicy.fromEnvironment(' 127.0.0.1 , ::1 ');
    expect(fromEnv.refusal('127.0.0.1')).toBeNull();
    expect(fromEnv.refusal('::1')).toBeNull();
    expect(NetworkPolicy.fromEnvironment(undefined).refusal('127.0.0.1')).not.toBeNull();
  });
});
