#!/bin/sh
# Package pre-remove (deb prerm, rpm %preun): withdraw the polkit action first, so nothing can start the
# helper as root while its files are going away.
set -e
ROOT="${DPKG_ROOT:-}"
case "${1:-remove}" in
  upgrade|1) exit 0 ;; # an upgrade keeps the action; the new postinst installs it again
esac
rm -f "$ROOT/usr/share/polkit-1/actions/org.nslab.helper.policy" "$ROOT/usr/lib/nslab/nslab-helper"
exit 0
