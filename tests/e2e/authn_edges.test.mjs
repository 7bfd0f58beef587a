// The Authentication API's refusals and less common answers, as an
// application or a browser sees them: /dbconnections/signup and
// /dbconnections/change_password with each bad input and their CORS
// answers, /authorize's error pages and its errors in every response mode,
// /v2/logout and /oidc/logout edge cases, and the errors of /userinfo,
// /oauth/revoke and /oauth/introspect.  No refusal may store a user.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { startTessera, withLogs } from './lib/server.mjs';
import { Mgmt } from './lib/mgmt.mjs';
import { CookieJar } from './lib/cookies.mjs';
import { alertTexts, findForm, hiddenFields } from './lib/html.mjs';
import { form, json, request, basicAuth } from './lib/http.mjs';
import {
  DB_CONNECTION, GOOD_PASSWORD, authorizeUrl, codeRequest, loginOverHttp, testEmail,
} from './lib/authflow.mjs';

const APP = 'http://127.0.0.1:9';
const CB = `${APP}/callback`;
const OTHER_ORIGIN = 'http://127.0.0.1:7';

let server;
let mgmt;
let spa;
const t_ = (fn) => withLogs(() => server, fn);

before(async () => {
  server = await startTessera();
  mgmt = await Mgmt.forBootstrap(server);
  spa = await mgmt.createSpa(APP);
});

after(async () => {
  if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
});

const url = (path) => `${server.url}${path}`;

/** The users with an e-mail address (Management API). */
async function usersByEmail(email) {
  const res = await mgmt.get(`/users-by-email?email=${encodeURIComponent(email)}`);
  assert.equal(res.status, 200, `GET /users-by-email: ${res.status} ${res.text}`);
  return res.body;
}

/** Asserts Auth0's dbconnections error shape: {name, code, description, statusCode}. */
function assertDbError(res, { status = 400, name = 'BadRequestError', code, description }, what) {
  assert.equal(res.status, status, `${what}: expected ${status}, got ${res.status} ${res.text}`);
  assert.equal(res.body?.name, name, `${what}: name in ${res.text}`);
  assert.equal(res.body?.code, code, `${what}: code in ${res.text}`);
  if (description instanceof RegExp) assert.match(res.body?.description ?? '', description, `${what}: description`);
  else assert.equal(res.body?.description, description, `${what}: description`);
  assert.equal(res.body?.statusCode, status, `${what}: statusCode in ${res.text}`);
}

/** Asserts an OAuth error body {error, error_description}. */
function assertOAuthError(res, status, error, description, what) {
  assert.equal(res.status, status, `${what}: expected ${status}, got ${res.status} ${res.text}`);
  assert.equal(res.body?.error, error, `${what}: error in ${res.text}`);
  if (description instanceof RegExp) assert.match(res.body?.error_description ?? '', description, `${what}: error_description`);
  else if (description !== undefined) assert.equal(res.body?.error_description, description, `${what}: error_description`);
}

/** Asserts an HTML error page with its one alert. */
function assertErrorPage(res, status, title, what) {
  assert.equal(res.status, status, `${what}: expected ${status}, got ${res.status} ${res.text.slice(0, 300)}`);
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/, `${what}: content type`);
  assert.equal(res.headers.get('location'), null, `${what}: an error page never redirects`);
  assert.ok(res.text.includes(title), `${what}: page should say "${title}": ${res.text.slice(0, 400)}`);
  assert.equal(alertTexts(res.text).length, 1, `${what}: one alert`);
}

const signupBody = (extra = {}) => ({
  client_id: spa.client_id,
  connection: DB_CONNECTION,
  email: testEmail('signup'),
  password: GOOD_PASSWORD,
  ...extra,
});

const signup = (body, headers = {}) => json(url('dbconnections/signup'), 'POST', body, undefined, headers);
const changePassword = (body, headers = {}) =>
  json(url('dbconnections/change_password'), 'POST', body, undefined, headers);

// ---------------------------------------------------------------- signup

test('signup names each missing required property, in order, and stores nobody', t_(async () => {
  for (const [field, body] of [
    ['client_id', signupBody({ client_id: undefined })],
    ['connection', signupBody({ connection: '' })],
    ['password', signupBody({ password: '' })],
    ['email', signupBody({ email: undefined })],
  ]) {
    const res = await signup(body);
    assertDbError(res, { code: 'invalid_body', description: `Missing required property: ${field}` }, `without ${field}`);
    if (body.email) assert.deepEqual(await usersByEmail(body.email), [], `without ${field}: nobody stored`);
  }
}));

