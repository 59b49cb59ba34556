#!/usr/bin/env bash
# Installs the Debian packages Sportello needs, idempotently: a machine that already has them
# costs one dpkg query. Runs as root or through sudo. Only Debian's own archive is used.
set -euo pipefail

PACKAGES=(chromium socat nftables libusb-1.0-0 udev systemd cage iproute2 fonts-dejavu-core faketime stress-ng espeak-ng coturn)
WORKER_PKG=mediasoup-worker
EXPERIMENTAL_LIST=/etc/apt/sources.list.d/debian-experimental.sources

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "setup: needs root (or sudo) to install Debian packages: ${PACKAGES[*]} $WORKER_PKG" >&2
    exit 1
  fi
else SUDO=; fi

# The unprivileged user the kiosk window runs as when started by root (tests, a technician): root
# never runs a browser, and Chromium's sandbox works for this user through user namespaces. The
# Debian package makes the same user (kiosk-shell/packaging/debian/postinst).
if ! getent passwd sportello-kiosk >/dev/null; then
  $SUDO useradd --system --user-group --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin --comment 'Sportello kiosk' sportello-kiosk
fi

missing=()
for p in "${PACKAGES[@]}" "$WORKER_PKG"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing Debian packages: ${missing[*]}"
# The SFU worker lives in Debian's experimental suite; experimental is NotAutomatic, so adding it
# changes nothing else on the machine: only packages asked for with -t experimental come from it.
if ! grep -rqs 'experimental' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  $SUDO tee "$EXPERIMENTAL_LIST" >/dev/null <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: experimental
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -o Acquire::Retries=3 >/dev/null
regular=()
for p in "${missing[@]}"; do [ "$p" != "$WORKER_PKG" ] && regular+=("$p"); done
[ ${#regular[@]} -gt 0 ] && $SUDO apt-get install -y --no-install-recommends "${regular[@]}"
# coturn is here for the TURN tests (they start their own turnserver on a test address). Debian's
# package enables and starts a system turnserver, which would hold ports 3478/5349 on every
# address: stop it on a machine that just got the package. A server that serves TURN configures and
# enables it on purpose (docs/turn.md); running this script again leaves that alone.
if printf '%s\n' "${missing[@]}" | grep -qx coturn && [ -d /run/systemd/system ]; then
  $SUDO systemctl disable --now coturn.service >/dev/null 2>&1 || true
fi
if printf '%s\n' "${missing[@]}" | grep -qx "$WORKER_PKG"; then
  $SUDO apt-get install -y --no-install-recommends -t experimental "$WORKER_PKG"
fi
