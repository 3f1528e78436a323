-- The last Terraform import of each service, as the file's
-- migrations/0005_terraform_imports.sql (read it for why).
CREATE TABLE terraform_imports (
    model_id     TEXT PRIMARY KEY REFERENCES models (id),
    revision_id  TEXT NOT NULL REFERENCES revisions (id),
    root         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    document     TEXT NOT NULL
);
