#!/usr/bin/env bash
# make-certs.sh — regenerate the test certificates in this directory (tests only, never real trust).
#
# Uses certtool (gnutls-bin) because its templates take absolute validity dates, which lets the
# "good" certificates last until 2099 and the expired/future ones sit at fixed dates.
# Usage: tests/certs/make-certs.sh            (writes into the directory that holds this script)
#        tests/certs/make-certs.sh expiring   (only the certificate that expires soon, signed by
#                                              the CA already here; its dates are relative to now)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

command -v certtool >/dev/null || { echo "certtool not found (apt install gnutls-bin)" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

GOOD_FROM="2024-01-01 00:00:00"
GOOD_UNTIL="2099-12-31 23:59:59"

newkey () {
  certtool --generate-privkey --key-type=ecdsa --curve=secp256r1 --no-text --outfile "$1" 2>/dev/null
}

# template FILE SERIAL FROM UNTIL then extra lines on stdin
template () {
  {
    echo "serial = $2"
    echo "activation_date = \"$3\""
    echo "expiration_date = \"$4\""
    cat
  } > "$1"
}

LOCAL_SANS='dns_name = "localhost"
ip_address = "127.0.0.1"
ip_address = "::1"'

SERVER_EXT='tls_www_server
signing_key
encryption_key'

# sign NAME SERIAL FROM UNTIL (template body on stdin), signed by ca
sign () {
  local name="$1"
  newkey "$name.key"
  template "$tmp/$name.tmpl" "$2" "$3" "$4"
  certtool --generate-certificate --load-privkey "$name.key" \
    --load-ca-certificate ca.pem --load-ca-privkey ca.key \
    --template "$tmp/$name.tmpl" --no-text --outfile "$name.pem" 2>/dev/null
}

# Valid for localhost, but only for three more weeks from the day it was made: inside the usual
# 30-day warning window of a monitoring check (--cert-warning), and it will run out one day, so
# the tests read its date instead of assuming one. Made again on its own with `expiring`.
sign_expiring () {
  sign expiring 10 "$(date -u -d '-1 day' '+%Y-%m-%d %H:%M:%S')" \
    "$(date -u -d '+21 days' '+%Y-%m-%d %H:%M:%S')" <<T
organization = "Postaci"
cn = "localhost"
$LOCAL_SANS
$SERVER_EXT
T
  chmod 644 expiring.pem expiring.key
}

if [ "${1:-}" = expiring ]; then
  sign_expiring
  echo "expiring.pem written to $here"
  exit 0
fi

# Postaci Test CA — the only trust anchor tests should load.
newkey ca.key
template "$tmp/ca.tmpl" 1 "$GOOD_FROM" "$GOOD_UNTIL" <<T
organization = "Postaci"
cn = "Postaci Test CA"
ca
cert_signing_key
crl_signing_key
T
certtool --generate-self-signed --load-privkey ca.key --template "$tmp/ca.tmpl" \
  --no-text --outfile ca.pem 2>/dev/null

sign server 2 "$GOOD_FROM" "$GOOD_UNTIL" <<T
organization = "Postaci"
cn = "localhost"
$LOCAL_SANS
$SERVER_EXT
T

sign wrong-name 3 "$GOOD_FROM" "$GOOD_UNTIL" <<T
organization = "Postaci"
cn = "wrong.example.test"
dns_name = "wrong.example.test"
$SERVER_EXT
T

sign expired 4 "2001-01-01 00:00:00" "2002-01-01 00:00:00" <<T
organization = "Postaci"
cn = "localhost"
$LOCAL_SANS
$SERVER_EXT
T

sign future 5 "2090-01-01 00:00:00" "2099-01-01 00:00:00" <<T
organization = "Postaci"
cn = "localhost"
$LOCAL_SANS
$SERVER_EXT
T

sign ip-no-san 6 "$GOOD_FROM" "$GOOD_UNTIL" <<T
organization = "Postaci"
cn = "127.0.0.1"
dns_name = "localhost"
$SERVER_EXT
T

# Valid for localhost, but its organization holds terminal escape sequences (clear the screen,
# set the window title): what a hostile server can put in the names a tester shows.
sign escape-name 9 "$GOOD_FROM" "$GOOD_UNTIL" <<T
organization = "Postaci $(printf '\033[2J\033]0;pwned\007')"
cn = "localhost"
$LOCAL_SANS
$SERVER_EXT
T

sign_expiring

# Self-signed leaf (not a CA): what a freshly installed mail server often presents.
newkey self-signed.key
template "$tmp/self-signed.tmpl" 7 "$GOOD_FROM" "$GOOD_UNTIL" <<T
organization = "Postaci"
cn = "localhost"
$LOCAL_SANS
$SERVER_EXT
T
certtool --generate-self-signed --load-privkey self-signed.key --template "$tmp/self-signed.tmpl" \
  --no-text --outfile self-signed.pem 2>/dev/null

# A second CA that nobody trusts; its key and certificate stay in $tmp and vanish.
newkey "$tmp/unknown-ca.key"
template "$tmp/unknown-ca.tmpl" 1 "$GOOD_FROM" "$GOOD_UNTIL" <<T
organization = "Unknown"
cn = "Unknown Test CA"
ca
cert_signing_key
T
certtool --generate-self-signed --load-privkey "$tmp/unknown-ca.key" \
  --template "$tmp/unknown-ca.tmpl" --no-text --outfile "$tmp/unknown-ca.pem" 2>/dev/null
newkey unknown-ca.key
template "$tmp/unknown-leaf.tmpl" 8 "$GOOD_FROM" "$GOOD_UNTIL" <<T
organization = "Postaci"
cn = "localhost"
$LOCAL_SANS
$SERVER_EXT
T
certtool --generate-certificate --load-privkey unknown-ca.key \
  --load-ca-certificate "$tmp/unknown-ca.pem" --load-ca-privkey "$tmp/unknown-ca.key" \
  --template "$tmp/unknown-leaf.tmpl" --no-text --outfile unknown-ca.pem 2>/dev/null

chmod 644 ./*.pem ./*.key
echo "certificates written to $here"
