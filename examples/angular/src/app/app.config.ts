// The providers: router, HttpClient with auth0-angular's interceptor, and
// auth0-angular itself, configured from config.json.
import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { ApplicationConfig, provideZoneChangeDetection } from '@angular/core';
import { provideRouter } from '@angular/router';
import { authHttpInterceptorFn, provideAuth0 } from '@auth0/auth0-angular';

import { routes } from './app.routes';
import { DEMO_CONFIG, DemoConfig } from './demo-config';

export const SCOPE = 'openid profile email offline_access read:messages';

export function appConfig(config: DemoConfig): ApplicationConfig {
  return {
    providers: [
      provideZoneChangeDetection({ eventCoalescing: true }),
      provideRouter(routes),
      { provide: DEMO_CONFIG, useValue: config },
      provideHttpClient(withInterceptors([authHttpInterceptorFn])),
      provideAuth0({
        domain: config.domain,
        clientId: config.clientId,
        authorizationParams: {
          redirect_uri: `${window.location.origin}/`,
          audience: config.audience,
          scope: SCOPE,
        },
        // A page reload: the tokens live in memory only (cacheLocation
        // 'memory', the default), so no script on this origin can read them
        // from localStorage.  The refresh token is therefore lost on reload,
        // and useRefreshTokensFallback lets the SDK get new tokens through a
        // hidden iframe (prompt=none) on Tessera's session instead.  The cost:
        // that iframe needs Tessera's session cookie, which a browser sends
        // only when Tessera is on the same site as the app (as here: same
        // host, other port) or third-party cookies are allowed.  The other
        // choice, cacheLocation 'localstorage', survives reloads without the
        // cookie but exposes the refresh token to any script on the origin.
        useRefreshTokens: true,
        useRefreshTokensFallback: true,
        httpInterceptor: {
          // Only these URLs get "Authorization: Bearer": /api/public is
          // called with the same HttpClient but is not listed, so it goes
          // out without a token.
          allowedList: [`${config.apiUrl}/api/private`, `${config.apiUrl}/api/private-scoped`],
        },
      }),
    ],
  };
}
