-- Receipts travel to the receipt processor in batches: one carrier-events job per batch of
-- receipt ids, whose job id is a fresh uuid, so the job id no longer names the receipt. The
-- batch's job id is written on each receipt row by the same INSERT that stores it (no extra
-- write), so the sweep can ask Redis whether that job still exists instead of re-adding every
-- old unprocessed receipt. NULL for rows stored before this migration (and for receipts
-- whose job id is the receipt id: restores and unmatched retries).
-- Adding a nullable column without a default rewrites nothing; maskline_app's table grants cover it.
ALTER TABLE receipts ADD COLUMN job_id uuid;
