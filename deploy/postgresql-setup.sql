-- The PostgreSQL role and database of Tiếp Dân: docs/operations.md, "PostgreSQL".
-- Run once, as a superuser, with psql (not another client: it uses psql's variables):
--
--   sudo -u postgres psql -v ON_ERROR_STOP=1 -f postgresql-setup.sql
--
-- psql asks for the new role's password and hashes it itself (SCRAM-SHA-256), so it is
-- neither on a command line nor in the server's log. -v role=NAME -v database=NAME choose
-- other names than tiepdan; -v connection_limit=N another limit.
--
-- The role may log in and owns its database, nothing more: not a superuser, it cannot create
-- databases or roles. It runs the migrations itself (`tiepdan db upgrade`, and `tiepdan run`
-- at every start) as the owner of the schema they write in; no superuser is needed after this
-- script.
--
-- Then, in pg_hba.conf (before any broader line), let only this role into this database, by
-- password, from where the bot runs; and reload PostgreSQL:
--   # TYPE  DATABASE  USER     ADDRESS         METHOD
--   host    tiepdan   tiepdan  127.0.0.1/32    scram-sha-256
--   host    tiepdan   tiepdan  ::1/128         scram-sha-256
-- (for bots on other machines, their addresses, and `hostssl` with ?ssl=require in the URL).
-- password_encryption must stay scram-sha-256, the default since PostgreSQL 14.
-- The bot's URL, in /etc/tiepdan/secrets.env:
--   TIEPDAN_DATABASE_URL=postgresql+asyncpg://tiepdan:PASSWORD@127.0.0.1:5432/tiepdan

\if :{?role}
\else
\set role tiepdan
\endif
\if :{?database}
\else
\set database tiepdan
\endif
-- Each instance of the bot opens up to 15 connections (SQLAlchemy's pool: 5, and 10 more in
-- a burst); 50 leaves room for three instances, a backup and a person at psql.
\if :{?connection_limit}
\else
\set connection_limit 50
\endif

CREATE ROLE :"role" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
    CONNECTION LIMIT :connection_limit;
SET password_encryption = 'scram-sha-256';
\password :role

CREATE DATABASE :"database" WITH OWNER :"role" ENCODING 'UTF8' TEMPLATE template0;
-- Nobody else may connect to it, or create anything in it.
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;

\connect :"database"
-- The schema the migrations write in: no one but its owner, the bot's role, creates there
-- (PostgreSQL 14 and older let everyone).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO :"role";
