// Preload (`node --import`) that installs module-log-hooks.mjs.
import { register } from 'node:module';

register('./module-log-hooks.mjs', import.meta.url);
