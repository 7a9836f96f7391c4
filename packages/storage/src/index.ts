export * from './migrations/migrator.js';
export * from './pg-pool.js';
export * from './repositories/api-key-repository.js';
export * from './repositories/inbound-repository.js';
export * from './repositories/message-repository.js';
export * from './repositories/receipt-repository.js';
export * from './repositories/tenant-repository.js';
export * from './sealed-tables.js';
