#!/usr/bin/env bash
# Install the system programs the tests need, or fail naming the one command to run.
# Called by `make test` (and so by .ci/run); does nothing when everything is present.
#   chromium            headless browser for the browser, accessibility and JupyterLab tests
#   bubblewrap          the sandbox the grader runs each submission in (alliances.grade)
#   podman, runc        the grader's container sandbox where bubblewrap is missing (tested)
#   docker.io           the same with Docker: the tests start a private dockerd as root
#   libreoffice-calc-nogui  opens the grader's CSV exports as a spreadsheet would (formula cells)
set -euo pipefail
need() {  # the Debian packages whose programs are missing
  local out=()
  command -v chromium >/dev/null 2>&1 || out+=(chromium)
  command -v bwrap >/dev/null 2>&1 || out+=(bubblewrap)
  command -v podman >/dev/null 2>&1 || out+=(podman)
  command -v runc >/dev/null 2>&1 || out+=(runc)
  { command -v dockerd >/dev/null 2>&1 && command -v docker >/dev/null 2>&1; } || out+=(docker.io)
  command -v soffice >/dev/null 2>&1 || out+=(libreoffice-calc-nogui)
  echo "${out[@]:-}"
}
missing=$(need)
[ -z "$missing" ] && exit 0

install="apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing"
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "provision: installing $missing (Debian packages)" >&2
    bash -c "$install" >/dev/null
  elif sudo -n true 2>/dev/null; then
    echo "provision: installing $missing with sudo (Debian packages)" >&2
    sudo bash -c "$install" >/dev/null
  fi
fi
still=$(need)
if [ -n "$still" ]; then
  echo "The tests need $still, which could not be installed here. Run, as root:" >&2
  echo "  apt-get update && apt-get install -y --no-install-recommends $still" >&2
  echo "(Debian's chromium package: Ubuntu's is a snap stub; see README, 'How the tests work'.)" >&2
  exit 1
fi
