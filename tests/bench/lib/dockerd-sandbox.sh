#!/bin/sh
# A throwaway dockerd for the container benchmark's `docker run --rm` leg, nothing of it visible on the host:
# started by docker.mjs as `ip netns exec nslab-bench-dk unshare --mount --propagation private sh THIS DIR`.
# In that private mount namespace: the cgroup v1 hierarchies mounted again over a tmpfs (`ip netns exec`
# mounts a fresh /sys), tmpfs over every path dockerd/containerd/runc write outside DIR, storage vfs under
# DIR, containers' cgroups under nslab/bench-docker (removed by docker.mjs), iptables off (the bridge leg
# still gets docker0 and a veth — inside nslab-bench-dk). dockerd runs in the foreground until killed.
set -eu
DIR=$1
mount -t tmpfs -o mode=0755 nslab-cg /sys/fs/cgroup
for c in $(awk -F: '$2 != "" && $2 !~ /^name=/ { print $2 }' /proc/self/cgroup); do
  mkdir -p "/sys/fs/cgroup/$c"
  mount -t cgroup -o "$c" cgroup "/sys/fs/cgroup/$c"
done
for d in /var/lib/docker /var/run/docker /run/docker /run/containerd /var/lib/containerd /etc/docker; do
  mkdir -p "$d" 2>/dev/null || true
  mount -t tmpfs -o mode=0711 nslab-dk "$d"
done
exec dockerd --data-root "$DIR/data" --exec-root "$DIR/exec" --pidfile "$DIR/dockerd.pid" -H "unix://$DIR/docker.sock" \
  --storage-driver vfs --iptables=false --ip-masq=false --ip-forward=false --cgroup-parent /nslab/bench-docker \
  --log-level error --userland-proxy=false
