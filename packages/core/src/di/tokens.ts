/**
 * Injection tokens for the composition roots (apps/*\/src/container.ts). Domain classes
 * carry no decorators: containers register factories under these tokens.
 */
export const TOKENS = {
  Config: Symbol.for('maskline.Config'),
  Clock: Symbol.for('maskline.Clock'),
  Logger: Symbol.for('maskline.Logger'),
  Tracer: Symbol.for('maskline.Tracer'),
  PgPool: Symbol.for('maskline.PgPool'),
  Redis: Symbol.for('maskline.Redis'),
  MessageRepository: Symbol.for('maskline.MessageRepository'),
  ApiKeyRepository: Symbol.for('maskline.ApiKeyRepository'),
  InboundRepository: Symbol.for('maskline.InboundRepository'),
  ReceiptRepository: Symbol.for('maskline.ReceiptRepository'),
  /** The process's message.status handoff (StatusWebhooks), shared by the status statements' repositories. */
  StatusWebhooks: Symbol.for('maskline.StatusWebhooks'),
  CarrierEvents: Symbol.for('maskline.CarrierEvents'),
  Queues: Symbol.for('maskline.Queues'),
  CarrierRegistry: Symbol.for('maskline.CarrierRegistry'),
  Vault: Symbol.for('maskline.Vault'),
} as const;
