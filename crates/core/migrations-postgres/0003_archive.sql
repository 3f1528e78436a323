-- Archiving a deleted service instead of dropping its rows, as the file's
-- migrations/0003_archive.sql (read it for why).
ALTER TABLE models ADD COLUMN archived_at TEXT;

CREATE OR REPLACE VIEW services AS
    SELECT m.id, a.name AS application, m.name, m.head_revision, m.created_at
    FROM models m JOIN applications a ON a.id = m.application_id
    WHERE m.kind = 'service' AND m.archived_at IS NULL;
