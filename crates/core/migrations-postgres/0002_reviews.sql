-- Sprint threat reviews on PostgreSQL: the tables of the file's migrations/0002_reviews.sql
-- (read it for why they look as they do). A closed review is frozen by triggers here too;
-- PostgreSQL's triggers call a function, and RAISE EXCEPTION aborts the statement as SQLite's
-- RAISE(ABORT) does, with the same messages. Columns the store sorts by are `COLLATE "C"`, as
-- in 0001.

CREATE TABLE reviews (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id),
    sprint         TEXT NOT NULL,
    seq            BIGINT NOT NULL CHECK (seq >= 1),
    state          TEXT NOT NULL CHECK (state IN ('open', 'closed')),
    participants   TEXT NOT NULL DEFAULT '[]',
    notes          TEXT NOT NULL DEFAULT '',
    opened_by      TEXT NOT NULL,
    opened_at      TEXT NOT NULL,
    closed_by      TEXT,
    closed_at      TEXT,
    previous_id    TEXT REFERENCES reviews (id),
    UNIQUE (application_id, seq),
    CHECK ((state = 'closed') = (closed_at IS NOT NULL))
);

CREATE UNIQUE INDEX reviews_one_open ON reviews (application_id) WHERE state = 'open';

CREATE TABLE review_models (
    review_id   TEXT NOT NULL REFERENCES reviews (id),
    model_id    TEXT NOT NULL REFERENCES models (id),
    revision_id TEXT NOT NULL REFERENCES revisions (id),
    PRIMARY KEY (review_id, model_id)
);

CREATE TABLE review_threats (
    review_id   TEXT NOT NULL REFERENCES reviews (id),
    model_id    TEXT COLLATE "C" NOT NULL REFERENCES models (id),
    threat_key  TEXT COLLATE "C" NOT NULL,
    title       TEXT NOT NULL,
    severity    TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    fingerprint TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('open', 'needs_investigation', 'mitigated',
                                                'accepted', 'not_applicable', 'transferred')),
    PRIMARY KEY (review_id, model_id, threat_key)
);

CREATE TABLE review_items (
    review_id     TEXT NOT NULL REFERENCES reviews (id),
    model_id      TEXT NOT NULL REFERENCES models (id),
    threat_key    TEXT NOT NULL,
    title         TEXT NOT NULL,
    severity      TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    status_before TEXT,
    reasons       TEXT NOT NULL,
    status        TEXT CHECK (status IN ('open', 'needs_investigation', 'mitigated',
                                         'accepted', 'not_applicable', 'transferred')),
    justification TEXT NOT NULL DEFAULT '',
    owner         TEXT NOT NULL DEFAULT '',
    due_sprint    TEXT NOT NULL DEFAULT '',
    ticket        TEXT NOT NULL DEFAULT '',
    decided_by    TEXT,
    decided_at    TEXT,
    PRIMARY KEY (review_id, model_id, threat_key)
);

CREATE INDEX triage_history_by_review ON triage_history (review_id);

-- Inserting or changing an agenda row of a closed review (OLD's review for an update, as in
-- SQLite's trigger).
CREATE FUNCTION review_items_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT state FROM reviews
        WHERE id = CASE WHEN TG_OP = 'UPDATE' THEN OLD.review_id ELSE NEW.review_id END) = 'closed' THEN
        RAISE EXCEPTION 'the review is closed; its decisions are frozen';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER review_items_frozen
BEFORE INSERT OR UPDATE ON review_items
FOR EACH ROW EXECUTE FUNCTION review_items_frozen();

CREATE FUNCTION review_threats_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT state FROM reviews WHERE id = OLD.review_id) = 'closed' THEN
        RAISE EXCEPTION 'the review is closed; its snapshot is frozen';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER review_threats_frozen
BEFORE UPDATE ON review_threats
FOR EACH ROW EXECUTE FUNCTION review_threats_frozen();

CREATE FUNCTION reviews_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the review is closed; its record is frozen';
END
$$;

CREATE TRIGGER reviews_frozen
BEFORE UPDATE ON reviews
FOR EACH ROW WHEN (OLD.state = 'closed') EXECUTE FUNCTION reviews_frozen();
