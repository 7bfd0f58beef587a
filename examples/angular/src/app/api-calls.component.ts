// Calls the example API's three routes with HttpClient and shows each answer.
// auth0-angular's interceptor adds the access token to the URLs of its
// allowedList only (see app.config.ts).
import { HttpClient, HttpErrorResponse } from '@angular/common/http';
import { Component, inject, signal } from '@angular/core';

import { DEMO_CONFIG } from './demo-config';

type Route = 'public' | 'private' | 'private-scoped';

interface Result {
  /** The HTTP status; 0 when no response came (e.g. the SDK had no token). */
  status: number;
  www: string;
  text: string;
}

@Component({
  selector: 'app-api-calls',
  template: `
    <h1>API calls</h1>
    <p id="api-url">API: {{ config.apiUrl }} (audience {{ config.audience }})</p>
    @for (route of routes; track route) {
      <section>
        <button [id]="'call-' + route" type="button" (click)="call(route)">Call {{ route }}</button>
        <pre [id]="'result-' + route" [attr.data-status]="results()[route]?.status ?? ''" [attr.data-www]="results()[route]?.www ?? ''">{{
          results()[route]?.text ?? ''
        }}</pre>
      </section>
    }
  `,
})
export class ApiCallsComponent {
  readonly config = inject(DEMO_CONFIG);
  private readonly http = inject(HttpClient);
  readonly routes: Route[] = ['public', 'private', 'private-scoped'];
  readonly results = signal<Partial<Record<Route, Result>>>({});

  call(route: Route): void {
    this.show(route, undefined);
    this.http.get(`${this.config.apiUrl}/api/${route}`, { observe: 'response' }).subscribe({
      next: (res) => this.show(route, { status: res.status, www: '', text: `HTTP ${res.status}\n${JSON.stringify(res.body, null, 2)}` }),
      error: (err: unknown) => this.show(route, describeError(err)),
    });
  }

  private show(route: Route, result: Result | undefined): void {
    this.results.update((r) => ({ ...r, [route]: result }));
  }
}

function describeError(err: unknown): Result {
  if (err instanceof HttpErrorResponse && err.status !== 0) {
    const www = err.headers.get('WWW-Authenticate') ?? '';
    const body = typeof err.error === 'string' ? err.error : JSON.stringify(err.error, null, 2);
    return { status: err.status, www, text: `HTTP ${err.status}\n${www ? `WWW-Authenticate: ${www}\n` : ''}${body}` };
  }
  const e = err as { error?: string; error_description?: string; message?: string };
  return { status: 0, www: '', text: `Request failed: ${e.error_description ?? e.message ?? e.error ?? String(err)}` };
}
