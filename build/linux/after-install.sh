#!/bin/sh
# deb post-install: the polkit action and the one program it allows (see resources/polkit/).
set -e
APP=/opt/nslab/resources/app
install -d -m 0755 /usr/lib/nslab /usr/share/polkit-1/actions
install -m 0755 -o root -g root "$APP/resources/polkit/nslab-helper" /usr/lib/nslab/nslab-helper
install -m 0644 -o root -g root "$APP/resources/polkit/org.nslab.helper.policy" /usr/share/polkit-1/actions/org.nslab.helper.policy
