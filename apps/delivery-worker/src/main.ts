import { launch } from '@maskline/telemetry';

await launch('maskline-delivery-worker', () => import('./run.js'));
