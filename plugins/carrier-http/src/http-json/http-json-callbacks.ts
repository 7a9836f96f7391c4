import { createHmac } from 'node:crypto';
import {
  type CallbackContext,
  type CarrierCallbackRequest,
  type CarrierCallbackRoute,
  MasklineError,
  type ReceiptEvent,
} from '@maskline/plugin-sdk';
import { textAt } from '../json-pointer.js';
import { sameSignature } from '../timing-safe.js';
import type { HttpJsonConfig } from './http-json-config.js';

type ReceiptMapping = NonNullable<HttpJsonConfig['receipts']>;

/** The receipt route of a provider that POSTs JSON receipts; none when `receipts` is not set. */
export function httpJsonCallbacks(ctx: CallbackContext, config: HttpJsonConfig): CarrierCallbackRoute[] {
  const mapping = config.receipts;
  if (!mapping) return [];
  const signature = mapping.signature;
  const key = ctx.secrets.signingKey;
  if (signature !== 'none' && !key) {
    throw new MasklineError('config_invalid', {
      message: `Carrier ${ctx.carrierId}: receipts.signature needs the "signingKey" secret.`,
    });
  }
  return [
    {
      method: 'POST',
      path: mapping.path,
      verify: (request) => ({
        valid:
          signature === 'none' ||
          sameSignature(
            signature.prefix +
              createHmac('sha256', key ?? '')
                .update(request.rawBody)
                .digest(signature.encoding),
            request.headers[signature.header],
          ),
      }),
      parse: (request) => [parseReceipt(mapping, request)],
    },
  ];
}

export function parseReceipt(mapping: ReceiptMapping, request: CarrierCallbackRequest): ReceiptEvent {
  const document = JSON.parse(request.rawBody.toString('utf8')) as unknown;
  const id = textAt(document, mapping.idPointer);
  const status = textAt(document, mapping.statusPointer);
  if (!id || !status) throw new Error('receipt without an id or status at the configured pointers');
  const errorCode =
    mapping.errorCodePointer === undefined ? undefined : textAt(document, mapping.errorCodePointer);
  return {
    type: 'receipt',
    carrierMessageId: id,
    outcome: mapping.outcomes[status] ?? 'unknown',
    carrierStatus: status.slice(0, 64),
    ...(errorCode ? { networkErrorCode: errorCode.slice(0, 64) } : {}),
  };
}
