-- The reconciler's scan walks pending messages by id (keyset paging) and no longer pushes
-- their updated_at forward, so its index names no column that updates change: an index on
-- updated_at had every update of a message write an index entry (no HOT update), and the
-- old scan needed a touch (one UPDATE per pending message per pass) to make progress.
-- New messages are inserted `queued` directly (no accepted -> queued UPDATE).
DROP INDEX IF EXISTS messages_pending;
CREATE INDEX messages_pending ON messages (id) WHERE status IN ('accepted', 'queued');
