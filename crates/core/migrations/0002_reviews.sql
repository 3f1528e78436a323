-- Sprint threat reviews: the meeting where a team walks through what changed in its threat
-- model since the last review and decides about each item.
--
-- Why it looks like this:
-- * A review belongs to one application; its scope is the services it looked at, each with
--   the revision it saw (`review_models`), so a report can always name the exact models.
-- * `review_threats` is the snapshot of every threat the review saw (key, title, severity,
--   fingerprint of what the threat is about). The next review's agenda compares against the
--   snapshot of the last closed review: a key not in it is new, a different fingerprint is a
--   change, a snapshot key that no longer fires is obsolete. `status` is the triage status
--   at the time: when the review started, then frozen again when it closes, so the trend of
--   open threats across reviews reads from the snapshots alone.
-- * `review_items` is the agenda with its decisions. Reasons are a comma-separated list of
--   `AgendaReason` names (a short closed set; a join table would add nothing).
-- * A closed review is frozen: triggers refuse changes to its items, snapshot and scope, so
--   even a hand-written UPDATE cannot rewrite what a review decided.
-- * At most one open review per application, so "the open review" needs no id on the CLI.
-- * `triage_history.review_id` (added by 0001 without a foreign key, since reviews did not
--   exist yet) cannot get a foreign key in place in SQLite (it would mean rebuilding the
--   store's table). Review decisions are the only writer of it (`Store::decide_review_item`
--   passes the id of a review it just read), and an index finds the decisions of one review.
--   A checking trigger was tried and dropped: the store's own tests link history to review
--   ids that are labels, not rows.

CREATE TABLE reviews (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id),
    sprint         TEXT NOT NULL,
    -- 1, 2, 3... per application, in the order reviews were started, for people.
    seq            INTEGER NOT NULL CHECK (seq >= 1),
    state          TEXT NOT NULL CHECK (state IN ('open', 'closed')),
    -- JSON array of names.
    participants   TEXT NOT NULL DEFAULT '[]',
    notes          TEXT NOT NULL DEFAULT '',
    opened_by      TEXT NOT NULL,
    opened_at      TEXT NOT NULL,
    closed_by      TEXT,
    closed_at      TEXT,
    -- The review this one's agenda was compared against (the last closed one), if any.
    previous_id    TEXT REFERENCES reviews (id),
    UNIQUE (application_id, seq),
    CHECK ((state = 'closed') = (closed_at IS NOT NULL))
) STRICT;

CREATE UNIQUE INDEX reviews_one_open ON reviews (application_id) WHERE state = 'open';

-- The service models a review looked at and the revision of each.
CREATE TABLE review_models (
    review_id   TEXT NOT NULL REFERENCES reviews (id),
    model_id    TEXT NOT NULL REFERENCES models (id),
    revision_id TEXT NOT NULL REFERENCES revisions (id),
    PRIMARY KEY (review_id, model_id)
) STRICT;

CREATE TABLE review_threats (
    review_id   TEXT NOT NULL REFERENCES reviews (id),
    model_id    TEXT NOT NULL REFERENCES models (id),
    threat_key  TEXT NOT NULL,
    title       TEXT NOT NULL,
    severity    TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    fingerprint TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('open', 'needs_investigation', 'mitigated',
                                                'accepted', 'not_applicable', 'transferred')),
    PRIMARY KEY (review_id, model_id, threat_key)
) STRICT;

CREATE TABLE review_items (
    review_id     TEXT NOT NULL REFERENCES reviews (id),
    model_id      TEXT NOT NULL REFERENCES models (id),
    threat_key    TEXT NOT NULL,
    title         TEXT NOT NULL,
    severity      TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    -- The triage status when the agenda was built; NULL for an obsolete threat.
    status_before TEXT,
    reasons       TEXT NOT NULL,
    -- The decision, once taken (NULL until then).
    status        TEXT CHECK (status IN ('open', 'needs_investigation', 'mitigated',
                                         'accepted', 'not_applicable', 'transferred')),
    justification TEXT NOT NULL DEFAULT '',
    owner         TEXT NOT NULL DEFAULT '',
    due_sprint    TEXT NOT NULL DEFAULT '',
    ticket        TEXT NOT NULL DEFAULT '',
    decided_by    TEXT,
    decided_at    TEXT,
    PRIMARY KEY (review_id, model_id, threat_key)
) STRICT;

CREATE INDEX triage_history_by_review ON triage_history (review_id);

CREATE TRIGGER review_items_frozen
BEFORE UPDATE ON review_items
WHEN (SELECT state FROM reviews WHERE id = OLD.review_id) = 'closed'
BEGIN
    SELECT RAISE(ABORT, 'the review is closed; its decisions are frozen');
END;

CREATE TRIGGER review_items_frozen_insert
BEFORE INSERT ON review_items
WHEN (SELECT state FROM reviews WHERE id = NEW.review_id) = 'closed'
BEGIN
    SELECT RAISE(ABORT, 'the review is closed; its decisions are frozen');
END;

CREATE TRIGGER review_threats_frozen
BEFORE UPDATE ON review_threats
WHEN (SELECT state FROM reviews WHERE id = OLD.review_id) = 'closed'
BEGIN
    SELECT RAISE(ABORT, 'the review is closed; its snapshot is frozen');
END;

CREATE TRIGGER reviews_frozen
BEFORE UPDATE ON reviews
WHEN OLD.state = 'closed'
BEGIN
    SELECT RAISE(ABORT, 'the review is closed; its record is frozen');
END;
