# Sourced: where this machine's Debian archive is, read from its own apt
# sources (deb822 *.sources and one-line *.list). No archive host is written
# into this repository.
#
#   debian_uri                the URI of the deb entry for this release's
#                             codename, component main (empty if none)
#   debian_sources SUITE      one-line sources.list entries for SUITE
#                             (bookworm, trixie, sid ...) on stdout: every deb
#                             entry of the machine whose suite is CODENAME or
#                             CODENAME-X becomes SUITE or SUITE-X, same URI and
#                             signed-by; sid has no -X suites

debian_codename() { (. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}"); }

# _debian_entries : "URI SUITE SIGNED-BY" for every deb entry with
# component main, from both source formats; SIGNED-BY is "-" when absent.
_debian_entries() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v RS= '
			function field(name,   v) {
				if (!match($0, "(^|\n)" name ":[ \t]*[^\n]*")) return ""
				v = substr($0, RSTART, RLENGTH); sub("^\n?" name ":[ \t]*", "", v); return v
			}
			field("Types") ~ /(^|[ \t])deb([ \t]|$)/ && field("Components") ~ /(^|[ \t])main([ \t]|$)/ {
				sb = field("Signed-By"); if (sb == "" || sb ~ /[ \t]/) sb = "-"
				n = split(field("URIs"), u, /[ \t]+/); m = split(field("Suites"), s, /[ \t]+/)
				for (i = 1; i <= n; i++) for (j = 1; j <= m; j++) if (u[i] != "" && s[j] != "") print u[i], s[j], sb
			}' "$f"
	done
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '
		$1 == "deb" {
			i = 2; sb = "-"
			if ($2 ~ /^\[/) {
				for (; i <= NF; i++) {
					if ($i ~ /signed-by=/) { sb = $i; sub(/.*signed-by=/, "", sb); sub(/\]$/, "", sb) }
					if ($i ~ /\]$/) { i++; break }
				}
			}
			for (j = i + 2; j <= NF; j++) if ($j == "main") { print $i, $(i+1), sb; break }
		}'
}

debian_uri() {
	local c
	c=$(debian_codename)
	_debian_entries | awk -v c="$c" '$2 == c { print $1; exit }'
}

debian_sources() {
	local c
	c=$(debian_codename)
	_debian_entries | awk -v c="$c" -v s="$1" '
		{
			if ($2 == c) suite = s
			else if (index($2, c "-") == 1 && s != "sid" && s != "unstable") suite = s substr($2, length(c) + 1)
			else next
			opt = $3 == "-" ? "" : "[signed-by=" $3 "] "
			line = "deb " opt $1 " " suite " main"
			if (!(line in seen)) { seen[line] = 1; print line }
		}'
}
