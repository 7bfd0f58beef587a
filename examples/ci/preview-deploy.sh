#!/bin/sh
# preview-deploy.sh - lets a preview deployment log in through Tessera for as
# long as a command runs: adds the preview's callback, logout URL and origins
# to the application, runs the command (the end-to-end tests of the preview,
# say), then removes them again, also when the command fails or the job is
# cancelled.  Many previews may run at once: `tessera apps callbacks` writes
# with If-Match and retries, so none erases another's URLs.
#
# usage: preview-deploy.sh PREVIEW_ORIGIN COMMAND [ARG...]
#   e.g. preview-deploy.sh https://pr-42.shop.example.com npm run test:e2e
#
# Environment (keep the secret in the CI system's secret store):
#   TESSERA_URL            the tenant's issuer, e.g. https://id.example.com/
#   TESSERA_CLIENT_ID      a machine-to-machine application granted read:clients
#   TESSERA_CLIENT_SECRET  and update:clients on the tenant's Management API
#   TESSERA_APP_ID         the client id of the application the preview is
#   CALLBACK_PATH          the app's callback path (/callback)
#   TESSERA                the tessera command (tessera)
#   TESSERA_CA_FILE        PEM certificates to trust, for a private CA (optional)
#
# Exit status: the command's; 1 when the URLs could not be added or removed.
set -eu

if [ $# -lt 2 ]; then
    echo "usage: $0 PREVIEW_ORIGIN COMMAND [ARG...]" >&2
    exit 2
fi
origin=${1%/}
shift
: "${TESSERA_URL:?set TESSERA_URL}" "${TESSERA_CLIENT_ID:?set TESSERA_CLIENT_ID}"
: "${TESSERA_CLIENT_SECRET:?set TESSERA_CLIENT_SECRET}" "${TESSERA_APP_ID:?set TESSERA_APP_ID}"

preview_urls() {
    "${TESSERA:-tessera}" apps callbacks "$1" --app "$TESSERA_APP_ID" \
        "$origin${CALLBACK_PATH:-/callback}" --logout-url "$origin" \
        --web-origin "$origin" --allowed-origin "$origin"
}

removed=no
remove() {
    if [ "$removed" = no ]; then
        removed=yes
        preview_urls remove || {
            echo "$0: could not remove $origin from $TESSERA_APP_ID" >&2
            return 1
        }
    fi
}
# A job cancelled (SIGINT, SIGTERM) even while the URLs are being added takes them away.
trap 'remove; exit 130' INT
trap 'remove; exit 143' TERM
preview_urls add

status=0
"$@" || status=$?
remove || [ "$status" -ne 0 ] || status=1
exit "$status"
