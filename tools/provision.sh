#!/usr/bin/env bash
# Install the system programs the tests need, or fail naming the one command to run.
# Called by `make test` (and so by .ci/run); does nothing when everything is present.
#   chromium    headless browser for the browser, accessibility and JupyterLab tests
#   bubblewrap  the sandbox the grader runs each submission in (alliances.grade)
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
[ ${#missing[@]} -eq 0 ] && exit 0

install="apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${missing[*]}"
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "provision: installing ${missing[*]} (Debian packages)" >&2
    bash -c "$install" >/dev/null
  elif sudo -n true 2>/dev/null; then
    echo "provision: installing ${missing[*]} with sudo (Debian packages)" >&2
    sudo bash -c "$install" >/dev/null
  fi
fi
still=()
command -v chromium >/dev/null 2>&1 || still+=(chromium)
command -v bwrap >/dev/null 2>&1 || still+=(bubblewrap)
if [ ${#still[@]} -gt 0 ]; then
  echo "The tests need ${still[*]}, which could not be installed here. Run, as root:" >&2
  echo "  apt-get update && apt-get install -y ${still[*]}" >&2
  echo "(Debian's chromium package: Ubuntu's is a snap stub; see README, 'How the tests work'.)" >&2
  exit 1
fi
