#!/bin/sh
# deb post-remove: undo after-install.sh.
rm -f /usr/lib/nslab/nslab-helper /usr/share/polkit-1/actions/org.nslab.helper.policy
rmdir /usr/lib/nslab 2>/dev/null || true
