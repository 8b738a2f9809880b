#!/bin/bash
# t_stock_oracle.sh on Debian 12's stock cloud kernel (6.1), where the
# oracle must also agree with makedumpfile 1.7.2 (docs/ORACLE.md).
exec "$(dirname "$0")/t_stock_oracle.sh" deb12-cloud "$@"
