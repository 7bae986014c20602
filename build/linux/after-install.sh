#!/bin/sh
# Package post-install (deb postinst, rpm %post; also scripts/deb-offline.mjs): what electron-builder's own
# template does (the /usr/bin/nslab link, chrome-sandbox mode, desktop database), plus the polkit action and
# the one program it allows (see resources/polkit/). Every path is under ${DPKG_ROOT} so the script also works
# for `dpkg --root DIR --force-script-chrootless` (Debian's convention for installing into another root).
set -e
ROOT="${DPKG_ROOT:-}"
APP="$ROOT/opt/nslab/resources/app.asar.unpacked"
install -d -m 0755 "$ROOT/usr/bin" "$ROOT/usr/lib/nslab" "$ROOT/usr/share/polkit-1/actions"
ln -sf /opt/nslab/nslab "$ROOT/usr/bin/nslab"
install -m 0755 "$APP/resources/polkit/nslab-helper" "$ROOT/usr/lib/nslab/nslab-helper"
install -m 0644 "$APP/resources/polkit/org.nslab.helper.policy" "$ROOT/usr/share/polkit-1/actions/org.nslab.helper.policy"
# The helper wrapper is what polkit runs as root: it must be root-owned and not writable by anyone else.
chown 0:0 "$ROOT/usr/lib/nslab/nslab-helper" "$ROOT/usr/share/polkit-1/actions/org.nslab.helper.policy" 2>/dev/null || true
# Chromium's setuid sandbox only where unprivileged user namespaces do not work.
if [ -e "$ROOT/opt/nslab/chrome-sandbox" ]; then
  if [ -L /proc/self/ns/user ] && unshare --user true 2>/dev/null; then
    chmod 0755 "$ROOT/opt/nslab/chrome-sandbox"
  else
    chmod 4755 "$ROOT/opt/nslab/chrome-sandbox"
  fi
fi
if [ -z "$ROOT" ] && command -v update-desktop-database >/dev/null 2>&1; then
  update-desktop-database /usr/share/applications || true
fi
if [ -z "$ROOT" ] && command -v gtk-update-icon-cache >/dev/null 2>&1; then
  gtk-update-icon-cache -q -t /usr/share/icons/hicolor || true
fi
exit 0
