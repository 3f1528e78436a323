-- Who did what, and who may do what, on a server workspace: enforced by PostgreSQL itself, so
-- that no client (an old Stridewise, psql, a script) can write as someone else or write what
-- its role may not. docs/workspace.md shows how an administrator sets up the roles.
--
-- * Authors are the database role. Triggers set every "who" column to `current_user`: a
--   revision's author, a triage decision's `decided_by` and its history's `changed_by`, who
--   opened and who closed a review, who decided a review item. Whatever the client sends is
--   replaced. The one exception is `stridewise workspace copy` run by the owner of the tables
--   (see `stridewise_copying`): a copy keeps the authors it copies.
-- * The administrator is the role that owns the tables (the one that ran `workspace init` or
--   `workspace copy`): it may do everything, and gives the others their rights with
--   `SELECT stridewise_grant(role, kind)` (kinds below). A role granted 'admin' may also write
--   everything (not change the schema or grant).
-- * 'reader': reads everything, writes nothing.
-- * 'team': reads everything; writes only the services mapped to it in `team_services`
--   (by application and service name, so a team can create its service): their models,
--   revisions, parents, Terraform imports, and the triage of those services.
-- * 'reviewer' (security reviewers): reads everything; triages any threat (services and
--   applications), runs reviews and saves applications' consolidated models; saves no
--   service.
-- Table privileges (GRANT) say which tables a role may write at all; row-level security says
-- which rows. A refused write is SQLSTATE 42501 naming the table; the store reports it as
-- `access_denied`.
--
-- Role names are cluster-wide and belong to the server's administrator, so this migration
-- creates no role: `stridewise_grant` names roles created beforehand (CREATE ROLE), and a
-- role may be a group whose members log in as themselves (pg_has_role: membership counts),
-- so a person's own login name is the recorded author.

-- The kind of each role given rights with stridewise_grant.
CREATE TABLE workspace_roles (
    role_name TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('reader', 'team', 'reviewer', 'admin')),
    PRIMARY KEY (role_name, kind)
);

-- The services a team role may write, by application and service name.
CREATE TABLE team_services (
    role_name   TEXT NOT NULL,
    application TEXT NOT NULL,
    service     TEXT NOT NULL,
    PRIMARY KEY (role_name, application, service)
);

-- Whether the current role is (a member of) a role given `kind`.
CREATE FUNCTION stridewise_is(want TEXT) RETURNS BOOLEAN LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1 FROM workspace_roles w JOIN pg_roles r ON r.rolname = w.role_name
        WHERE w.kind = want AND pg_has_role(current_user, r.oid, 'MEMBER'))
$$;

-- Whether the current role may write the model `service_name` of kind `model_kind` in
-- application `app_id`: its team's service, or (for a reviewer) an application's
-- consolidated model.
CREATE FUNCTION stridewise_owns(app_id TEXT, model_kind TEXT, service_name TEXT)
RETURNS BOOLEAN LANGUAGE sql STABLE AS $$
    SELECT stridewise_is('admin')
        OR (model_kind = 'application' AND stridewise_is('reviewer'))
        OR (model_kind = 'service' AND EXISTS (
        SELECT 1 FROM team_services t
        JOIN applications a ON a.name = t.application
        JOIN pg_roles r ON r.rolname = t.role_name
        WHERE a.id = app_id AND t.service = service_name
          AND pg_has_role(current_user, r.oid, 'MEMBER')))
$$;

CREATE FUNCTION stridewise_owns_model(model TEXT) RETURNS BOOLEAN LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM models m
                   WHERE m.id = model AND stridewise_owns(m.application_id, m.kind, m.name))
$$;

-- Whether this statement is part of a copy by the owner of `rel`, which keeps the authors
-- it copies (`SET LOCAL stridewise.copy = 'on'`: anyone may set it, only the owner counts).
CREATE FUNCTION stridewise_copying(rel OID) RETURNS BOOLEAN LANGUAGE sql STABLE AS $$
    SELECT coalesce(current_setting('stridewise.copy', true), '') = 'on'
       AND pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = rel), 'MEMBER')
$$;

