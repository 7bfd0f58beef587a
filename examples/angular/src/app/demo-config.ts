// What the app needs to know about its Tessera and its API, read at startup.
import { InjectionToken } from '@angular/core';

export interface DemoConfig {
  /** Tessera's issuer without the trailing slash.  An http:// prefix is kept:
   *  auth0-spa-js (under auth0-angular) uses a domain that starts with a scheme
   *  as is, and prefixes https:// only to a bare host name. */
  domain: string;
  clientId: string;
  /** The API's identifier in Tessera: the access token's aud. */
  audience: string;
  /** Where the API listens, e.g. http://localhost:3001 */
  apiUrl: string;
}

export const DEMO_CONFIG = new InjectionToken<DemoConfig>('DEMO_CONFIG');

export async function loadDemoConfig(): Promise<DemoConfig> {
  const res = await fetch('config.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`config.json: HTTP ${res.status}`);
  const c = (await res.json()) as Partial<DemoConfig>;
  for (const k of ['domain', 'clientId', 'audience', 'apiUrl'] as const) {
    if (typeof c[k] !== 'string' || !c[k]) throw new Error(`config.json: ${k} is missing`);
  }
  return c as DemoConfig;
}
