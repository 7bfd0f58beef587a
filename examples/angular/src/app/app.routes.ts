import { Routes } from '@angular/router';
import { authGuardFn } from '@auth0/auth0-angular';

import { ApiCallsComponent } from './api-calls.component';
import { HomeComponent } from './home.component';

export const routes: Routes = [
  { path: '', component: HomeComponent },
  // Signed out, the guard sends the browser to Tessera's login page and
  // brings it back here afterwards (appState.target).
  { path: 'api', component: ApiCallsComponent, canActivate: [authGuardFn] },
  { path: '**', redirectTo: '' },
];
