-- The ingest adds one deliver job per insert batch (job id = a fresh uuidv7, the batch id)
-- instead of one per message. Each row names its batch job, written by the same INSERT
-- (no extra statement), so the reconciler can ask Redis whether the job covering a pending
-- message still exists. NULL for messages enqueued alone (job id = message id).
-- Existing grants cover the new column (table-level grants of 0002).
ALTER TABLE messages ADD COLUMN delivery_job_id uuid;
