import { launch } from '@maskline/telemetry';

await launch('maskline-receipt-processor', () => import('./run.js'));
