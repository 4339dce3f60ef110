#!/bin/bash
# compose only (docker-compose.yml, service `keycloak-config`): after the realm import, set
# the `kusthub` client's secret of the kecp-sso realm to the one in .env
# (KUSTHUB_CLIENT_SECRET, handed over as the compose secret /run/secrets/kusthub_client_secret)
# instead of the export's development value. Runs Keycloak's admin CLI against the container
# in the compose network; safe to run again (it sets the same value).
set -euo pipefail
kcadm=/opt/keycloak/bin/kcadm.sh
config=/tmp/kcadm.config
realm=kecp-sso
secret_file=/run/secrets/kusthub_client_secret
secret=$(tr -d '\r\n' < "$secret_file")
if [ -z "$secret" ]; then
  echo "keycloak-config: $secret_file is empty: set KUSTHUB_CLIENT_SECRET in .env" >&2
  exit 1
fi
"$kcadm" config credentials --config "$config" --server "${KEYCLOAK_URL:-http://keycloak:8080}" \
  --realm master --user "$KEYCLOAK_ADMIN" --password "$KEYCLOAK_ADMIN_PASSWORD"
id=$("$kcadm" get clients --config "$config" -r "$realm" -q clientId=kusthub \
  --fields id --format csv --noquotes)
if [ -z "$id" ]; then
  echo "keycloak-config: no client kusthub in realm $realm (deploy/keycloak/)" >&2
  exit 1
fi
"$kcadm" update "clients/$id" --config "$config" -r "$realm" -s "secret=$secret"
echo "keycloak-config: the kusthub client's secret is set"
