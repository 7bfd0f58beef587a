import { Component } from '@angular/core';
import { RouterLink } from '@angular/router';

@Component({
  selector: 'app-home',
  imports: [RouterLink],
  template: `
    <h1>Angular + Express API on Tessera</h1>
    <p>
      Log in through Tessera's Universal Login, then open <a routerLink="/api">API calls</a> (a route
      only signed-in users reach) to call the example API with and without an access token.
    </p>
  `,
})
export class HomeComponent {}