CREATE FUNCTION stridewise_author() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF stridewise_copying(TG_RELID) THEN
        RETURN NEW;
    END IF;
    IF TG_TABLE_NAME = 'revisions' THEN
        NEW.author := current_user;
    ELSIF TG_TABLE_NAME = 'triage_history' THEN
        NEW.changed_by := current_user;
    ELSIF TG_TABLE_NAME = 'triage' THEN
        -- A new decision (not an obsolete flag flipped by a re-analysis) is the role's.
        IF TG_OP = 'INSERT' OR NEW.decided_at IS DISTINCT FROM OLD.decided_at THEN
            NEW.decided_by := current_user;
        END IF;
    ELSIF TG_TABLE_NAME = 'reviews' THEN
        IF TG_OP = 'INSERT' THEN
            NEW.opened_by := current_user;
        ELSIF NEW.state = 'closed' AND OLD.state = 'open' THEN
            NEW.closed_by := current_user;
        END IF;
    ELSIF TG_TABLE_NAME = 'review_items' THEN
        IF NEW.decided_at IS DISTINCT FROM OLD.decided_at THEN
            NEW.decided_by := current_user;
        END IF;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER revisions_author BEFORE INSERT ON revisions
FOR EACH ROW EXECUTE FUNCTION stridewise_author();
CREATE TRIGGER triage_history_author BEFORE INSERT ON triage_history
FOR EACH ROW EXECUTE FUNCTION stridewise_author();
CREATE TRIGGER triage_author BEFORE INSERT OR UPDATE ON triage
FOR EACH ROW EXECUTE FUNCTION stridewise_author();
CREATE TRIGGER reviews_author BEFORE INSERT OR UPDATE ON reviews
FOR EACH ROW EXECUTE FUNCTION stridewise_author();
CREATE TRIGGER review_items_author BEFORE UPDATE ON review_items
FOR EACH ROW EXECUTE FUNCTION stridewise_author();

-- Row-level security: everyone with SELECT reads every row; writes are checked per row. The
-- owner of the tables is not subject to it (the administrator).
ALTER TABLE applications ENABLE ROW LEVEL SECURITY;
ALTER TABLE models ENABLE ROW LEVEL SECURITY;
ALTER TABLE revisions ENABLE ROW LEVEL SECURITY;
ALTER TABLE revision_parents ENABLE ROW LEVEL SECURITY;
ALTER TABLE terraform_imports ENABLE ROW LEVEL SECURITY;
ALTER TABLE triage ENABLE ROW LEVEL SECURITY;
ALTER TABLE triage_mitigations ENABLE ROW LEVEL SECURITY;
ALTER TABLE triage_history ENABLE ROW LEVEL SECURITY;

CREATE POLICY read ON applications FOR SELECT USING (true);
CREATE POLICY read ON models FOR SELECT USING (true);
CREATE POLICY read ON revisions FOR SELECT USING (true);
CREATE POLICY read ON revision_parents FOR SELECT USING (true);
CREATE POLICY read ON terraform_imports FOR SELECT USING (true);
CREATE POLICY read ON triage FOR SELECT USING (true);
CREATE POLICY read ON triage_mitigations FOR SELECT USING (true);
CREATE POLICY read ON triage_history FOR SELECT USING (true);

-- A team creates the application its services are mapped to.
CREATE POLICY team_creates ON applications FOR INSERT WITH CHECK (
    stridewise_is('admin') OR EXISTS (
        SELECT 1 FROM team_services t JOIN pg_roles r ON r.rolname = t.role_name
        WHERE t.application = applications.name AND pg_has_role(current_user, r.oid, 'MEMBER')));

CREATE POLICY owner_inserts ON models FOR INSERT
    WITH CHECK (stridewise_owns(application_id, kind, name));
CREATE POLICY owner_updates ON models FOR UPDATE
    USING (stridewise_owns(application_id, kind, name))
    WITH CHECK (stridewise_owns(application_id, kind, name));
CREATE POLICY owner_inserts ON revisions FOR INSERT
    WITH CHECK (stridewise_owns_model(model_id));
CREATE POLICY owner_inserts ON revision_parents FOR INSERT WITH CHECK (
    EXISTS (SELECT 1 FROM revisions v WHERE v.id = revision_id AND stridewise_owns_model(v.model_id)));
CREATE POLICY owner_writes ON terraform_imports FOR ALL
    USING (stridewise_owns_model(model_id)) WITH CHECK (stridewise_owns_model(model_id));

