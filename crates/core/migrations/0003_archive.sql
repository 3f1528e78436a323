-- Deleting a service from the desktop app archives it rather than dropping its rows.
--
-- Why it looks like this:
-- * Revisions, triage and review snapshots refer to the model; dropping it would either break
--   those references or silently lose history an auditor may need. An archived model keeps
--   everything and drops out of every list (`Store::models`), consolidation and reports.
-- * `UNIQUE (application_id, kind, name)` stays as it is: archiving renames the row to
--   "<name> (deleted <time>)", so the name is free for a new service and the archive is still
--   readable in a SQLite shell. Saving the archived model again (adding an exported copy of it
--   back) restores it under the name its document carries.
ALTER TABLE models ADD COLUMN archived_at TEXT;

DROP VIEW services;
CREATE VIEW services AS
    SELECT m.id, a.name AS application, m.name, m.head_revision, m.created_at
    FROM models m JOIN applications a ON a.id = m.application_id
    WHERE m.kind = 'service' AND m.archived_at IS NULL;
