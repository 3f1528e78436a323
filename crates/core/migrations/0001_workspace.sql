-- The first workspace schema: applications, their models with every revision, and triage.
--
-- Why it looks like this:
-- * Ids are UUID text, the same ids the model documents carry, so an exported file and the
--   workspace row name the same thing and a later import can find its lineage.
-- * Tables are STRICT: a wrong type is an error at write time, never silently stored.
-- * Times are RFC 3339 UTC text (sortable as text, readable in any SQLite shell).
-- * The file is identified twice: by `PRAGMA application_id` (set by the code that creates
--   the file, readable from the header without opening the database) and by the `meta` table
--   (workspace id and schema version, readable with plain SQL).

-- Key/value facts about the file itself: `format` = 'stridewise-workspace', `workspace_id`
-- (a UUID shared by copies of the file), `schema_version` (the newest migration applied),
-- `created_at`.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE applications (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
) STRICT;

-- One row per model: a service's model (kind 'service', drawn by its team) or the
-- application's consolidated model (kind 'application'). Kept in one table so that revisions,
-- history and lineage work the same for both.
--
-- `head_revision` is the revision a save must be based on. Keeping it here, rather than
-- computing "the revision nobody descends from", makes the stale-base check one indexed read
-- inside the writing transaction. It is NULL only between the insert of a new model and the
-- insert of its first revision, in the same transaction.
CREATE TABLE models (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id),
    kind           TEXT NOT NULL CHECK (kind IN ('service', 'application')),
    name           TEXT NOT NULL,
    head_revision  TEXT REFERENCES revisions (id),
    created_at     TEXT NOT NULL,
    UNIQUE (application_id, kind, name)
) STRICT;

-- The services of each application, for people reading the file with a SQLite shell.
CREATE VIEW services AS
    SELECT m.id, a.name AS application, m.name, m.head_revision, m.created_at
    FROM models m JOIN applications a ON a.id = m.application_id
    WHERE m.kind = 'service';

-- An application has at most one consolidated model.
CREATE UNIQUE INDEX models_one_application_model
    ON models (application_id) WHERE kind = 'application';

-- Every saved version of a model. `document` is the model's canonical JSON text (sorted
-- collections, so equal models give equal text) without its `triage` map and `lineage`:
-- triage lives in its own tables, and lineage is computed on export. `content_hash` is the
-- SHA-256 of `document`: saving an unchanged model is recognised by it (no new revision), and
-- `workspace verify` re-hashes every document to prove it is whole.
-- `seq` numbers a model's revisions 1, 2, 3... for people; the UUID is what files carry.
CREATE TABLE revisions (
    id           TEXT PRIMARY KEY,
    model_id     TEXT NOT NULL REFERENCES models (id),
    seq          INTEGER NOT NULL CHECK (seq >= 1),
    author       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    message      TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    document     TEXT NOT NULL,
    UNIQUE (model_id, seq)
) STRICT;

-- The parents of a revision: none for the first, one for an ordinary save, two for a merge.
-- A join table rather than a column so that a merge keeps both of its ancestors.
CREATE TABLE revision_parents (
    revision_id TEXT NOT NULL REFERENCES revisions (id),
    parent_id   TEXT NOT NULL REFERENCES revisions (id),
    position    INTEGER NOT NULL CHECK (position >= 0),
    PRIMARY KEY (revision_id, position),
    UNIQUE (revision_id, parent_id)
) STRICT;

CREATE INDEX revision_parents_by_parent ON revision_parents (parent_id);

-- The decision about one threat, keyed by the scope (a service model or an application) and
-- the stable threat key, so that it survives re-analysis.
--
-- Exactly one of `service_id` and `application_id` is set; two columns instead of one
-- untyped "scope id" so that both keep a real foreign key.
--
-- `obsolete` is a flag beside `status`, not a status: when a rule stops firing the decision is
-- kept as it was, and when the rule fires again the flag is cleared and the decision is back.
CREATE TABLE triage (
    id                INTEGER PRIMARY KEY,
    service_id        TEXT REFERENCES models (id),
    application_id    TEXT REFERENCES applications (id),
    threat_key        TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('open', 'needs_investigation', 'mitigated',
                                                      'accepted', 'not_applicable', 'transferred')),
    obsolete          INTEGER NOT NULL DEFAULT 0 CHECK (obsolete IN (0, 1)),
    justification     TEXT NOT NULL DEFAULT '',
    owner             TEXT NOT NULL DEFAULT '',
    ticket            TEXT NOT NULL DEFAULT '',
    severity_override TEXT CHECK (severity_override IN ('low', 'medium', 'high', 'critical')),
    due_sprint        TEXT NOT NULL DEFAULT '',
    decided_by        TEXT NOT NULL DEFAULT '',
    decided_at        TEXT NOT NULL DEFAULT '',
    CHECK ((service_id IS NULL) <> (application_id IS NULL))
) STRICT;

CREATE UNIQUE INDEX triage_service_key ON triage (service_id, threat_key)
    WHERE service_id IS NOT NULL;
CREATE UNIQUE INDEX triage_application_key ON triage (application_id, threat_key)
    WHERE application_id IS NOT NULL;

-- The status of each threat-mitigation link, by the catalog's mitigation id.
CREATE TABLE triage_mitigations (
    triage_id     INTEGER NOT NULL REFERENCES triage (id),
    mitigation_id TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('proposed', 'in_progress', 'implemented',
                                                  'will_not_implement')),
    PRIMARY KEY (triage_id, mitigation_id)
) STRICT;

-- Every change to a triage row, never updated or deleted: who, when, what kind of change, and
-- the whole state before and after as JSON (a `TriageDecision` plus the obsolete flag), so
-- that new fields need no new history columns.
-- `review_id` links a change to the sprint review that decided it; reviews come later, so it
-- has no foreign key yet.
CREATE TABLE triage_history (
    id         INTEGER PRIMARY KEY,
    triage_id  INTEGER NOT NULL REFERENCES triage (id),
    change     TEXT NOT NULL CHECK (change IN ('decided', 'obsoleted', 'restored', 'imported')),
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    old_state  TEXT,
    new_state  TEXT NOT NULL,
    review_id  TEXT
) STRICT;

CREATE INDEX triage_history_by_triage ON triage_history (triage_id);
