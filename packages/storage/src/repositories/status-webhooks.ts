/**
 * How a process hands the `message.status` webhook deliveries its status statements create
 * to the `webhooks` queue after commit (docs/webhooks.md#messagestatus). Without one (or
 * when `enqueue` fails) the deliveries are due at once and the dispatcher's sweep sends them.
 */
export interface StatusWebhookHandoff {
  /** How long a delivery handed over waits for its job before the sweep claims it again. */
  leaseMs: number;
  /** Called after commit with the new delivery ids (never throws: the sweep is the fallback). */
  enqueue(deliveryIds: string[]): void;
}

/**
 * Where a process's status statements hand their new `message.status` deliveries after
 * commit: one per process, created at its composition root and given to the repositories
 * that run status statements (MessageRepository, ReceiptRepository). Until `handOffTo` is
 * called (or in a process without a webhooks queue) the deliveries are due at once and the
 * dispatcher's sweep sends them.
 */
export class StatusWebhooks {
  private handoff: StatusWebhookHandoff | null = null;

  /** From now on, new deliveries are claimed for the handoff's lease and given to it after commit. */
  handOffTo(handoff: StatusWebhookHandoff): void {
    this.handoff = handoff;
  }

  /** The lease to claim new deliveries with (0: leave them due for the sweep). */
  get leaseMs(): number {
    return this.handoff?.leaseMs ?? 0;
  }

  /**
   * After commit: passes the delivery ids of the statement's `hooks` row (if any) to the
   * handoff, and returns the statement's other rows.
   */
  pass<T extends StatusWebhookRow>(rows: readonly T[]): T[] {
    const deliveryIds = rows.flatMap((row) => row.delivery_ids ?? []);
    if (deliveryIds.length > 0) this.handoff?.enqueue(deliveryIds);
    return rows.filter((row) => !row.delivery_ids);
  }
}

/** The extra row a status statement returns: `delivery_ids` set, its other columns NULL. */
export interface StatusWebhookRow {
  delivery_ids?: string[] | null;
}

/**
 * The message columns a status statement's `source` CTE returns besides id, tenant_id,
 * status and error_code: the message's status callback (migration 0019), for RETURNING.
 */
export const STATUS_CALLBACK_COLUMNS = 'status_callback_endpoint, status_callback_url';

/**
 * The CTE (`hooks`, one row: `delivery_ids`) a status statement adds to emit message.status
 * for the rows its `source` CTE returns (columns id, tenant_id, status, error_code and
 * STATUS_CALLBACK_COLUMNS; plus the carrier's raw code as `carrierCode`, an expression over
 * those rows). `leaseParam` is the
 * statement's parameter holding StatusWebhooks.leaseMs. The
 * statement appends `UNION ALL SELECT NULL, ..., delivery_ids FROM hooks WHERE
 * cardinality(delivery_ids) > 0` (see StatusWebhooks.pass).
 */
export function statusWebhookCte(source: string, leaseParam: string, carrierCode = 'NULL::text'): string {
  return `hooks AS (
       SELECT webhook_message_status(array_agg(id), array_agg(tenant_id), array_agg(status::text),
              array_agg(error_code::text), array_agg(${carrierCode}),
              array_agg(status_callback_endpoint), array_agg(status_callback_url),
              ${leaseParam}::int) AS delivery_ids
       FROM ${source}
     )`;
}
