#!/bin/bash
# t_stock_oracle.sh on Debian 13's stock cloud kernel (6.12), where the
# oracle must also agree with unstable's makedumpfile 1.7.8 (docs/ORACLE.md).
exec "$(dirname "$0")/t_stock_oracle.sh" deb13-cloud "$@"
