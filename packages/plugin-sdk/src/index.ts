/**
 * The carrier plugin SDK. A plugin package depends on this package only: it re-exports
 * the contract from @maskline/core and adds what a plugin author needs beside it.
 */
export {
  type CallbackContext,
  type CarrierAnswer,
  type CarrierCallbackAnswer,
  type CarrierCallbackRequest,
  type CarrierCallbackRoute,
  type CarrierCallbackVerdict,
  type CarrierCapabilities,
  type CarrierEvent,
  type CarrierEventSink,
  type CarrierHealth,
  type CarrierHealthStatus,
  type CarrierPlugin,
  type CarrierPluginDefinition,
  type CarrierProtocol,
  type CarrierSecretSpec,
  type Clock,
  carrierAnswerDetails,
  defineCarrierPlugin,
  type ErrorCode,
  type InboundEvent,
  type Logger,
  MasklineError,
  type PluginContext,
  type PluginHttpClient,
  type PluginHttpRequest,
  type PluginHttpResponse,
  RECEIPT_OUTCOMES,
  type ReceiptEvent,
  type ReceiptOutcome,
  type SubmitOptions,
  type SubmitRequest,
  type SubmitResult,
} from '@maskline/core';
export { createPluginHttpClient, type PluginHttpClientOptions } from './http-client.js';