test('signup refuses a body that is not JSON, a non-string field and a field too long', t_(async () => {
  const broken = await signup('{"client_id": ');
  assert.equal(broken.status, 400, `broken JSON: ${broken.text}`);
  assert.equal(broken.body?.code, 'invalid_body', `broken JSON: ${broken.text}`);
  assert.equal(broken.body?.name, 'BadRequestError', `broken JSON: ${broken.text}`);

  const number = signupBody({ connection: 42 });
  assertDbError(await signup(number), { code: 'invalid_body', description: 'connection must be a string' }, 'numeric connection');

  const long = signupBody({ given_name: 'g'.repeat(301) });
  assertDbError(await signup(long), { code: 'invalid_body', description: 'given_name is too long' }, 'long given_name');
  assert.deepEqual(await usersByEmail(long.email), [], 'long given_name: nobody stored');

  const longPicture = signupBody({ picture: `https://example.com/${'p'.repeat(2100)}` });
  assertDbError(await signup(longPicture), { code: 'invalid_body', description: 'picture is too long' }, 'long picture');
}));

test('signup with another content type is an OAuth invalid_request', t_(async () => {
  const res = await request(url('dbconnections/signup'), {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: JSON.stringify(signupBody()),
  });
  assertOAuthError(res, 400, 'invalid_request',
    'Content-Type must be application/x-www-form-urlencoded or application/json', 'text/plain');
}));

test('signup refuses an unknown client, an unknown connection and a connection the client may not use', t_(async () => {
  assertDbError(await signup(signupBody({ client_id: 'no-such-client' })),
    { code: 'invalid_client', description: 'Unknown client' }, 'unknown client');
  assertDbError(await signup(signupBody({ connection: 'no-such-connection' })),
    { code: 'bad.connection', description: 'Connection does not exist' }, 'unknown connection');

  const name = `elsewhere-${Date.now().toString(36)}`;
  const other = await mgmt.createSpa('http://127.0.0.1:13');
  const conn = await mgmt.post('/connections', { name, strategy: 'auth0', enabled_clients: [other.client_id] });
  assert.equal(conn.status, 201, `POST /connections: ${conn.status} ${conn.text}`);
  const body = signupBody({ connection: name });
  assertDbError(await signup(body),
    { code: 'unauthorized', description: 'The connection is not enabled for this client' }, 'connection not enabled');
  assert.deepEqual(await usersByEmail(body.email), [], 'connection not enabled: nobody stored');
}));

test('signup is refused on a connection that disables it', t_(async () => {
  const name = `nosignup-${Date.now().toString(36)}`;
  const conn = await mgmt.post('/connections', {
    name, strategy: 'auth0', options: { disable_signup: true }, enabled_clients: [spa.client_id],
  });
  assert.equal(conn.status, 201, `POST /connections: ${conn.status} ${conn.text}`);
  const body = signupBody({ connection: name });
  assertDbError(await signup(body), { code: 'operation_not_supported', description: 'Public signup is disabled' }, 'disabled signup');
  assert.deepEqual(await usersByEmail(body.email), [], 'disabled signup: nobody stored');
}));

test('signup checks the profile: email format, username rules, https picture, user_metadata', t_(async () => {
  assertDbError(await signup(signupBody({ email: 'not-an-address' })),
    { code: 'invalid_body', description: "Object didn't pass validation for format email" }, 'bad email');
  assertDbError(await signup(signupBody({ picture: 'http://example.com/me.png' })),
    { code: 'invalid_body', description: 'picture must be an https URL' }, 'http picture');
  const metaRule = 'user_metadata must be an object of at most 10 string values';
  const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v']));
  for (const [what, user_metadata] of [
    ['an array', ['a']],
    ['eleven members', eleven],
    ['a number member', { plan: 3 }],
    ['a long member', { note: 'n'.repeat(501) }],
  ]) {
    const body = signupBody({ user_metadata });
    assertDbError(await signup(body), { code: 'invalid_body', description: metaRule }, `user_metadata ${what}`);
    assert.deepEqual(await usersByEmail(body.email), [], `user_metadata ${what}: nobody stored`);
  }

  const name = `named-${Date.now().toString(36)}`;
  const conn = await mgmt.post('/connections', {
    name, strategy: 'auth0', options: { requires_username: true }, enabled_clients: [spa.client_id],
  });
  assert.equal(conn.status, 201, `POST /connections: ${conn.status} ${conn.text}`);
  assertDbError(await signup(signupBody({ connection: name })),
    { code: 'invalid_body', description: 'Missing required property: username' }, 'no username');
  assertDbError(await signup(signupBody({ connection: name, username: 'has space' })),
    { code: 'invalid_body', description: "Username may hold only letters, digits and _+-.!#$'^`~" }, 'bad username');

  const username = `u${Date.now().toString(36)}`;
  const ok = await signup(signupBody({ connection: name, username }));
  assert.equal(ok.status, 200, `signup with a username: ${ok.text}`);
  assert.equal(ok.body.username, username, `the answer carries the username: ${ok.text}`);
}));

