// Rate limits and brute-force protection per tenant: the official `auth0`
// SDK reads and updates attack protection; a tenant's value takes effect on
// the next request and the server's setting is the default where the tenant
// has none.  Every limit here is a count in a window of an hour, and the
// checks count requests, so nothing depends on the machine's speed.
// The SDK speaks HTTPS only: the server serves HTTPS with a test CA and the
// suite's own requests go through httpsRequest with that CA.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { httpsRequest, sleep, startTessera, withLogs } from './lib/server.mjs';
import { makeTestCa } from './lib/tls.mjs';
import { runSdkScript } from './lib/auth0_sdk.mjs';
import { assertMgmtError, remember, uid } from './lib/mgmt.mjs';
import { DB_CONNECTION, testEmail } from './lib/authflow.mjs';
import { countRows } from './lib/db.mjs';
import { outbox, readings } from './lib/mail.mjs';

const WINDOW = 3600 * 1000; // ms: Auth0's rate for COUNT attempts in an hour is WINDOW / COUNT
const TOO_MANY = { error: 'too_many_requests', error_description: 'Too many login attempts from this address; retry later.' };
const BF = '/attack-protection/brute-force-protection';
const IP = '/attack-protection/suspicious-ip-throttling';

let server;
let token;
let app;
let user;
const t_ = (fn) => withLogs(() => server, fn);

