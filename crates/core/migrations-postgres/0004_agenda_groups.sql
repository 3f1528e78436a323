-- The two facts the grouped agenda is computed from, as the file's
-- migrations/0004_agenda_groups.sql (read it for why).
ALTER TABLE review_items ADD COLUMN application_key TEXT;
ALTER TABLE review_items ADD COLUMN decided_with TEXT;
