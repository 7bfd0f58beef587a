// The three quickstart routes, protected by express-oauth2-jwt-bearer.  The
// access tokens are verified locally against the issuer's JWKS (fetched once
// and cached by the library): no call to Tessera per request.
import express from 'express';
import { auth, requiredScopes } from 'express-oauth2-jwt-bearer';

export const SCOPE = 'read:messages';

/** CORS for the SPA's origin only: the preflight allows Authorization; the challenge is readable by the page. */
function cors(spaOrigin) {
  return (req, res, next) => {
    res.vary('Origin');
    if (req.headers.origin === spaOrigin) {
      res.set('access-control-allow-origin', spaOrigin);
      res.set('access-control-expose-headers', 'WWW-Authenticate');
      if (req.method === 'OPTIONS') {
        res.set('access-control-allow-methods', 'GET');
        res.set('access-control-allow-headers', 'Authorization');
        res.set('access-control-max-age', '600');
        res.status(204).end();
        return;
      }
    }
    next();
  };
}

/** The library's errors carry status, code and the RFC 6750 challenge; everything else is a 500 without details. */
// eslint-disable-next-line no-unused-vars
function jsonErrors(err, req, res, next) {
  const status = Number.isInteger(err.status) ? err.status : 500;
  if (err.headers) res.set(err.headers);
  if (status >= 500) console.error(err);
  res.status(status).json({
    error: err.code || (status === 401 ? 'unauthorized' : status >= 500 ? 'server_error' : 'invalid_request'),
    error_description: status >= 500 ? 'internal error' : err.message,
  });
}

/** The Express app: {issuerBaseURL, audience, spaOrigin}. */
export function createApp({ issuerBaseURL, audience, spaOrigin }) {
  const app = express();
  app.disable('x-powered-by');
  app.use(cors(spaOrigin));
  const checkJwt = auth({ issuerBaseURL, audience });

  app.get('/api/public', (req, res) => {
    res.json({ message: 'Hello from a public endpoint! You don\'t need to be authenticated to see this.' });
  });
  app.get('/api/private', checkJwt, (req, res) => {
    const { sub, scope } = req.auth.payload;
    res.json({ message: 'Hello from a private endpoint! You need to be authenticated to see this.', sub, scope });
  });
  app.get('/api/private-scoped', checkJwt, requiredScopes(SCOPE), (req, res) => {
    const { sub, scope } = req.auth.payload;
    res.json({
      message: `Hello from a private endpoint! You need to be authenticated and have a scope of ${SCOPE} to see this.`,
      sub,
      scope,
    });
  });
  app.use((req, res) => res.status(404).json({ error: 'not_found', error_description: `no route ${req.method} ${req.path}` }));
  app.use(jsonErrors);
  return app;
}
