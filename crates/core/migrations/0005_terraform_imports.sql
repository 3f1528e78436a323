-- The last Terraform import of each service, as the code gave it, before any merge.
--
-- Why it exists: a re-import is a three-way merge whose common ancestor is the previous
-- import (`app::terraform::import_into_workspace`). The head revision cannot stand in for it:
-- it holds people's edits, so a property changed by hand would look like the code's old value
-- and the next import would overwrite it silently. Keeping the import here means neither the
-- desktop nor `stridewise import --workspace` needs a `--base FILE` beside the workspace.
--
-- Why it looks like this:
-- * One row per service: only the latest import is an ancestor anyone needs; the revisions
--   keep the history. A re-import replaces the row.
-- * `document` is the import's canonical JSON (`store::stored_document`) with its SHA-256 in
--   `content_hash`, checked when read, as for revisions.
-- * `revision_id` is the revision the import was saved as or merged into, for people reading
--   the file; `root` is the Terraform root module it came from.
-- * Written in its own transaction right after the save. If a crash falls in between, the
--   row still holds an older import, which is still an ancestor of the head: the next merge
--   is correct, only with more to compare.
CREATE TABLE terraform_imports (
    model_id     TEXT PRIMARY KEY REFERENCES models (id),
    revision_id  TEXT NOT NULL REFERENCES revisions (id),
    root         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    document     TEXT NOT NULL
) STRICT;
