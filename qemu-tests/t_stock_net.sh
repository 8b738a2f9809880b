#!/bin/bash
# The network end-to-end tests (t_e2e_nfs.sh, t_e2e_tls.sh) on Debian 12's
# stock cloud kernel, both as crashing and capture kernel: the capture
# initramfs carries virtio-net (and, for NFS, the NFSv4 client) as modules,
# PID 1 loads them, then brings the network up and delivers. Results are
# renamed stock-deb12-cloud-e2e-nfs/... and stock-deb12-cloud-e2e-tls/....
#   t_stock_net.sh [deb12-cloud|deb13-cloud]
set -u
here=$(cd "$(dirname "$0")" && pwd)
K=${1:-deb12-cloud}
# More than the 64M of the test kernel: the stock kernel keeps about 48 MB
# itself and the modules (6 MB for NFS) are unpacked into RAM.
ck=${CRASHKERNEL:-160M}
"$here/../scripts/stock-kernel.sh" "$K" --dbg > /dev/null 2>&1 ||
	{ echo "skip stock-$K-e2e-net: scripts/stock-kernel.sh $K --dbg failed"; exit 0; }
TD_STOCK=$K TD_STOCK_MODULES=virtio_net,virtio_pci,nfsv4 CRASHKERNEL=$ck "$here/t_e2e_nfs.sh" 2>&1 |
	sed -E "s/^(ok|FAIL|skip) e2e-/\1 stock-$K-e2e-/"
TD_STOCK=$K TD_STOCK_MODULES=virtio_net,virtio_pci CRASHKERNEL=$ck "$here/t_e2e_tls.sh" 2>&1 |
	sed -E "s/^(ok|FAIL|skip) e2e-/\1 stock-$K-e2e-/"