test('signup answers the profile it stored: names, picture and user_metadata', t_(async () => {
  const body = signupBody({
    given_name: 'Ada',
    family_name: 'Lovelace',
    name: 'Ada Lovelace',
    nickname: 'ada',
    picture: 'https://example.com/ada.png',
    user_metadata: { plan: 'gold' },
  });
  const res = await signup(body);
  assert.equal(res.status, 200, `signup: ${res.text}`);
  assert.equal(res.body.email, body.email, 'email');
  assert.equal(res.body.email_verified, false, 'email_verified');
  assert.match(res.body._id, /^[^|]+$/, `_id is the id without the connection prefix: ${res.text}`);
  for (const k of ['given_name', 'family_name', 'name', 'nickname', 'picture']) {
    assert.equal(res.body[k], body[k], `${k} in ${res.text}`);
  }
  assert.deepEqual(res.body.user_metadata, { plan: 'gold' }, 'user_metadata');
  const [stored] = await usersByEmail(body.email);
  assert.equal(stored?.given_name, 'Ada', 'stored given_name');
  assert.deepEqual(stored?.user_metadata, { plan: 'gold' }, 'stored user_metadata');
}));

test('signup also takes a web form; an e-mail address is stored in lower case', t_(async () => {
  const email = testEmail('FormSignup');
  const res = await form(url('dbconnections/signup'), {
    client_id: spa.client_id, connection: DB_CONNECTION, email, password: GOOD_PASSWORD,
  });
  assert.equal(res.status, 200, `form signup: ${res.text}`);
  assert.equal(res.body.email, email.toLowerCase(), 'the answer carries the lower-case address');
  assert.equal(res.body.user_metadata, undefined, 'no user_metadata when none was sent');
  assert.equal((await usersByEmail(email.toLowerCase())).length, 1, 'one user stored');
}));

test('signup and change_password answer CORS for allowed origins only, preflight included', t_(async () => {
  const allowed = await signup(signupBody(), { origin: APP });
  assert.equal(allowed.status, 200, `signup from ${APP}: ${allowed.text}`);
  assert.equal(allowed.headers.get('access-control-allow-origin'), APP, 'allowed origin echoed');
  assert.equal(allowed.headers.get('vary'), 'Origin', 'Vary: Origin');

  const foreign = await signup(signupBody(), { origin: OTHER_ORIGIN });
  assert.equal(foreign.headers.get('access-control-allow-origin'), null, 'a foreign origin gets no CORS header');

  const refusal = await changePassword({ client_id: spa.client_id, connection: DB_CONNECTION }, { origin: APP });
  assert.equal(refusal.status, 400, `refusal: ${refusal.text}`);
  assert.equal(refusal.headers.get('access-control-allow-origin'), APP, 'refusals are readable by the app too');

  for (const path of ['dbconnections/signup', 'dbconnections/change_password']) {
    const ok = await request(url(path), {
      method: 'OPTIONS',
      headers: { origin: APP, 'access-control-request-method': 'POST' },
    });
    assert.equal(ok.status, 204, `preflight ${path}: ${ok.status} ${ok.text}`);
    assert.equal(ok.headers.get('access-control-allow-origin'), APP, `preflight ${path}: origin`);
    assert.equal(ok.headers.get('access-control-allow-methods'), 'GET, POST, OPTIONS', `preflight ${path}: methods`);
    assert.match(ok.headers.get('access-control-allow-headers') ?? '', /Auth0-Client/, `preflight ${path}: headers`);
    const no = await request(url(path), { method: 'OPTIONS', headers: { origin: OTHER_ORIGIN } });
    assertOAuthError(no, 403, 'access_denied', /Origin not allowed/, `preflight ${path} from a foreign origin`);
    const none = await request(url(path), { method: 'OPTIONS' });
    assertOAuthError(none, 403, 'access_denied', /Origin not allowed/, `preflight ${path} without Origin`);
  }
}));

// ------------------------------------------------------- change_password

test('change_password names each missing property and refuses unknown clients and connections', t_(async () => {
  const full = { client_id: spa.client_id, connection: DB_CONNECTION, email: testEmail('reset') };
  for (const field of ['client_id', 'email', 'connection']) {
    const res = await changePassword({ ...full, [field]: undefined });
    assertDbError(res, { code: 'invalid_body', description: `Missing required property: ${field}` }, `without ${field}`);
  }
  assertDbError(await changePassword({ ...full, client_id: 'no-such-client' }),
    { code: 'invalid_client', description: 'Unknown client' }, 'unknown client');
  assertDbError(await changePassword({ ...full, connection: 'no-such-connection' }),
    { code: 'bad.connection', description: 'Connection does not exist' }, 'unknown connection');
  assertDbError(await changePassword({ ...full, email: ['a@example.com'] }),
    { code: 'invalid_body', description: 'email must be a string' }, 'email as an array');
  const broken = await changePassword('not json');
  assert.equal(broken.status, 400, `broken JSON: ${broken.text}`);
  assert.equal(broken.body?.code, 'invalid_body', `broken JSON: ${broken.text}`);
}));

