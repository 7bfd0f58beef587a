/* The demo single-page app: Auth0's auth0-spa-js pointed at Tessera.
 *
 * Tokens stay in memory (cacheLocation 'memory'), never in localStorage; the
 * SDK renews them with rotating refresh tokens, and after a reload restores
 * the login from Tessera's session (a hidden iframe, prompt=none).
 * config.json (written by the demo script): {domain, clientId, audience, apiUrl}. */
/* global auth0 */
(function () {
  'use strict';

  const $ = (id) => document.getElementById(id);
  let client = null;
  let config = null;

  function showError(e) {
    const el = $('error');
    el.hidden = !e;
    el.textContent = e ? `${e.error || e.name || 'error'}: ${e.error_description || e.message || e}` : '';
  }

  /* The payload of a JWT, for display only: the API is what verifies it. */
  function jwtPayload(token) {
    try {
      const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      return JSON.parse(atob(part));
    } catch {
      return null;
    }
  }

  async function render() {
    const signedIn = await client.isAuthenticated();
    const state = $('state');
    state.dataset.state = signedIn ? 'signed-in' : 'signed-out';
    $('login').disabled = false;
    $('logout').disabled = !signedIn;
    if (!signedIn) {
      state.textContent = 'Signed out';
      $('profile').textContent = 'Not logged in.';
      $('token-scope').textContent = 'none';
      return;
    }
    const user = await client.getUser();
    state.textContent = `Signed in as ${user.email || user.sub}`;
    $('profile').textContent = JSON.stringify(user, null, 2);
    try {
      const claims = jwtPayload(await client.getTokenSilently());
      $('token-scope').textContent = (claims && claims.scope) || '(no scope)';
    } catch (e) {
      showError(e);
    }
  }

  /* Calls the API and shows the status, the WWW-Authenticate challenge and the body. */
  async function callApi(route, withToken) {
    const out = $(`result-${route}`);
    out.dataset.status = '';
    out.textContent = 'Calling…';
    const headers = {};
    if (withToken && (await client.isAuthenticated())) {
      try {
        headers.Authorization = `Bearer ${await client.getTokenSilently()}`;
      } catch (e) {
        showError(e);
      }
    }
    let text;
    let status = 0;
    try {
      const res = await fetch(`${config.apiUrl}/api/${route}`, { headers });
      status = res.status;
      const body = await res.text();
      let pretty = body;
      try {
        pretty = JSON.stringify(JSON.parse(body), null, 2);
      } catch {
        /* not JSON: shown as it is */
      }
      const challenge = res.headers.get('WWW-Authenticate');
      out.dataset.www = challenge || '';
      text = `HTTP ${status}\n${challenge ? `WWW-Authenticate: ${challenge}\n` : ''}${pretty}`;
    } catch (e) {
      text = `Request failed: ${e.message}`;
    }
    out.textContent = text;
    out.dataset.status = String(status);
  }

  async function start() {
    config = await (await fetch('/config.json', { cache: 'no-store' })).json();
    $('api-url').textContent = `API: ${config.apiUrl}  (audience ${config.audience})`;
    client = await auth0.createAuth0Client({
      domain: config.domain,
      clientId: config.clientId,
      cacheLocation: 'memory',
      useRefreshTokens: true,
      useRefreshTokensFallback: true,
      authorizationParams: {
        redirect_uri: `${window.location.origin}/`,
        audience: config.audience,
        scope: 'openid profile email offline_access read:messages',
      },
    });

    const q = new URLSearchParams(window.location.search);
    if ((q.has('code') || q.has('error')) && q.has('state')) {
      try {
        await client.handleRedirectCallback();
      } catch (e) {
        showError(e);
      }
      window.history.replaceState({}, document.title, '/');
    }

    $('login').onclick = () => client.loginWithRedirect().catch(showError);
    $('logout').onclick = () => client.logout({ logoutParams: { returnTo: `${window.location.origin}/` } });
    $('call-public').onclick = () => callApi('public', false);
    $('call-private').onclick = () => callApi('private', true);
    $('call-private-scoped').onclick = () => callApi('private-scoped', true);
    for (const id of ['call-public', 'call-private', 'call-private-scoped']) $(id).disabled = false;
    await render();
  }

  start().catch((e) => {
    showError(e);
    $('state').dataset.state = 'error';
    $('state').textContent = 'Error';
  });
})();
