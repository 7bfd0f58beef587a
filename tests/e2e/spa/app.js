/* A test single-page app: a thin layer over auth0-spa-js that the end-to-end
 * suites call through page.evaluate.  Every function resolves to plain data
 * (errors included) so that the test sees what the SDK saw. */
/* global auth0 */
(function () {
  'use strict';
  let client = null;

  function errorInfo(e) {
    return {
      ok: false,
      error: (e && (e.error || e.name)) || String(e),
      error_description: (e && (e.error_description || e.message)) || '',
    };
  }

  function need() {
    if (!client) throw new Error('app.init() first');
    return client;
  }

  window.app = {
    /* opts: {audience, scope, useRefreshTokens, callbackPath} */
    init(opts) {
      const o = opts || {};
      const cfg = window.SPA_CONFIG;
      const authorizationParams = {
        redirect_uri: window.location.origin + (o.callbackPath || '/callback'),
        scope: o.scope || 'openid profile email offline_access',
      };
      if (o.audience) authorizationParams.audience = o.audience;
      client = new auth0.Auth0Client({
        domain: cfg.domain,
        clientId: cfg.clientId,
        authorizationParams: authorizationParams,
        useRefreshTokens: !!o.useRefreshTokens,
        cacheLocation: 'memory',
        authorizeTimeoutInSeconds: 10,
        httpTimeoutInSeconds: 10,
      });
      return true;
    },

    /* Starts loginWithRedirect and returns at once: the page then navigates away. */
    login(authorizationParams) {
      window.__loginError = null;
      need()
        .loginWithRedirect({ authorizationParams: authorizationParams || {} })
        .catch(function (e) {
          window.__loginError = errorInfo(e);
        });
      return true;
    },

    async handleCallback() {
      try {
        const r = await need().handleRedirectCallback();
        return { ok: true, appState: r.appState === undefined ? null : r.appState };
      } catch (e) {
        return errorInfo(e);
      }
    },

    /* getTokenSilently with detailedResponse: {ok, access_token, id_token, expires_in, scope} or {ok:false, error}. */
    async token(options) {
      try {
        const r = await need().getTokenSilently(Object.assign({}, options || {}, { detailedResponse: true }));
        return Object.assign({ ok: true }, r);
      } catch (e) {
        return errorInfo(e);
      }
    },

    async isAuthenticated() {
      return need().isAuthenticated();
    },
    async user() {
      return (await need().getUser()) || null;
    },
    async claims() {
      const c = await need().getIdTokenClaims();
      return c ? JSON.parse(JSON.stringify(c)) : null;
    },

    /* Starts the logout redirect and returns at once. */
    logout(returnTo) {
      need().logout({ logoutParams: { returnTo: returnTo } });
      return true;
    },

    /* A cross-origin call with a Bearer token (the protected API, /userinfo). */
    async callApi(url, token) {
      try {
        const r = await fetch(url, { headers: token ? { authorization: 'Bearer ' + token } : {} });
        return { ok: true, status: r.status, body: await r.text() };
      } catch (e) {
        return errorInfo(e);
      }
    },
  };
})();