test('change_password answers the same for a malformed address and for a web form', t_(async () => {
  const sent = "We've just sent you an email to reset your password.";
  const malformed = await changePassword({ client_id: spa.client_id, connection: DB_CONNECTION, email: 'not-an-address' });
  assert.equal(malformed.status, 200, `malformed address: ${malformed.text}`);
  assert.equal(malformed.body, sent, 'malformed address: the usual answer');
  const viaForm = await form(url('dbconnections/change_password'), {
    client_id: spa.client_id, connection: DB_CONNECTION, email: testEmail('formreset'),
  });
  assert.equal(viaForm.status, 200, `form: ${viaForm.text}`);
  assert.equal(viaForm.body, sent, 'form: the usual answer');
}));

// -------------------------------------------------------------- authorize

const authz = (extra = {}, clientId = spa.client_id) =>
  request(authorizeUrl(server, codeRequest({ clientId, redirectUri: CB, extra }).params), { redirect: 'manual' });

/** The error an /authorize answer sends back in the query of the redirect_uri. */
function queryError(res, what) {
  assert.equal(res.status, 302, `${what}: expected a redirect, got ${res.status} ${res.text.slice(0, 300)}`);
  const loc = new URL(res.headers.get('location'));
  assert.equal(`${loc.origin}${loc.pathname}`, CB, `${what}: back to the redirect_uri`);
  assert.equal(loc.searchParams.get('iss'), server.url, `${what}: iss (RFC 9207)`);
  return { error: loc.searchParams.get('error'), description: loc.searchParams.get('error_description'), state: loc.searchParams.get('state') };
}

test('/authorize shows a page, never a redirect, until the client and redirect_uri are known good', t_(async () => {
  assertErrorPage(await authz({}, 'no-such-client'), 400, 'Unknown application', 'unknown client');
  assertErrorPage(await authz({}, ''), 400, 'Unknown application', 'no client_id');
  assertErrorPage(await authz({ redirect_uri: `${APP}/elsewhere` }), 400, 'Callback URL mismatch', 'foreign redirect_uri');
  assertErrorPage(await authz({ response_mode: 'web_message', redirect_uri: CB }, (await mgmt.createSpa('http://127.0.0.1:14', { web_origins: [] })).client_id),
    400, 'Callback URL mismatch', 'web_message with a redirect_uri of another app');
  const twice = await request(`${authorizeUrl(server, { client_id: spa.client_id, redirect_uri: CB })}&client_id=x`, { redirect: 'manual' });
  assertErrorPage(twice, 400, 'Invalid request', 'a repeated parameter');
}));

test('/authorize with web_message refuses a redirect_uri outside the Allowed Web Origins', t_(async () => {
  const origin = 'http://127.0.0.1:15';
  const app = await mgmt.createSpa(origin, { web_origins: [] });
  const res = await request(authorizeUrl(server, codeRequest({
    clientId: app.client_id, redirectUri: `${origin}/callback`, extra: { response_mode: 'web_message' },
  }).params), { redirect: 'manual' });
  assertErrorPage(res, 400, 'Origin not allowed', 'web_message to an origin not allowed');
}));

test('/authorize sends each refusal of the request back to the redirect_uri with state', t_(async () => {
  const cases = [
    [{ response_mode: 'jsonp' }, 'invalid_request', 'Unsupported response_mode: jsonp'],
    [{ response_type: '' }, 'invalid_request', 'Missing required parameter: response_type'],
    // A token response type answers in the fragment: implicit_hybrid.test.mjs.
    [{ response_type: 'code code' }, 'unsupported_response_type', 'Unsupported response type: code code (offered: code, id_token, code id_token)'],
    [{ state: 's'.repeat(2049) }, 'invalid_request', 'state and nonce may be at most 2048 characters'],
    [{ max_age: 'soon' }, 'invalid_request', 'max_age must be a number of seconds'],
    [{ prompt: 'none login' }, 'invalid_request', 'prompt=none cannot be combined with other values'],
    [{ code_challenge: '' }, 'invalid_request', 'code_challenge_method without code_challenge'],
    [{ code_challenge: undefined, code_challenge_method: undefined }, 'invalid_request',
      'Public clients must use PKCE: send code_challenge and code_challenge_method=S256'],
    [{ code_challenge_method: 'plain' }, 'invalid_request', "code_challenge_method must be S256 (got 'plain'); plain is not supported"],
    [{ code_challenge: 'short' }, 'invalid_request', 'code_challenge must be the base64url SHA-256 of the verifier (43 characters)'],
    [{ audience: 'https://no-such-api.example/' }, 'access_denied', 'Service not found: https://no-such-api.example/'],
    [{ connection: 'no-such-connection' }, 'invalid_request', 'Unknown connection: no-such-connection'],
  ];
  for (const [extra, error, description] of cases) {
    const what = JSON.stringify(extra).slice(0, 80);
    const got = queryError(await authz({ state: 'st8', ...extra }), what);
    assert.equal(got.error, error, `${what}: error`);
    assert.equal(got.description, description, `${what}: error_description`);
    if (!extra.state) assert.equal(got.state, 'st8', `${what}: state`);
  }
}));

test('/authorize refuses a client without the authorization_code grant and a connection it may not use', t_(async () => {
  const m2m = await mgmt.createApp({ app_type: 'regular_web', callbacks: [CB], grant_types: ['client_credentials'] });
  const got = queryError(await authz({ state: 'x' }, m2m.client_id), 'no authorization_code grant');
  assert.equal(got.error, 'unauthorized_client');
  assert.equal(got.description, "Grant type 'authorization_code' not allowed for the client.");

  const name = `closed-${Date.now().toString(36)}`;
  const conn = await mgmt.post('/connections', { name, strategy: 'auth0', enabled_clients: [] });
  assert.equal(conn.status, 201, `POST /connections: ${conn.status} ${conn.text}`);
  const off = queryError(await authz({ connection: name }), 'connection not enabled');
  assert.equal(off.error, 'invalid_request');
  assert.equal(off.description, `The connection ${name} is not enabled for this application`);
}));

test('/authorize says request objects are not supported, after checking the client', t_(async () => {
  const obj = queryError(await authz({ request: 'eyJhbGciOiJub25lIn0.e30.' }), 'request');
  assert.equal(obj.error, 'request_not_supported');
  assert.equal(obj.description, 'Request objects are not supported');
  const byRef = queryError(await authz({ request_uri: 'https://example.com/r' }), 'request_uri');
  assert.equal(byRef.error, 'request_uri_not_supported');
  assertErrorPage(await authz({ request: 'x' }, 'no-such-client'), 400, 'Unknown application', 'request object, unknown client');
}));

