#!/usr/bin/env bash
# First-start initialisation of the compose stack's PostgreSQL (postgres:16 runs every script in
# /docker-entrypoint-initdb.d once, on an empty data directory, as POSTGRES_USER in POSTGRES_DB).
#
# One login role per service, owning the schema of the same name; neither role has any right on
# the other's schema, and nobody may create objects in `public`. Each service's migrations then
# create their tables (and the alembic_version table) inside the service's own schema.
#
# Passwords come from ACCOUNTS_DB_PASSWORD / PROJECTS_DB_PASSWORD (set on the postgres service in
# docker-compose.yml). The values there are development-only passwords for a local stack.
set -euo pipefail

: "${ACCOUNTS_DB_PASSWORD:?set ACCOUNTS_DB_PASSWORD for the accounts role}"
: "${PROJECTS_DB_PASSWORD:?set PROJECTS_DB_PASSWORD for the projects role}"

psql --no-psqlrc -v ON_ERROR_STOP=1 \
    --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" \
    --set accounts_password="$ACCOUNTS_DB_PASSWORD" \
    --set projects_password="$PROJECTS_DB_PASSWORD" <<'SQL'
-- Nobody but the owner creates objects in public (PostgreSQL 15+ default; stated, not assumed).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
-- No role connects to this database unless granted below.
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database()) \gexec

CREATE ROLE accounts LOGIN PASSWORD :'accounts_password';
CREATE ROLE projects LOGIN PASSWORD :'projects_password';

-- CONNECT to use the database; CREATE because each service's Alembic env runs
-- `CREATE SCHEMA IF NOT EXISTS <its schema>`, which checks that right even when the schema exists.
SELECT format('GRANT CONNECT, TEMPORARY, CREATE ON DATABASE %I TO accounts, projects',
              current_database()) \gexec

CREATE SCHEMA accounts AUTHORIZATION accounts;
CREATE SCHEMA projects AUTHORIZATION projects;

-- Owners hold every right on their schema; make sure nobody else holds any.
REVOKE ALL ON SCHEMA accounts FROM PUBLIC;
REVOKE ALL ON SCHEMA projects FROM PUBLIC;
SQL
