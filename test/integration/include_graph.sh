#!/usr/bin/env bash
# The module's files include each other one way (issue 10): no include
# cycle among modules/reauth/*.[ch] (a file and its header are one unit),
# and pure/ includes no Kamailio header and nothing of the glue. tsort
# (coreutils) finds the cycles.
. "$(dirname "$0")/lib.sh"

M="$TOP/modules/reauth"
# include_pairs: "unit included-unit" for every #include "reauth_*.h"
include_pairs() {
	local f u
	for f in "$M"/*.c "$M"/*.h; do
		u=$(basename "$f"); u=${u%.*}
		echo "$u $u"
		sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\(reauth_[a-z_]*\)\.h".*/\1/p' "$f" |
			while read -r v; do [ "$v" = "$u" ] || echo "$u $v"; done
	done
}
out=$(include_pairs | tsort 2>&1 >/dev/null)
if [ -z "$out" ]; then pass "no include cycle among the module's files ($(include_pairs | awk '$1 != $2' | wc -l) includes)"
else fail "no include cycle among the module's files" "$out"; fi

# the check itself finds a cycle when there is one
check_contains "the check sees a planted cycle" "loop" \
	"$( (include_pairs; echo "reauth_queue reauth_worker") | tsort 2>&1 >/dev/null)"

bad=$(grep -lE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"(core|modules|lib)/|"reauth_' "$M"/pure/*.[ch])
if [ -z "$bad" ]; then pass "pure/ includes neither Kamailio nor the glue"
else fail "pure/ includes neither Kamailio nor the glue" "$bad"; fi

finish