test('/authorize errors in fragment, form_post and web_message modes', t_(async () => {
  const frag = await authz({ response_mode: 'fragment', prompt: 'none', state: 'f1' });
  assert.equal(frag.status, 302, `fragment: ${frag.status}`);
  const loc = new URL(frag.headers.get('location'));
  assert.equal(loc.search, '', 'fragment: nothing in the query');
  const h = new URLSearchParams(loc.hash.slice(1));
  assert.equal(h.get('error'), 'login_required', `fragment: ${loc.hash}`);
  assert.equal(h.get('state'), 'f1', 'fragment: state');
  assert.equal(h.get('iss'), server.url, 'fragment: iss');

  const post = await authz({ response_mode: 'form_post', response_type: 'token', state: 'p"<1' });
  assert.equal(post.status, 200, `form_post: ${post.status}`);
  assert.match(post.headers.get('content-type') ?? '', /^text\/html/, 'form_post: HTML');
  const csp = post.headers.get('content-security-policy') ?? '';
  assert.match(csp, /script-src 'nonce-[A-Za-z0-9]+'/, `form_post: CSP ${csp}`);
  assert.match(csp, /frame-ancestors 'none'/, `form_post: CSP ${csp}`);
  const f = findForm(post.text, server.url, 'error');
  assert.equal(f.action, CB, 'form_post: posts to the redirect_uri');
  const fields = hiddenFields(f);
  assert.equal(fields.error, 'unsupported_response_type', 'form_post: error');
  assert.equal(fields.state, 'p"<1', 'form_post: state, escaped in the page and intact');
  assert.equal(fields.iss, server.url, 'form_post: iss');
  assert.ok(!post.text.includes('p"<1'), 'form_post: state is HTML-escaped');

  const wm = await authz({ response_mode: 'web_message', prompt: 'none', state: '</script><b>' });
  assert.equal(wm.status, 200, `web_message: ${wm.status}`);
  const wmCsp = wm.headers.get('content-security-policy') ?? '';
  assert.match(wmCsp, new RegExp(`frame-ancestors ${APP}$`), `web_message: only the app may frame it: ${wmCsp}`);
  assert.ok(!wm.text.includes('</script><b>'), 'web_message: the state cannot close the script');
  const m = /var m=(\{.*?\});\(window\.opener/.exec(wm.text);
  assert.ok(m, `web_message: message in ${wm.text.slice(0, 400)}`);
  const msg = JSON.parse(m[1]);
  assert.equal(msg.type, 'authorization_response');
  assert.equal(msg.response.error, 'login_required');
  assert.equal(msg.response.state, '</script><b>');
  assert.ok(wm.text.includes(`.postMessage(m,"${APP}")`), 'web_message: posted to the app origin only');
}));

test('/authorize answers a signed-in browser with a code in form_post and fragment modes', t_(async () => {
  const user = await mgmt.createUser({ email: testEmail('modes') });
  const { jar } = await loginOverHttp(server, {
    params: codeRequest({ clientId: spa.client_id, redirectUri: CB }).params, email: user.email, password: user.password,
  });
  const post = await jar.fetch(authorizeUrl(server, codeRequest({
    clientId: spa.client_id, redirectUri: CB, extra: { response_mode: 'form_post', state: 'fp' },
  }).params));
  assert.equal(post.status, 200, `form_post with a session: ${post.status} ${post.text.slice(0, 300)}`);
  const fields = hiddenFields(findForm(post.text, server.url, 'code'));
  assert.ok(fields.code, `form_post: a code in ${post.text.slice(0, 300)}`);
  assert.equal(fields.state, 'fp');
  assert.equal(fields.error, undefined, 'form_post: no error');

  const frag = await jar.fetch(authorizeUrl(server, codeRequest({
    clientId: spa.client_id, redirectUri: CB, extra: { response_mode: 'fragment', state: 'fr' },
  }).params));
  assert.equal(frag.status, 302, `fragment with a session: ${frag.status}`);
  const h = new URLSearchParams(new URL(frag.location).hash.slice(1));
  assert.ok(h.get('code'), `fragment: a code in ${frag.location}`);
  assert.equal(h.get('state'), 'fr');
}));

// ----------------------------------------------------------------- logout

test('/v2/logout: unknown client, returnTo not allowed, the first logout URL, the logged-out page', t_(async () => {
  assertErrorPage(await request(url('v2/logout?client_id=no-such-client'), { redirect: 'manual' }),
    400, 'Unknown application', 'unknown client');
  assertErrorPage(await request(url(`v2/logout?client_id=${spa.client_id}&returnTo=${encodeURIComponent('https://evil.example/')}`), { redirect: 'manual' }),
    400, 'Logout URL not allowed', 'returnTo not allowed');
  assertErrorPage(await request(url(`v2/logout?returnTo=${encodeURIComponent(`${APP}/`)}`), { redirect: 'manual' }),
    400, 'Logout URL not allowed', 'returnTo without a client and not the tenant\'s');
  const first = await request(url(`v2/logout?client_id=${spa.client_id}`), { redirect: 'manual' });
  assert.equal(first.status, 302, `no returnTo: ${first.status}`);
  assert.equal(first.headers.get('location'), `${APP}/`, 'no returnTo: the first Allowed Logout URL');
  const page = await request(url('v2/logout'), { redirect: 'manual' });
  assert.equal(page.status, 200, `no client: ${page.status}`);
  assert.ok(page.text.includes('You are logged out'), 'no client: the logged-out page');
}));

test('/oidc/logout refuses a foreign id_token_hint, a mismatched client_id, a bad URL and an expired form', t_(async () => {
  const foreign = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4IiwiYXVkIjoieSJ9.c2ln';
  assertErrorPage(await request(url(`oidc/logout?id_token_hint=${foreign}`), { redirect: 'manual' }),
    400, 'Invalid logout request', 'foreign id_token_hint');
  assertErrorPage(await request(url('oidc/logout?state=a&state=b'), { redirect: 'manual' }),
    400, 'Invalid logout request', 'repeated parameter');
  assertErrorPage(await request(url(`oidc/logout?client_id=${spa.client_id}&post_logout_redirect_uri=${encodeURIComponent('https://evil.example/')}`), { redirect: 'manual' }),
    400, 'Logout URL not allowed', 'post_logout_redirect_uri not allowed');
  assertErrorPage(await request(url(`oidc/logout?post_logout_redirect_uri=${encodeURIComponent(`${APP}/`)}`), { redirect: 'manual' }),
    400, 'Logout URL not allowed', 'post_logout_redirect_uri without a client');
  assertErrorPage(await form(url('oidc/logout'), { csrf: 'forged' }), 403, 'Logout expired', 'a forged csrf');

}));

test('/oidc/logout without a session goes to an allowed post_logout_redirect_uri with state', t_(async () => {
  const res = await request(url(`oidc/logout?client_id=${spa.client_id}&post_logout_redirect_uri=${encodeURIComponent(`${APP}/`)}&state=bye`), { redirect: 'manual' });
  assert.equal(res.status, 302, `oidc logout: ${res.status} ${res.text.slice(0, 200)}`);
  const loc = new URL(res.headers.get('location'));
  assert.equal(`${loc.origin}${loc.pathname}`, `${APP}/`, 'to the logout URL');
  assert.equal(loc.searchParams.get('state'), 'bye', 'with state');
  const page = await request(url('oidc/logout'), { redirect: 'manual' });
  assert.equal(page.status, 200, `no parameters: ${page.status}`);
  assert.ok(page.text.includes('You are logged out'), 'no parameters: the logged-out page');
}));

test('/oidc/logout without an id_token_hint asks the signed-in person to confirm; the confirmed form ends the session', t_(async () => {
  const user = await mgmt.createUser({ email: testEmail('confirm') });
  const { jar } = await loginOverHttp(server, {
    params: codeRequest({ clientId: spa.client_id, redirectUri: CB }).params, email: user.email, password: user.password,
  });
  const logoutUrl = url(`oidc/logout?client_id=${spa.client_id}&post_logout_redirect_uri=${encodeURIComponent(`${APP}/`)}&state=conf`);
  const ask = await jar.fetch(logoutUrl);
  assert.equal(ask.status, 200, `confirm page: ${ask.status} ${ask.text.slice(0, 300)}`);
  assert.ok(ask.text.includes('Log out?'), 'the page asks');
  assert.ok(jar.has('tsr_session'), 'asking keeps the session');
  const still = await jar.fetch(authorizeUrl(server, codeRequest({ clientId: spa.client_id, redirectUri: CB, extra: { prompt: 'none' } }).params));
  assert.ok(new URL(still.location).searchParams.get('code'), `the session still answers: ${still.location}`);

  const f = findForm(ask.text, logoutUrl, 'csrf');
  assert.equal(f.action, url('oidc/logout'), 'the form posts back to /oidc/logout');
  const fields = hiddenFields(f);
  assert.equal(fields.client_id, spa.client_id, 'client_id carried');
  assert.equal(fields.post_logout_redirect_uri, `${APP}/`, 'post_logout_redirect_uri carried');
  assert.equal(fields.state, 'conf', 'state carried');
  const done = await jar.postForm(f.action, fields);
  assert.equal(done.status, 303, `confirmed logout (See Other after a POST): ${done.status} ${done.text.slice(0, 300)}`);
  const back = new URL(done.location);
  assert.equal(`${back.origin}${back.pathname}`, `${APP}/`, 'to the logout URL');
  assert.equal(back.searchParams.get('state'), 'conf', 'with state');
  const gone = await jar.fetch(authorizeUrl(server, codeRequest({ clientId: spa.client_id, redirectUri: CB, extra: { prompt: 'none' } }).params));
  assert.equal(new URL(gone.location).searchParams.get('error'), 'login_required', 'the session has ended');
}));

// ------------------------------------------------ userinfo, revoke, introspect

test('/userinfo: a missing, unknown or foreign token is 401 with WWW-Authenticate', t_(async () => {
  const missing = await request(url('userinfo'));
  assertOAuthError(missing, 401, 'invalid_request', 'Missing access token', 'no token');
  assert.equal(missing.headers.get('www-authenticate'), `Bearer realm="${server.url}", error="invalid_request"`, 'no token: header');
  const basic = await request(url('userinfo'), { headers: { authorization: 'Basic eDp5' } });
  assertOAuthError(basic, 401, 'invalid_request', 'Missing access token', 'Basic credentials');
  for (const [what, token] of [
    ['an unknown opaque token', 'no-such-token'],
    ['a JWT of another issuer', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'],
  ]) {
    const res = await request(url('userinfo'), { headers: { authorization: `Bearer ${token}` } });
    assertOAuthError(res, 401, 'invalid_token', 'Invalid or expired access token', what);
    assert.equal(res.headers.get('www-authenticate'), `Bearer realm="${server.url}", error="invalid_token"`, `${what}: header`);
  }
  const posted = await form(url('userinfo'), { access_token: 'no-such-token' });
  assertOAuthError(posted, 401, 'invalid_token', 'Invalid or expired access token', 'POSTed unknown token');
  const postedJson = await json(url('userinfo'), 'POST', { access_token: 'x' });
  assertOAuthError(postedJson, 401, 'invalid_request', 'Missing access token', 'a JSON body is not read');
}));

test('/userinfo answers the claims of a POSTed access token; its id_token names the client for /oidc/logout', t_(async () => {
  const user = await mgmt.createUser({ email: testEmail('ui') });
  const web = await mgmt.createWebApp(CB);
  const req = codeRequest({ clientId: web.client_id, redirectUri: CB });
  const { redirect } = await loginOverHttp(server, { params: req.params, email: user.email, password: user.password });
  const tokens = await form(url('oauth/token'), {
    grant_type: 'authorization_code', client_id: web.client_id, client_secret: web.client_secret,
    code: redirect.code, redirect_uri: CB, code_verifier: req.verifier,
  });
  assert.equal(tokens.status, 200, `token: ${tokens.text}`);
  const res = await form(url('userinfo'), { access_token: tokens.body.access_token });
  assert.equal(res.status, 200, `POST /userinfo: ${res.text}`);
  assert.equal(res.body.email, user.email, 'email claim');

  const mismatch = await request(url(`oidc/logout?id_token_hint=${tokens.body.id_token}&client_id=${spa.client_id}`), { redirect: 'manual' });
  assertErrorPage(mismatch, 400, 'Invalid logout request', 'client_id not the hint\'s');
}));

test('/oauth/revoke and /oauth/introspect refuse bad bodies, missing tokens and bad clients', t_(async () => {
  const web = await mgmt.createWebApp(CB);
  for (const path of ['oauth/revoke', 'oauth/introspect']) {
    const plain = await request(url(path), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'token=x' });
    assertOAuthError(plain, 400, 'invalid_request',
      'Content-Type must be application/x-www-form-urlencoded or application/json', `${path} text/plain`);
    const broken = await request(url(path), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    assertOAuthError(broken, 400, 'invalid_request', /^Invalid request body: /, `${path} broken JSON`);
    const wrongSecret = await form(url(path), { token: 'x', client_id: web.client_id, client_secret: 'wrong' });
    assertOAuthError(wrongSecret, 401, 'invalid_client', undefined, `${path} wrong secret`);
    const wrongMethod = await form(url(path), { token: 'x' }, { authorization: basicAuth(web.client_id, web.client_secret) });
    assertOAuthError(wrongMethod, 401, 'invalid_client', /token_endpoint_auth_method is client_secret_post/, `${path} Basic for a client_secret_post client`);
  }
  const basicApp = await mgmt.createWebApp(CB, { token_endpoint_auth_method: 'client_secret_basic' });
  for (const [what, header] of [['not Basic', 'Bearer x'], ['not base64', 'Basic !!!!'], ['no colon', `Basic ${Buffer.from('nocolon').toString('base64')}`]]) {
    const res = await form(url('oauth/revoke'), { token: 'x' }, { authorization: header });
    assertOAuthError(res, 401, 'invalid_client', 'Client authentication failed: unknown client_id or wrong client_secret', `revoke, Authorization ${what}`);
  }
  const both = await form(url('oauth/revoke'), { token: 'x', client_secret: basicApp.client_secret },
    { authorization: basicAuth(basicApp.client_id, basicApp.client_secret) });
  assertOAuthError(both, 400, 'invalid_request',
    'Use one client authentication method: either the Authorization header or client_secret in the body', 'revoke with two methods');
  const noClient = await form(url('oauth/revoke'), { token: 'x' });
  assertOAuthError(noClient, 401, 'invalid_client', 'Missing required parameter: client_id', 'revoke without a client');
  const viaBasic = await form(url('oauth/revoke'), { token: 'no-such-token' }, { authorization: basicAuth(basicApp.client_id, basicApp.client_secret) });
  assert.equal(viaBasic.status, 200, `revoke with Basic: ${viaBasic.text}`);
  const noToken = await form(url('oauth/revoke'), { client_id: web.client_id, client_secret: web.client_secret });
  assertOAuthError(noToken, 400, 'invalid_request', 'Missing required parameter: token', 'revoke without token');
  const unknown = await form(url('oauth/revoke'), { token: 'no-such-token', client_id: web.client_id, client_secret: web.client_secret });
  assert.equal(unknown.status, 200, `revoke of an unknown token answers 200 (RFC 7009): ${unknown.text}`);

  const noTokenIntro = await form(url('oauth/introspect'), { client_id: web.client_id, client_secret: web.client_secret });
  assertOAuthError(noTokenIntro, 400, 'invalid_request', 'Missing required parameter: token', 'introspect without token');
  const publicClient = await form(url('oauth/introspect'), { token: 'x', client_id: spa.client_id });
  assertOAuthError(publicClient, 401, 'invalid_client',
    'Token introspection is for confidential clients (APIs with a client secret)', 'introspect by a public client');
  const inactive = await form(url('oauth/introspect'), { token: 'no-such-token', client_id: web.client_id, client_secret: web.client_secret });
  assert.equal(inactive.status, 200, `introspect unknown: ${inactive.text}`);
  assert.deepEqual(inactive.body, { active: false }, 'an unknown token is inactive');
}));
