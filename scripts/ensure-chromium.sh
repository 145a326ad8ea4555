#!/usr/bin/env sh
# The browser tests drive Debian's chromium (Playwright never downloads a browser here).
# Install it when it is missing and we can; otherwise stop with one line saying what to do.
set -eu
CHROMIUM="${TENDERHALL_CHROMIUM:-/usr/bin/chromium}"
[ -x "$CHROMIUM" ] && exit 0
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO=none; fi
  fi
  if [ "$SUDO" != none ]; then
    echo "chromium is missing: installing Debian's chromium and CJK fonts for the browser tests" >&2
    export DEBIAN_FRONTEND=noninteractive
    if $SUDO apt-get install -y -q chromium fonts-noto-cjk >/dev/null 2>&1 \
      || { $SUDO apt-get update -q >/dev/null 2>&1 && $SUDO apt-get install -y -q chromium fonts-noto-cjk >/dev/null 2>&1; }; then
      [ -x "$CHROMIUM" ] && exit 0
    fi
  fi
fi
echo "make test: chromium not found at $CHROMIUM; install Debian's chromium (apt-get install chromium fonts-noto-cjk) or set TENDERHALL_CHROMIUM to a chromium binary" >&2
exit 1