/** One HTTPS request; JSON bodies in and out. Resolves {status, headers, text, body}. */
async function call(method, path, body, { bearer = token, form } = {}) {
  const headers = {};
  let payload;
  if (form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    payload = new URLSearchParams(form).toString();
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  if (bearer && !form) headers.authorization = `Bearer ${bearer}`;
  const res = await httpsRequest(`${server.url}${path.replace(/^\//, '')}`, { method, headers, body: payload, ca: server.tls.ca });
  let parsed = null;
  try {
    parsed = JSON.parse(res.text);
  } catch {
    parsed = null;
  }
  return { ...res, body: parsed };
}
const mgmt = (method, path, body) => call(method, `/api/v2${path}`, body);

async function mgmtTokenFor(scope) {
  const res = await call('POST', '/oauth/token', undefined, {
    form: {
      grant_type: 'client_credentials',
      client_id: server.bootstrap.client_id,
      client_secret: server.bootstrap.client_secret,
      audience: `${server.url}api/v2/`,
      ...(scope ? { scope } : {}),
    },
  });
  assert.equal(res.status, 200, `client_credentials: ${res.text}`);
  remember(res.body.access_token);
  return res.body.access_token;
}

/** A password grant from this address (127.0.0.1) for user. */
function passwordGrant(password = user.password) {
  return call('POST', '/oauth/token', undefined, {
    form: {
      grant_type: 'password',
      client_id: app.client_id,
      client_secret: app.client_secret,
      username: user.email,
      password,
      realm: DB_CONNECTION,
    },
  });
}

/** The first outbox message that pleases match, polled at most 200 times 100 ms apart. */
async function waitForMail(match) {
  for (let i = 0; i < 200; i++) {
    const hit = outbox(server.dataDir).find(match);
    if (hit) return hit;
    await sleep(100);
  }
  assert.fail(`no such mail in ${server.dataDir}/outbox: ${outbox(server.dataDir).map((m) => m.raw.split('\n').find((l) => l.startsWith('Subject'))).join('; ')}`);
}

async function ok(res, what) {
  assert.equal(res.status, 200, `${what}: ${res.status} ${res.text}`);
  return res.body;
}

before(async () => {
  // Two server settings that differ from both the harness's and Auth0's
  // defaults, so that the tenant's view shows where its values come from.
  server = await startTessera({
    tls: makeTestCa(),
    env: { TESSERA_LOCKOUT_ATTEMPTS: '6', TESSERA_RATE_LIMIT_SIGNUP_PER_IP: '7/3600' },
  });
  remember(server.bootstrap.client_secret);
  token = await mgmtTokenFor();
  const created = await mgmt('POST', '/clients', {
    name: `Limits ${uid('app')}`,
    app_type: 'regular_web',
    callbacks: ['https://app.example.com/cb'],
    grant_types: ['password'],
    token_endpoint_auth_method: 'client_secret_post',
  });
  assert.equal(created.status, 201, created.text);
  app = created.body;
  remember(app.client_secret);
  const password = 'Str0ng!Passw0rd';
  const u = await mgmt('POST', '/users', { connection: DB_CONNECTION, email: testEmail('limits'), password, email_verified: true });
  assert.equal(u.status, 201, u.text);
  user = { ...u.body, password };
  remember(password);
});

after(async () => {
  if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
});

test('node-auth0 reads the server settings as the defaults and updates attack protection', t_(async () => {
  const { steps } = await runSdkScript(server, 'auth0_sdk_attack_protection.mjs');
  const value = (name) => {
    assert.ok(steps[name]?.ok, `${name}: ${JSON.stringify(steps[name])}`);
    return steps[name].value;
  };
  assert.deepEqual(value('bfBefore'), {
    enabled: true,
    shields: ['block', 'user_notification'],
    allowlist: [],
    mode: 'count_per_identifier_and_ip',
    max_attempts: 6, // --lockout-attempts
  });
  const updated = {
    enabled: true,
    shields: ['block', 'user_notification'],
    allowlist: ['192.0.2.0/24', '2001:db8::/32'],
    mode: 'count_per_identifier_and_ip',
    max_attempts: 4,
  };
  assert.deepEqual(value('bfUpdate'), updated);
  assert.deepEqual(value('bfAfter'), updated);
  for (const [name, property] of [['bfBadAttempts', 'max_attempts'], ['bfBadMode', 'mode']]) {
    const r = steps[name];
    assert.equal(r.ok, false, `${name} is refused: ${JSON.stringify(r)}`);
    assert.equal(r.error.statusCode, 400, JSON.stringify(r.error));
    assert.equal(r.error.body.errorCode, 'invalid_body', JSON.stringify(r.error));
    assert.match(r.error.body.message, new RegExp(`on property ${property}\\b`), JSON.stringify(r.error));
  }

  assert.deepEqual(value('ipBefore'), {
    enabled: true,
    shields: ['block', 'admin_notification'],
    allowlist: [],
    stage: {
      // The harness's generous 1000000/1: one attempt back every millisecond at the least.
      'pre-login': { max_attempts: 1000000, rate: 1 },
      // --rate-limit-signup-per-ip 7/3600
      'pre-user-registration': { max_attempts: 7, rate: Math.round(WINDOW / 7) },
    },
  });
  const ipUpdated = {
    enabled: true,
    shields: ['block', 'admin_notification'],
    allowlist: ['198.51.100.7'],
    stage: {
      'pre-login': { max_attempts: 1000000, rate: 1 },
      'pre-user-registration': { max_attempts: 5, rate: 720000 },
    },
  };
  assert.deepEqual(value('ipUpdate'), ipUpdated);
  assert.deepEqual(value('ipAfter'), ipUpdated);
  const bad = steps.ipBadStage;
  assert.equal(bad.ok, false, JSON.stringify(bad));
  assert.equal(bad.error.statusCode, 400, JSON.stringify(bad.error));
  assert.match(bad.error.body.message, /on property stage\.pre-login\.rate\b/, JSON.stringify(bad.error));
  assert.deepEqual(value('ipAfterBad'), ipUpdated, 'nothing of the refused update was stored');

  // The same values, in the tenant's rate_limits (COUNT/SECONDS).
  const settings = await ok(await mgmt('GET', '/tenants/settings'), 'GET /tenants/settings');
  assert.equal(settings.rate_limits.signup_per_ip, '5/3600');
  assert.equal(settings.rate_limits.lockout_attempts, 4);
  assert.equal(settings.rate_limits.login_per_ip, '1000000/1');
}));

test('pre-login 3 per hour: the 4th attempt from one address gets 429, set back it passes', t_(async () => {
  await ok(await mgmt('PATCH', IP, { stage: { 'pre-login': { max_attempts: 3, rate: WINDOW / 3 } } }), 'PATCH pre-login');
  const settings = await ok(await mgmt('GET', '/tenants/settings'), 'GET /tenants/settings');
  assert.equal(settings.rate_limits.login_per_ip, '3/3600', 'Auth0 rate WINDOW/3 is Tessera 3/3600');
  for (let i = 1; i <= 3; i++) await ok(await passwordGrant(), `attempt ${i}`);
  const refused = await passwordGrant();
  assert.equal(refused.status, 429, refused.text);
  assert.deepEqual(refused.body, TOO_MANY);
  const retry = Number(refused.headers['retry-after']);
  assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 3600, `Retry-After within the window: ${refused.headers['retry-after']}`);

  // Turned off, or the address allowlisted: the same count passes.
  await ok(await mgmt('PATCH', IP, { enabled: false }), 'disable');
  await ok(await passwordGrant(), 'suspicious IP throttling off');
  await ok(await mgmt('PATCH', IP, { enabled: true }), 'enable');
  assert.equal((await passwordGrant()).status, 429, 'on again: refused again');
  await ok(await mgmt('PATCH', IP, { allowlist: ['127.0.0.0/8'] }), 'allowlist');
  await ok(await passwordGrant(), 'an allowlisted address has no per-address rate');
  await ok(await mgmt('PATCH', IP, { allowlist: [] }), 'allowlist emptied');
  assert.equal((await passwordGrant()).status, 429, 'off the allowlist: refused again');
  await ok(await mgmt('PATCH', IP, { shields: ['admin_notification'] }), 'monitor only');
  await ok(await passwordGrant(), 'without the block shield nothing is refused');
  await ok(await mgmt('PATCH', IP, { shields: ['block', 'admin_notification'] }), 'block again');
  assert.equal((await passwordGrant()).status, 429, 'with the block shield: refused again');

  // Back to the server's setting (the tenant's value removed): the next attempt passes.
  const back = await ok(await mgmt('PATCH', '/tenants/settings', { rate_limits: { login_per_ip: null } }), 'login_per_ip: null');
  assert.equal(back.rate_limits.login_per_ip, '1000000/1');
  await ok(await passwordGrant(), 'the server default applies again');
  const view = await ok(await mgmt('GET', IP), 'GET suspicious-ip-throttling');
  assert.deepEqual(view.stage['pre-login'], { max_attempts: 1000000, rate: 1 });
}));

