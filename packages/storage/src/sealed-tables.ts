import { INBOUND_SEALED_FIELDS } from './repositories/inbound-repository.js';
import { MESSAGE_SEALED_FIELDS } from './repositories/message-inserts.js';
import { VERIFICATION_SEALED_FIELDS } from './repositories/verification-repository.js';

/**
 * Every table holding sealed values, for the vault's re-encryption and key-retirement jobs
 * (structurally a `SealedTable` of @maskline/vault). A new sealed column belongs here too.
 */
export const SEALED_TABLES = [
  {
    table: 'messages',
    idColumn: 'id',
    tenantColumn: 'tenant_id',
    keyVersionColumn: 'key_version',
    fields: MESSAGE_SEALED_FIELDS,
  },
  {
    // Masking participants (packages/masking seals them with field PARTICIPANT_FIELD).
    table: 'masking_participants',
    idColumn: 'id',
    tenantColumn: 'tenant_id',
    keyVersionColumn: 'key_version',
    fields: [{ column: 'number_sealed', field: 'participant_number' }],
  },
  {
    table: 'inbound_messages',
    idColumn: 'id',
    tenantColumn: null,
    keyVersionColumn: 'key_version',
    fields: INBOUND_SEALED_FIELDS,
  },
  {
    // Webhook signing secrets (packages/webhooks seals them with field 'webhook_secret').
    table: 'webhook_secrets',
    idColumn: 'id',
    tenantColumn: 'tenant_id',
    keyVersionColumn: 'key_version',
    fields: [{ column: 'secret_sealed', field: 'webhook_secret' }],
  },
  {
    // Verification destinations and senders (docs/verifications.md).
    table: 'verifications',
    idColumn: 'id',
    tenantColumn: 'tenant_id',
    keyVersionColumn: 'key_version',
    fields: VERIFICATION_SEALED_FIELDS,
  },
  {
    // Users' TOTP secrets (apps/ingest/src/users), sealed with field 'totp_secret'.
    table: 'users',
    idColumn: 'id',
    tenantColumn: 'tenant_id',
    keyVersionColumn: 'totp_key_version',
    fields: [{ column: 'totp_sealed', field: 'totp_secret' }],
  },
] as const;
