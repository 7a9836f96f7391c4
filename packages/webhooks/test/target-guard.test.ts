import { describe, expect, it } from 'vitest';
import {
  addressRefusal,
  checkWebhookUrl,
  TargetRefusedError,
  targetPolicy,
  vetWebhookTarget,
} from '../src/target-guard.js';

const strict = targetPolicy();
const loopbackOk = targetPolicy({ allowLoopback: true });

async function refusal(url: string, policy = strict, lookup?: (h: string) => Promise<never[]>) {
  try {
    await vetWebhookTarget(url, policy, lookup);
  } catch (error) {
    if (error instanceof TargetRefusedError) return `${error.reason}:${error.detail}`;
    throw error;
  }
  return 'allowed';
}

describe('webhook target guard', () => {
  it('refuses a DNS name that resolves to loopback (localhost), unless loopback is allowed', async () => {
    expect(await refusal('https://localhost/hook')).toBe('address_not_public:loopback');
    expect(await refusal('https://localhost/hook', loopbackOk)).toBe('allowed');
  });

  it('refuses IPv6 loopback and IPv4-mapped IPv6 forms', async () => {
    expect(await refusal('https://[::1]/hook')).toBe('address_not_public:loopback');
    expect(await refusal('https://[::ffff:127.0.0.1]/hook')).toBe('address_not_public:loopback');
    expect(await refusal('https://[::ffff:10.0.0.1]/hook')).toBe('address_not_public:private');
    expect(await refusal('https://[::ffff:169.254.169.254]/hook')).toBe('address_not_public:cloud_metadata');
  });

  it('refuses private, link-local, CGNAT, metadata, multicast and unspecified addresses', async () => {
    expect(await refusal('https://10.1.2.3/')).toBe('address_not_public:private');
    expect(await refusal('https://172.16.0.1/')).toBe('address_not_public:private');
    expect(await refusal('https://192.168.1.1/')).toBe('address_not_public:private');
    expect(await refusal('http://169.254.169.254/latest/meta-data')).toBe(
      'address_not_public:cloud_metadata',
    );
    expect(await refusal('https://[fd00:ec2::254]/')).toBe('address_not_public:cloud_metadata');
    expect(await refusal('https://169.254.1.1/')).toBe('address_not_public:linkLocal');
    expect(await refusal('https://[fe80::1]/')).toBe('address_not_public:linkLocal');
    expect(await refusal('https://[fc00::1]/')).toBe('address_not_public:uniqueLocal');
    expect(await refusal('https://100.64.0.1/')).toBe('address_not_public:carrierGradeNat');
    expect(await refusal('https://224.0.0.1/')).toBe('address_not_public:multicast');
    expect(await refusal('https://0.0.0.0/')).toBe('address_not_public:unspecified');
    expect(await refusal('https://[::]/')).toBe('address_not_public:unspecified');
  });

  it('keeps metadata and private ranges refused when loopback is allowed', async () => {
    expect(await refusal('http://169.254.169.254/', loopbackOk)).toBe('address_not_public:cloud_metadata');
    expect(await refusal('https://10.0.0.1/', loopbackOk)).toBe('address_not_public:private');
    expect(addressRefusal('::ffff:127.0.0.1', loopbackOk)).toBeNull();
  });

  it('refuses a name when any one of its addresses is not public', async () => {
    const mixed = async () => [
      { address: '93.184.216.34', family: 4 as const },
      { address: '10.0.0.5', family: 4 as const },
    ];
    await expect(vetWebhookTarget('https://example.test/', strict, mixed)).rejects.toMatchObject({
      reason: 'address_not_public',
      detail: 'private',
    });
    const publicOnly = async () => [{ address: '93.184.216.34', family: 4 as const }];
    const vetted = await vetWebhookTarget('https://example.test/', strict, publicOnly);
    expect(vetted.addresses).toEqual([{ address: '93.184.216.34', family: 4 }]);
    const none = async () => [];
    expect(await refusal('https://example.test/', strict, none)).toBe('dns_failed:no address');
  });

  it('allows only http(s), allowed ports and no credentials', () => {
    const reason = (url: string, policy = strict) => {
      try {
        checkWebhookUrl(url, policy);
        return 'ok';
      } catch (error) {
        return (error as TargetRefusedError).reason;
      }
    };
    expect(reason('https://hooks.example.com/x')).toBe('ok');
    expect(reason('http://hooks.example.com:8080/x')).toBe('ok');
    expect(reason('https://hooks.example.com:8443/x')).toBe('ok');
    expect(reason('ftp://hooks.example.com/x')).toBe('scheme_not_allowed');
    expect(reason('file:///etc/passwd')).toBe('scheme_not_allowed');
    expect(reason('https://hooks.example.com:6379/x')).toBe('port_not_allowed');
    expect(reason('https://user:pw@hooks.example.com/x')).toBe('credentials_in_url');
    expect(reason('not a url')).toBe('invalid_url');
    expect(reason('https://hooks.example.com:9000/x', targetPolicy({ allowedPorts: [9000] }))).toBe('ok');
  });
});
