/** The address classification and policy behind the SSRF guard. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createAddressPolicy, embeddedIPv4, isNonPublicAddress, resolveAllowed, type Resolver } from '../src/ssrf-guard.ts';

describe('isNonPublicAddress', () => {
  test('loopback, private, link-local, CGNAT, unspecified, multicast, reserved and documentation ranges', () => {
    const blocked = [
      '127.0.0.1', '127.255.255.254', '10.0.0.0', '10.255.255.255', '172.16.0.0', '172.31.255.255', '192.168.0.1',
      '169.254.0.1', '169.254.169.254', '100.64.0.0', '100.127.255.255', '0.0.0.0', '0.1.2.3', '192.0.0.8', '192.0.2.1',
      '198.18.0.1', '198.19.255.255', '198.51.100.7', '203.0.113.9', '224.0.0.1', '239.255.255.250', '240.0.0.1', '255.255.255.255',
      '::', '::1', 'fc00::1', 'fd12:3456::1', 'fd00:ec2::254', 'fe80::1', 'fe80::1%eth0', 'febf::1', 'fec0::1', 'ff02::1', 'ff05::1:3',
      '2001:db8::1', '100::1', '2001::1',
      // IPv4 inside IPv6: mapped, NAT64, 6to4, deprecated IPv4-compatible
      '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '::ffff:169.254.169.254', '::ffff:0:0', '64:ff9b::a9fe:a9fe',
      '64:ff9b::127.0.0.1', '2002:7f00:1::1', '2002:c0a8:101::', '::127.0.0.1',
    ];
    for (const address of blocked) assert.equal(isNonPublicAddress(address), true, address);
  });

  test('public addresses pass, including their IPv6 forms', () => {
    const allowed = [
      '8.8.8.8', '1.1.1.1', '93.184.216.34', '172.15.255.255', '172.32.0.1', '100.63.255.255', '100.128.0.1', '169.253.255.255',
      '192.167.1.1', '198.20.0.1', '223.255.255.255', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e', '::ffff:8.8.8.8',
      '64:ff9b::808:808', '2002:808:808::1',
    ];
    for (const address of allowed) assert.equal(isNonPublicAddress(address), false, address);
  });

  test('anything that is not an IP address is never connected to', () => {
    assert.equal(isNonPublicAddress('localhost'), true);
    assert.equal(isNonPublicAddress(''), true);
  });

  test('embeddedIPv4 reads the IPv4 an IPv6 address carries', () => {
    assert.equal(embeddedIPv4('::ffff:127.0.0.1'), '127.0.0.1');
    assert.equal(embeddedIPv4('::ffff:a9fe:a9fe'), '169.254.169.254');
    assert.equal(embeddedIPv4('64:ff9b::a00:5'), '10.0.0.5');
    assert.equal(embeddedIPv4('2002:c0a8:0101::1'), '192.168.1.1');
    assert.equal(embeddedIPv4('2606:4700::1111'), undefined);
  });
});

describe('createAddressPolicy', () => {
  test('refuses with the reason link.checked reports', () => {
    const policy = createAddressPolicy({ allowPrivateNetworks: false });
    assert.equal(policy.refusal('10.0.0.1'), 'blocked address 10.0.0.1');
    assert.equal(policy.refusal('8.8.8.8'), undefined);
  });

  test('LINK_CHECKER_ALLOW_PRIVATE_NETWORKS lifts every refusal', () => {
    const policy = createAddressPolicy({ allowPrivateNetworks: true });
    for (const address of ['127.0.0.1', '10.0.0.1', '169.254.169.254', '::1', 'fd00:ec2::254']) assert.equal(policy.refusal(address), undefined);
  });

  test('an allowlist makes only the listed addresses public', () => {
    const policy = createAddressPolicy({ allowPrivateNetworks: false, allow: ['127.0.0.1/32', '::1'] });
    assert.equal(policy.refusal('127.0.0.1'), undefined);
    assert.equal(policy.refusal('::1'), undefined);
    assert.equal(policy.refusal('127.0.0.2'), 'blocked address 127.0.0.2');
    assert.equal(policy.refusal('10.0.0.1'), 'blocked address 10.0.0.1');
    assert.throws(() => createAddressPolicy({ allowPrivateNetworks: false, allow: ['not-an-address'] }), /not an address/);
  });
});

describe('resolveAllowed', () => {
  const policy = createAddressPolicy({ allowPrivateNetworks: false });

  test('an IP literal is not looked up', async () => {
    const resolver: Resolver = async () => assert.fail('no DNS for a literal');
    assert.deepEqual(await resolveAllowed('8.8.8.8', resolver, policy), [{ address: '8.8.8.8', family: 4 }]);
    assert.deepEqual(await resolveAllowed('[2606:4700::1111]', resolver, policy), [{ address: '2606:4700::1111', family: 6 }]);
  });

  test('answers every address when all are public; refuses the host when any is not', async () => {
    const resolver: Resolver = async (name) =>
      name === 'good.test'
        ? [{ address: '93.184.216.34', family: 4 }, { address: '2606:2800:220:1::1', family: 6 }]
        : [{ address: '93.184.216.34', family: 4 }, { address: 'fe80::1', family: 6 }];
    assert.equal((await resolveAllowed('good.test', resolver, policy)).length, 2);
    await assert.rejects(resolveAllowed('bad.test', resolver, policy), { name: 'HostRefusedError', reason: 'blocked address fe80::1' });
  });

  test('no answer, or a DNS failure, is a short reason', async () => {
    await assert.rejects(resolveAllowed('empty.test', async () => [], policy), { reason: 'DNS failure' });
    const failing: Resolver = async () => {
      throw Object.assign(new Error('queryA ESERVFAIL'), { code: 'ESERVFAIL' });
    };
    await assert.rejects(resolveAllowed('x.test', failing, policy), { reason: 'DNS failure (ESERVFAIL)' });
  });
});
