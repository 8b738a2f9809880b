#!/bin/bash
# The shape of the tree, checked: arrows between folders point down
# (init -> net -> capture -> os), and the pure sources (`make print-pure`)
# include no header that makes system calls.
set -u
cd "$(dirname "$0")/.."
# folder: the folders it may include from
declare -A may=([os]="" [capture]="os" [net]="os capture" [init]="os capture net")
bad=
for d in os capture net init; do
	for f in "$d"/*.[ch]; do
		for inc in $(sed -n 's/^#include "\([a-z]*\)\/.*/\1/p' "$f" | sort -u); do
			case " ${may[$d]} " in *" $inc "*) ;; *) bad="$bad $f->$inc" ;; esac
		done
	done
done
if [ -z "$bad" ]; then echo "ok layers/arrows-point-down"; else echo "FAIL layers/arrows-point-down:$bad"; fi

sys='unistd\.h|fcntl\.h|sys/[a-z]*\.h|poll\.h|netinet/|arpa/|net/if|dirent\.h|signal\.h|pthread\.h'
bad=
for f in $(make -s print-pure); do
	grep -qE "^#include <($sys)>" "$f" "${f%.c}.h" 2>/dev/null && bad="$bad $f"
done
if [ -z "$bad" ]; then echo "ok layers/pure-sources-make-no-system-calls"; else echo "FAIL layers/pure-sources-make-no-system-calls:$bad"; fi
