-- Database roles and rights, for a workspace on a PostgreSQL server
-- (migrations-postgres/0006_roles.sql: authors recorded as the database role, row-level
-- security for teams, reviewers, readers and the administrator).
--
-- A file has no roles: whoever may write the file may write all of it, and authors are what
-- the user names (`--author`, STRIDEWISE_AUTHOR...). This migration changes nothing in a file;
-- it exists so that schema version 6 means the same in a file and on a server (a test checks
-- that both backends have the same migrations), and so that `workspace copy` moves a
-- workspace between the two at the same version.
SELECT 1;
