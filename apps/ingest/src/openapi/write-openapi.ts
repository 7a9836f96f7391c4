import { writeFileSync } from 'node:fs';
import { ingestOpenApi } from './openapi-document.js';

/** `node dist/openapi/write-openapi.js <file>`: writes the document (npm run lint:openapi lints it). */
const target = process.argv[2];
if (!target) {
  console.error('usage: write-openapi <file>');
  process.exit(2);
}
writeFileSync(target, `${JSON.stringify(ingestOpenApi(), null, 2)}\n`);
