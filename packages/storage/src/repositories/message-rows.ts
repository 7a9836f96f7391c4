import type { CarrierAnswer, Message, MessageStatus } from '@maskline/core';

/** Column list and row mapping shared by the message queries. */
export const MESSAGE_COLUMNS = `id, tenant_id, carrier_id, status, carrier_message_id, error_code, carrier_status_code,
  carrier_status_name, segments, created_at, updated_at, submitted_at, done_at, kind, route_id, price_micros, price_currency,
  client_reference, sandbox`;

export interface MessageRow {
  id: string;
  tenant_id: string;
  carrier_id: string;
  status: MessageStatus;
  carrier_message_id: string | null;
  error_code: string | null;
  carrier_status_code: string | null;
  carrier_status_name: string | null;
  segments: number;
  created_at: Date;
  updated_at: Date;
  submitted_at: Date | null;
  done_at: Date | null;
  kind: string | null;
  route_id: string | null;
  price_micros: string | null;
  price_currency: string | null;
  client_reference: string | null;
  sandbox: boolean;
}

export function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    carrierId: row.carrier_id,
    status: row.status,
    carrierMessageId: row.carrier_message_id,
    errorCode: row.error_code,
    carrierStatus: carrierAnswerOfRow(row),
    segments: row.segments,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    submittedAt: row.submitted_at,
    doneAt: row.done_at,
    kind: row.kind,
    route: row.route_id === null ? null : { id: row.route_id, price: priceOfRow(row) },
    clientReference: row.client_reference ?? null,
    ...(row.sandbox ? { sandbox: true } : {}),
  };
}

function carrierAnswerOfRow(row: MessageRow): CarrierAnswer | null {
  if (row.carrier_status_code === null) return null;
  return row.carrier_status_name === null
    ? { code: row.carrier_status_code }
    : { code: row.carrier_status_code, name: row.carrier_status_name };
}

function priceOfRow(row: MessageRow): { micros: number; currency: string } | null {
  if (row.price_micros === null || row.price_currency === null) return null;
  return { micros: Number(row.price_micros), currency: row.price_currency };
}
