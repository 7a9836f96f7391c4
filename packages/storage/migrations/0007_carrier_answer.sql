-- The carrier's own answer to the last failed submit of a message (e.g. SMPP command_status
-- "0x00000045" / "ESME_RSUBMITFAIL"), kept beside error_code so a final error says what the
-- carrier said. Written when a submit attempt fails with an answer and with the final
-- status; never a number, body or code.
ALTER TABLE messages
  ADD COLUMN carrier_status_code text,
  ADD COLUMN carrier_status_name text;