test('brute-force max_attempts 2: the right password is refused after two wrong ones; allowlisted or off it passes', t_(async () => {
  await ok(await mgmt('PATCH', BF, { max_attempts: 2 }), 'max_attempts 2');
  for (let i = 1; i <= 2; i++) {
    const wrong = await passwordGrant(`Wrong!Passw0rd${i}`);
    assert.equal(wrong.status, 400, `wrong password ${i}: ${wrong.text}`);
    assert.equal(wrong.body.error, 'invalid_grant');
  }
  const locked = await passwordGrant();
  assert.equal(locked.status, 429, locked.text);
  assert.equal(locked.body.error, 'too_many_attempts');
  const blocks = await ok(await mgmt('GET', `/user-blocks/${encodeURIComponent(user.user_id)}`), 'user-blocks');
  assert.deepEqual(blocks.blocked_for, [{ identifier: user.email, ip: '127.0.0.1', connection: DB_CONNECTION }]);

  await ok(await mgmt('PATCH', BF, { allowlist: ['127.0.0.0/8'] }), 'allowlist');
  assert.deepEqual((await ok(await mgmt('GET', `/user-blocks/${encodeURIComponent(user.user_id)}`), 'user-blocks')).blocked_for, []);
  await ok(await passwordGrant(), 'an allowlisted address is never locked out');

  await ok(await mgmt('PATCH', BF, { allowlist: [], enabled: false }), 'disabled');
  for (let i = 1; i <= 3; i++) assert.equal((await passwordGrant(`Wrong!Passw0rd${i}`)).status, 400);
  await ok(await passwordGrant(), 'brute-force protection off: no lock');
  const offView = await ok(await mgmt('GET', BF), 'GET brute-force-protection');
  assert.equal(offView.enabled, false);
  assert.equal(offView.max_attempts, 2, 'the count is kept while off');
  await ok(await mgmt('PATCH', BF, { enabled: true }), 'enabled');
  for (let i = 1; i <= 2; i++) assert.equal((await passwordGrant(`Wrong!Passw0rd${i}`)).status, 400);
  assert.equal((await passwordGrant()).status, 429, 'on again: locked again');

  // user_notification without block: nothing refused, and the owner is told of the guesses.
  await ok(await mgmt('PATCH', BF, { shields: ['user_notification'] }), 'notify only');
  await ok(await passwordGrant(), 'without the block shield the lock is not enforced');
  const seen = new Set(outbox(server.dataDir).map((m) => m.file));
  for (let i = 1; i <= 2; i++) assert.equal((await passwordGrant(`Wrong!Passw0rd${i}`)).status, 400);
  // The notices of the locks above may still be on their way: this one is told by its subject.
  const notice = await waitForMail((m) => !seen.has(m.file) && m.raw.includes(user.email) && /^Subject: Wrong passwords were tried on your account/m.test(m.raw));
  assert.ok(readings(notice.raw).some((t) => /\/u\/reset-password\?ticket=[A-Za-z0-9_-]+/.test(t)), 'with a link to choose a new password');
  assert.ok(!/blocked/.test(readings(notice.raw).join(' ')), 'the notice does not say logins are blocked');
  await ok(await passwordGrant(), 'still not refused');
  await ok(await mgmt('PATCH', BF, { shields: ['block', 'user_notification'] }), 'both shields');

  // Back to the server's lockout-attempts (6): the two failures no longer lock.
  const back = await ok(await mgmt('PATCH', '/tenants/settings', { rate_limits: { lockout_attempts: null } }), 'lockout_attempts: null');
  assert.equal(back.rate_limits.lockout_attempts, 6);
  await ok(await passwordGrant(), 'the server default applies again');
}));

