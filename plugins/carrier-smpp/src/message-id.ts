/**
 * Carrier message ids as Maskline stores and matches them. SMSCs are inconsistent: the
 * receipt may write the id of submit_sm_resp with other case, with leading zeros, or in
 * another radix (hex in the response, decimal in the receipt, or the reverse). Both sides
 * are brought to one canonical form before they leave the plugin, so the host matches
 * them with a plain equality.
 */
export const RECEIPT_ID_RADIX = ['same', 'decimal-in-receipt', 'hex-in-receipt'] as const;
export type ReceiptIdRadix = (typeof RECEIPT_ID_RADIX)[number];

/** Lower case, leading zeros dropped ("000A1" → "a1", "000" → "0"). */
export function canonicalMessageId(id: string): string {
  const lower = id.trim().toLowerCase();
  const stripped = lower.replace(/^0+/, '');
  return stripped === '' && lower !== '' ? '0' : stripped;
}

/**
 * A receipt's id, written the way this carrier's submit_sm_resp writes ids, canonical.
 * `decimal-in-receipt`: responses give hex, receipts decimal; `hex-in-receipt`: the
 * reverse. An id that does not parse in the expected radix is kept as it is (canonical).
 */
export function receiptIdInSubmitForm(id: string, radix: ReceiptIdRadix): string {
  const canonical = canonicalMessageId(id);
  if (radix === 'decimal-in-receipt' && /^\d+$/.test(canonical)) return BigInt(canonical).toString(16);
  if (radix === 'hex-in-receipt' && /^[0-9a-f]+$/.test(canonical))
    return BigInt(`0x${canonical}`).toString(10);
  return canonical;
}
