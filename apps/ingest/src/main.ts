import { launch } from '@maskline/telemetry';

await launch('maskline-ingest', () => import('./run.js'));
