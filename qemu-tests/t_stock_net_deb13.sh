#!/bin/bash
# t_stock_net.sh on Debian 13's stock cloud kernel (6.12): NFS to
# nfs-ganesha and TLS to `tinydump receive`, with virtio-net and the NFS
# client loaded from the capture initramfs as .ko.xz; the dumps are read
# with unstable's crash 9 and makedumpfile 1.7.8 (lib.sh td_readers).
exec "$(dirname "$0")/t_stock_net.sh" deb13-cloud "$@"
