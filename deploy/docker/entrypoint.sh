#!/bin/sh
# The image's entry point (Dockerfile ENTRYPOINT; SERVICE_COMMAND is the service's console script).
#   serve [args]    run the service (the default): HTTP API, consumers and outbox relay as
#                   KOHUB_ROLES says, on $HOST:$PORT
#   migrate         migrate the service's database (KOHUB_DATABASE_URL) to the latest revision,
#                   one migrator at a time (see migrate.py)
#   anything else   run as given, e.g. `alembic current` or `python`
set -eu

command="${1:-serve}"
[ "$#" -gt 0 ] && shift

case "$command" in
  serve)
    exec "${SERVICE_COMMAND:?SERVICE_COMMAND is not set}" "$@"
    ;;
  migrate)
    exec python "${APP_DIR:-/app}/migrate.py" "$@"
    ;;
  *)
    exec "$command" "$@"
    ;;
esac
