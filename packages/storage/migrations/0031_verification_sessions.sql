-- A verification sent from a masked virtual number (docs/verifications.md#from-a-virtual-number)
-- names the masking session (mode `verification`) that holds that number for it: resends go
-- out from the same number, replies reach the tenant's webhook through the session, and the
-- session is released when the verification ends. Null for a verification sent from a sender
-- id or the tenant's own number. No foreign key: a session row may be purged by retention
-- before the verification row is.
ALTER TABLE verifications ADD COLUMN session_id uuid;