test('rate_limits shows every key, the server setting where the tenant has none, and changes the next request', t_(async () => {
  const settings = await ok(await mgmt('GET', '/tenants/settings'), 'GET /tenants/settings');
  assert.deepEqual(Object.keys(settings.rate_limits), [
    'login_per_ip', 'login_per_tenant', 'signup_per_ip', 'signup_per_tenant', 'reset_per_ip', 'reset_per_tenant',
    'reset_per_account', 'mgmt_per_client', 'account_throttle_failures', 'account_throttle_delay',
    'account_throttle_max_delay', 'lockout_attempts', 'lockout_window',
  ]);
  assert.equal(settings.rate_limits.login_per_tenant, '1000000/1', 'the harness setting');
  assert.equal(settings.rate_limits.lockout_window, 900, 'the built-in default');
  const cleared = await ok(await mgmt('PATCH', '/tenants/settings', { rate_limits: { signup_per_ip: null } }), 'signup_per_ip: null');
  assert.equal(cleared.rate_limits.signup_per_ip, '7/3600', 'the server flag is the default');

  // The Management API's own rate is the tenant's from the next request on.
  const before = await mgmt('GET', '/clients?per_page=1');
  assert.equal(before.headers['x-ratelimit-limit'], '1000000');
  const set = await ok(await mgmt('PATCH', '/tenants/settings', { rate_limits: { mgmt_per_client: '500/3600' } }), 'mgmt_per_client');
  assert.equal(set.rate_limits.mgmt_per_client, '500/3600');
  assert.equal((await mgmt('GET', '/clients?per_page=1')).headers['x-ratelimit-limit'], '500');
  await ok(await mgmt('PATCH', '/tenants/settings', { rate_limits: { mgmt_per_client: null } }), 'mgmt_per_client: null');
  assert.equal((await mgmt('GET', '/clients?per_page=1')).headers['x-ratelimit-limit'], '1000000');
}));

