// Reads config.json (served next to index.html, written by scripts/demo.mjs)
// before Angular starts, so one build serves any issuer, client and port.
import { bootstrapApplication } from '@angular/platform-browser';

import { AppComponent } from './app/app.component';
import { appConfig } from './app/app.config';
import { loadDemoConfig } from './app/demo-config';

loadDemoConfig()
  .then((config) => bootstrapApplication(AppComponent, appConfig(config)))
  .catch((err: unknown) => {
    document.body.textContent = `Cannot start: ${err instanceof Error ? err.message : String(err)}`;
    console.error(err);
  });
