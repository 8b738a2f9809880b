#!/bin/bash
# t_stock_disk.sh on Debian 13's stock cloud kernel (6.12): modules are
# .ko.xz, loaded with MODULE_INIT_COMPRESSED_FILE; the dump is read with
# unstable's crash 9 and makedumpfile 1.7.8 (scripts/oracle.sh), since
# Debian 12's cannot open 6.12 dumps. The filter's handling of 6.12 page
# types is checked by the level and kept-set verdicts.
exec "$(dirname "$0")/t_stock_disk.sh" deb13-cloud "$@"