test('bad values and unknown keys: 400 naming the property, nothing stored', t_(async () => {
  const rows = () => countRows(server.dbPath, ['tenant_limits']).tenant_limits;
  const stored = rows();
  const settingsBefore = (await mgmt('GET', '/tenants/settings')).body;
  const cases = [
    ['/tenants/settings', { rate_limits: { bogus: '1/1' } }, 'Additional properties not allowed: bogus'],
    ['/tenants/settings', { rate_limits: { login_per_ip: '5/s' } }, 'on property rate_limits.login_per_ip'],
    ['/tenants/settings', { rate_limits: { login_per_ip: 5 } }, 'on property rate_limits.login_per_ip'],
    ['/tenants/settings', { rate_limits: { login_per_ip: '0/60' } }, 'on property rate_limits.login_per_ip'],
    ['/tenants/settings', { rate_limits: { lockout_window: 5 } }, 'on property rate_limits.lockout_window'],
    ['/tenants/settings', { rate_limits: { lockout_attempts: '3' } }, 'on property rate_limits.lockout_attempts'],
    ['/tenants/settings', { rate_limits: 'fast' }, 'on property rate_limits'],
    // One good value beside a bad one: neither is stored.
    ['/tenants/settings', { friendly_name: 'changed', rate_limits: { signup_per_ip: '1/60', reset_per_ip: 'x' } }, 'on property rate_limits.reset_per_ip'],
    [BF, { max_attempts: 0 }, 'on property max_attempts'],
    [BF, { max_attempts: '5' }, 'on property max_attempts'],
    [BF, { shields: ['block', 'admin_notification'] }, 'on property shields'],
    [BF, { allowlist: ['10.0.0.1/8'] }, 'on property allowlist'],
    [BF, { allowlist: ['not-an-ip'] }, 'on property allowlist'],
    [BF, { mode: 'count_per_identifier' }, 'on property mode'],
    [BF, { enabled: 'yes' }, 'on property enabled'],
    [BF, { lockout_window: 60 }, 'Additional properties not allowed: lockout_window'],
    [IP, { stage: { 'pre-login': { max_attempts: 1, rate: 10 } } }, 'on property stage.pre-login.rate'],
    [IP, { stage: { 'pre-login': { max_attempts: 1000000000, rate: 604800000 } } }, 'on property stage.pre-login.rate'],
    [IP, { stage: { 'pre-login': { max_attempts: 0 } } }, 'on property stage.pre-login.max_attempts'],
    [IP, { stage: { 'pre-signup': { max_attempts: 1 } } }, 'Additional properties not allowed: pre-signup'],
    [IP, { stage: { 'pre-login': { limit: 1 } } }, 'Additional properties not allowed: limit'],
    [IP, { shields: ['user_notification'] }, 'on property shields'],
    [IP, { allowlist: Array.from({ length: 101 }, (_, i) => `10.0.${i}.0/24`) }, 'on property allowlist'],
  ];
  for (const [path, body, messageIncludes] of cases) {
    assertMgmtError(await mgmt('PATCH', path, body), 400, { errorCode: 'invalid_body', messageIncludes }, `PATCH ${path} ${JSON.stringify(body)}`);
  }
  assert.equal(rows(), stored, 'no row of tenant_limits changed');
  assert.deepEqual((await mgmt('GET', '/tenants/settings')).body, settingsBefore, 'the settings are as they were');
}));

test('the attack protection endpoints need their scopes', t_(async () => {
  const narrow = await mgmtTokenFor('read:clients');
  for (const [method, path] of [['GET', BF], ['PATCH', BF], ['GET', IP], ['PATCH', IP]]) {
    const res = await call(method, `/api/v2${path}`, method === 'PATCH' ? {} : undefined, { bearer: narrow });
    assertMgmtError(res, 403, { errorCode: 'insufficient_scope' }, `${method} ${path}`);
  }
  const reader = await mgmtTokenFor('read:attack_protection');
  assert.equal((await call('GET', `/api/v2${BF}`, undefined, { bearer: reader })).status, 200);
  assertMgmtError(await call('PATCH', `/api/v2${BF}`, { max_attempts: 3 }, { bearer: reader }), 403, { errorCode: 'insufficient_scope' });
}));
