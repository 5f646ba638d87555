#!/bin/sh
# scripts/deps.sh — install what Depesche needs to build, run and test on Debian 12.
# Idempotent: only missing packages are installed. Usage: scripts/deps.sh [build|test]
set -eu

BUILD_PKGS="build-essential pkg-config meson ninja-build
  libmicrohttpd-dev libsqlite3-dev libpq-dev libcmark-gfm-dev libcmark-gfm-extensions-dev
  libsodium-dev libcurl4-openssl-dev libstemmer-dev libjansson-dev libcmocka-dev
  zlib1g-dev libbrotli-dev libopendkim-dev"
TEST_PKGS="python3 python3-feedparser nginx-light wrk curl chromium default-jre-headless
  postgresql libxml2-utils clang libclang-rt-14-dev python3-aiosmtpd
  python3-dkim openssl"

want="$BUILD_PKGS"
[ "${1:-build}" = test ] && want="$want $TEST_PKGS"

missing=""
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing
