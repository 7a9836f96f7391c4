import type { CarrierAnswer, Message, MessageStatus } from '@maskline/core';

/** Column list and row mapping shared by the message queries. */
export const MESSAGE_COLUMNS = `id, tenant_id, carrier_id, status, carrier_message_id, error_code, carrier_status_code,
  carrier_status_name, segments, created_at, updated_at, submitted_at, done_at`;

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
  };
}

function carrierAnswerOfRow(row: MessageRow): CarrierAnswer | null {
  if (row.carrier_status_code === null) return null;
  return row.carrier_status_name === null
    ? { code: row.carrier_status_code }
    : { code: row.carrier_status_code, name: row.carrier_status_name };
}
