#!/usr/bin/env bash
# One login role and one database (owned by it) per DB_<NAME>_PASSWORD variable of the
# postgres container: DB_KOHUB_TICKET_PASSWORD creates role and database kohub_ticket.
# The official image runs this once, on the first start with an empty data volume. It only
# creates what is missing, so after adding a database to docker-compose.yml run it again:
#   docker compose up -d postgres
#   docker compose exec postgres bash /docker-entrypoint-initdb.d/10-kohub-databases.sh
# The services' migrations create the extensions they need (pg_trgm is a trusted extension,
# so the database owner may create it).
set -euo pipefail

for var in $(compgen -e); do
  [[ $var =~ ^DB_([A-Z0-9_]+)_PASSWORD$ ]] || continue
  name="${BASH_REMATCH[1],,}"
  password="${!var}"
  if [[ -z $password ]]; then
    echo "init-databases: $var is empty" >&2
    exit 1
  fi
  echo "init-databases: role and database $name"
  psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
       --set=name="$name" --set=password="$password" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'name', :'password')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'name') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'name', :'name')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'name') \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'name') \gexec
SQL
done