-- Triage: a reviewer (or admin) any threat; a team the threats of its own services.
CREATE FUNCTION stridewise_may_triage(service TEXT) RETURNS BOOLEAN LANGUAGE sql STABLE AS $$
    SELECT stridewise_is('reviewer') OR stridewise_is('admin')
        OR (service IS NOT NULL AND stridewise_owns_model(service))
$$;
CREATE POLICY triage_writes ON triage FOR INSERT WITH CHECK (stridewise_may_triage(service_id));
CREATE POLICY triage_updates ON triage FOR UPDATE
    USING (stridewise_may_triage(service_id)) WITH CHECK (stridewise_may_triage(service_id));
CREATE POLICY triage_writes ON triage_mitigations FOR ALL
    USING (EXISTS (SELECT 1 FROM triage t WHERE t.id = triage_id AND stridewise_may_triage(t.service_id)))
    WITH CHECK (EXISTS (SELECT 1 FROM triage t WHERE t.id = triage_id AND stridewise_may_triage(t.service_id)));
CREATE POLICY triage_writes ON triage_history FOR INSERT WITH CHECK (
    EXISTS (SELECT 1 FROM triage t WHERE t.id = triage_id AND stridewise_may_triage(t.service_id)));

-- Gives `role` (created beforehand) the rights of `kind`; for 'team', also the services it
-- may write, as 'application/service' names. Run by the owner of the tables. Granting again
-- adds; `stridewise_revoke` takes everything back.
CREATE FUNCTION stridewise_grant(role TEXT, kind TEXT, services TEXT[] DEFAULT '{}')
RETURNS VOID LANGUAGE plpgsql AS $$
DECLARE
    schema TEXT := current_schema();
    service TEXT;
BEGIN
    IF kind NOT IN ('reader', 'team', 'reviewer', 'admin') THEN
        RAISE EXCEPTION 'unknown kind of role ''%'': use reader, team, reviewer or admin', kind
            USING ERRCODE = '22023';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role) THEN
        RAISE EXCEPTION 'no role ''%'' on this server: create it first (CREATE ROLE)', role
            USING ERRCODE = '42704';
    END IF;
    IF kind = 'team' AND coalesce(array_length(services, 1), 0) = 0 THEN
        RAISE EXCEPTION 'a team role needs the services it may write, as ''application/service'''
            USING ERRCODE = '22023';
    END IF;
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', schema, role);
    EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO %I', schema, role);
    IF kind IN ('team', 'reviewer', 'admin') THEN
        EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA %I TO %I', schema, role);
        EXECUTE format('GRANT INSERT, UPDATE ON triage, triage_history TO %I', role);
        EXECUTE format('GRANT INSERT, UPDATE, DELETE ON triage_mitigations TO %I', role);
    END IF;
    IF kind IN ('team', 'reviewer', 'admin') THEN
        -- Which models each may write is row-level security's (stridewise_owns).
        EXECUTE format('GRANT INSERT ON revisions, revision_parents TO %I', role);
        EXECUTE format('GRANT INSERT, UPDATE ON models TO %I', role);
    END IF;
    IF kind IN ('team', 'admin') THEN
        EXECUTE format('GRANT INSERT ON applications TO %I', role);
        EXECUTE format('GRANT INSERT, UPDATE ON terraform_imports TO %I', role);
    END IF;
    IF kind IN ('reviewer', 'admin') THEN
        EXECUTE format('GRANT INSERT, UPDATE ON reviews, review_models, review_threats, review_items TO %I', role);
    END IF;
    INSERT INTO workspace_roles (role_name, kind) VALUES (role, kind) ON CONFLICT DO NOTHING;
    FOREACH service IN ARRAY services LOOP
        IF position('/' IN service) = 0 THEN
            RAISE EXCEPTION 'service ''%'' must be named as ''application/service''', service
                USING ERRCODE = '22023';
        END IF;
        INSERT INTO team_services (role_name, application, service)
        VALUES (role, split_part(service, '/', 1), substr(service, position('/' IN service) + 1))
        ON CONFLICT DO NOTHING;
    END LOOP;
END
$$;

-- Takes back every right stridewise_grant gave `role` in this workspace.
CREATE FUNCTION stridewise_revoke(role TEXT) RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM %I', current_schema(), role);
    EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM %I', current_schema(), role);
    DELETE FROM workspace_roles WHERE role_name = role;
    DELETE FROM team_services WHERE role_name = role;
END
$$;
