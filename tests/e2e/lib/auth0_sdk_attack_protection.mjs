// Run as a child process with NODE_EXTRA_CA_CERTS set (see auth0_sdk.mjs):
// reads and updates the tenant's attack protection through the official
// `auth0` ManagementClient (attackProtection.bruteForceProtection and
// .suspiciousIpThrottling) and prints a JSON report {steps: {name: {ok,
// value} | {ok: false, error}}} for tenant_limits.test.mjs to judge.
// Usage: node auth0_sdk_attack_protection.mjs DOMAIN CLIENT_ID CLIENT_SECRET
import { ManagementClient } from 'auth0';

const [domain, clientId, clientSecret] = process.argv.slice(2);
const steps = {};

function errorInfo(e) {
  return { name: e?.constructor?.name ?? typeof e, statusCode: e?.statusCode, body: e?.body };
}

async function step(name, fn) {
  try {
    steps[name] = { ok: true, value: (await fn()) ?? null };
  } catch (e) {
    steps[name] = { ok: false, error: errorInfo(e) };
  }
}

const management = new ManagementClient({ domain, clientId, clientSecret });
const bf = management.attackProtection.bruteForceProtection;
const ip = management.attackProtection.suspiciousIpThrottling;

await step('bfBefore', () => bf.get());
await step('bfUpdate', () =>
  bf.update({ max_attempts: 4, allowlist: ['192.0.2.0/24', '2001:db8::/32'], shields: ['block', 'user_notification'], mode: 'count_per_identifier_and_ip' }),
);
await step('bfAfter', () => bf.get());
await step('bfBadAttempts', () => bf.update({ max_attempts: 0 }));
await step('bfBadMode', () => bf.update({ mode: 'count_per_identifier' }));

await step('ipBefore', () => ip.get());
await step('ipUpdate', () =>
  ip.update({
    enabled: true,
    shields: ['block', 'admin_notification'],
    allowlist: ['198.51.100.7'],
    stage: { 'pre-user-registration': { max_attempts: 5, rate: 720000 } },
  }),
);
await step('ipAfter', () => ip.get());
await step('ipBadStage', () => ip.update({ stage: { 'pre-login': { max_attempts: 3, rate: -1 } } }));
await step('ipAfterBad', () => ip.get());

process.stdout.write(JSON.stringify({ steps }));
