#!/bin/sh
# Package post-remove (deb postrm, rpm %postun): undo after-install.sh (before-remove.sh already withdrew
# the polkit action; repeat it for package managers that ran no pre-remove).
ROOT="${DPKG_ROOT:-}"
case "${1:-remove}" in
  upgrade|1) exit 0 ;;
esac
rm -f "$ROOT/usr/lib/nslab/nslab-helper" "$ROOT/usr/share/polkit-1/actions/org.nslab.helper.policy"
rmdir "$ROOT/usr/lib/nslab" 2>/dev/null || true
if [ -L "$ROOT/usr/bin/nslab" ] && [ "$(readlink "$ROOT/usr/bin/nslab")" = /opt/nslab/nslab ]; then
  rm -f "$ROOT/usr/bin/nslab"
fi
if [ -z "$ROOT" ] && command -v update-desktop-database >/dev/null 2>&1; then
  update-desktop-database /usr/share/applications || true
fi
exit 0
