#!/usr/bin/env bash
# Installs the Debian packages the tests and benches drive as real, independently written clients:
#   dnsutils (dig), knot-dnsutils (kdig), dnsperf, python3-grpcio (gRPC C-core proxyless client),
#   postgresql (a real Postgres server for the postgres store, multi-instance and leader-election tests),
#   openssl (certificates for the Postgres TLS tests), chromium (the headless browser the GUI test drives),
#   prometheus (a real Prometheus discovering data planes from the CP; Debian's build has no kuma_sd_configs,
#   so the test points http_sd_configs at the MADS port's /http_sd), iproute2 (ss: the KDS keepalive test reads
#   the kernel's keepalive timers of both ends of the connection), nftables (nft: the same test black-holes the
#   KDS port of its own global, in a table of its own, to stand for a zone whose network is gone).
# Idempotent and quiet: does nothing when everything is present; otherwise runs `apt-get update` once and
# installs only what is missing. Needs root (or passwordless sudo) and apt.
set -euo pipefail

PACKAGES=(dnsutils knot-dnsutils dnsperf python3-grpcio postgresql openssl chromium prometheus iproute2 nftables)

is_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  is_installed "$pkg" || missing+=("$pkg")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-test-deps: missing Debian packages (${missing[*]}) and apt-get is not available" >&2
  exit 1
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo -n); else
    echo "install-test-deps: missing Debian packages (${missing[*]}); run as root to install them" >&2
    exit 1
  fi
fi

echo "install-test-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! { "${SUDO[@]}" apt-get update -qq && "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "install-test-deps: apt-get failed" >&2
  exit 1
fi

for pkg in "${missing[@]}"; do
  if ! is_installed "$pkg"; then
    echo "install-test-deps: $pkg failed to install" >&2
    exit 1
  fi
done
