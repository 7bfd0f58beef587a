// The shell: navigation, who is signed in, log in / log out.
import { AsyncPipe } from '@angular/common';
import { Component, inject } from '@angular/core';
import { RouterLink, RouterOutlet } from '@angular/router';
import { AuthService } from '@auth0/auth0-angular';
import { combineLatest, map, startWith } from 'rxjs';

@Component({
  selector: 'app-root',
  imports: [AsyncPipe, RouterLink, RouterOutlet],
  template: `
    @let s = state$ | async;
    <header>
      <strong>Tessera Angular demo</strong>
      <a id="nav-home" routerLink="/">Home</a>
      <a id="nav-api" routerLink="/api">API calls</a>
      <span class="spacer"></span>
      <span id="state" [attr.data-state]="s?.state ?? 'loading'">
        @if (s?.state === 'signed-in') {
          Signed in as <span id="email">{{ s?.email }}</span>
        } @else if (s?.state === 'signed-out') {
          Signed out
        }
      </span>
      @if (s?.state === 'signed-in') {
        <button id="logout" type="button" (click)="logout()">Log out</button>
      } @else if (s?.state === 'signed-out') {
        <button id="login" type="button" (click)="login()">Log in</button>
      }
    </header>
    <main>
      <p id="error" class="error">{{ s?.error }}</p>
      <router-outlet />
    </main>
  `,
})
export class AppComponent {
  private readonly auth = inject(AuthService);

  /** One value for the template: none ('loading') until the SDK has checked the session. */
  readonly state$ = combineLatest([
    this.auth.isLoading$,
    this.auth.isAuthenticated$,
    this.auth.user$,
    // error$ emits only when something fails.
    this.auth.error$.pipe(startWith(null)),
  ]).pipe(
    map(([loading, signedIn, user, error]) => ({
      state: loading ? 'loading' : signedIn ? 'signed-in' : 'signed-out',
      email: user?.email ?? '',
      error: error ? String((error as { error_description?: string }).error_description ?? error.message) : '',
    })),
  );

  login(): void {
    this.auth.loginWithRedirect();
  }

  logout(): void {
    // Tessera's /v2/logout ends its session, then sends the browser back here.
    this.auth.logout({ logoutParams: { returnTo: `${window.location.origin}/` } });
  }
}
