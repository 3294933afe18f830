#!/bin/sh
# Installs the Debian 12 packages Postacı needs to build, run and test, when any are missing.
# Uses apt-get as root, sudo otherwise; says what to do when neither works.
set -eu

packages="
  meson ninja-build pkg-config gcc gettext
  libglib2.0-dev glib-networking libgtk-4-dev libadwaita-1-dev libgtksourceview-5-dev
  libgmime-3.0-dev libgsasl-dev libjson-glib-dev libgnutls28-dev libsecret-1-dev gnome-keyring libsecret-tools
  libsoup-3.0-dev
  xvfb xauth dbus dbus-x11 python3-aiosmtpd openssl gnutls-bin
  desktop-file-utils appstream locales swaks libnet-ssleay-perl libio-socket-inet6-perl valgrind
  librsvg2-common adwaita-icon-theme
  curl time x11-utils
  scdoc groff man-db bash-completion zsh fish
  dpkg-dev debhelper lintian
  clang-format
"

missing=""
for p in $packages; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

if [ -n "$missing" ]; then
  echo "postaci: installing missing packages:$missing"
  if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    echo "postaci: these packages are missing:$missing" >&2
    echo "postaci: install them as root: apt-get install$missing" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q || true
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -q --no-install-recommends $missing
fi

# The Turkish tests need the tr_TR.UTF-8 locale.
if ! locale -a 2>/dev/null | grep -qi '^tr_TR\.utf-\?8$'; then
  if [ "$(id -u)" -eq 0 ] || { command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; }; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
    if [ -f /etc/locale.gen ]; then
      $SUDO sed -i 's/^# *\(tr_TR.UTF-8 UTF-8\)/\1/' /etc/locale.gen
      grep -q '^tr_TR.UTF-8 UTF-8' /etc/locale.gen || echo 'tr_TR.UTF-8 UTF-8' | $SUDO tee -a /etc/locale.gen >/dev/null
      $SUDO locale-gen >/dev/null
    else
      $SUDO localedef -i tr_TR -f UTF-8 tr_TR.UTF-8
    fi
  else
    echo "postaci: the tr_TR.UTF-8 locale is missing; the Turkish tests will be skipped" >&2
  fi
fi

# GIO loads every module in its module directory at once, instead of on first use, when its
# giomodule.cache is older than a module (a restored or copied system whose dpkg trigger never
# ran); one of those eager loads leaks a GIOModule that the leak checks then report. Rebuild the
# cache as the trigger would.
moddir=$(pkg-config --variable=giomoduledir gio-2.0 2>/dev/null || true)
querymodules=$(pkg-config --variable=gio_querymodules gio-2.0 2>/dev/null || true)
if [ -n "$moddir" ] && [ -x "$querymodules" ] && [ -f "$moddir/giomodule.cache" ] &&
  [ -n "$(find "$moddir" -name '*.so' -cnewer "$moddir/giomodule.cache" 2>/dev/null)" ]; then
  if [ "$(id -u)" -eq 0 ]; then
    "$querymodules" "$moddir"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo -n "$querymodules" "$moddir"
  else
    echo "postaci: $moddir/giomodule.cache is stale; refresh it as root: $querymodules $moddir" >&2
  fi
fi
