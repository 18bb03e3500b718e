#!/usr/bin/env bash
# Every module parameter, script function, RPC command, statistic and event
# route the module exports is documented in doc/reauth_admin.xml (the API
# for other modules, bind_reauth, in doc/reauth_devel.xml), and the
# generated README (make doc) is not older than the DocBook source.
. "$(dirname "$0")/lib.sh"

mod="$TOP/modules/reauth"
doc="$TOP/doc/reauth_admin.xml"

params=$(sed -n '/param_export_t params\[\]/,/{0, 0, 0}/p' "$mod/reauth_mod.c" \
	| sed -n 's/^[[:space:]]*{"\([a-z_]*\)".*/\1/p')
for p in $params; do
	check "parameter $p is documented" grep -q "<varname>$p</varname> (" "$doc"
done
cmds=$(sed -n '/cmd_export_t cmds\[\]/,/{0, 0, 0/p' "$mod/reauth_mod.c" \
	| sed -n 's/^[[:space:]]*{"\([a-z_]*\)".*/\1/p' | sort -u)
for c in $cmds; do
	check "function $c() is documented" grep -q "<function moreinfo=\"none\">$c(" \
		"$doc" "$TOP/doc/reauth_devel.xml"
done
rpcs=$(sed -n 's/^[[:space:]]*{"\(reauth\.[a-z_]*\)".*/\1/p' "$mod/reauth_rpc.c")
for r in $rpcs; do
	check "RPC $r is documented" grep -q "<function moreinfo=\"none\">$r</function>" "$doc"
done
stats=$(sed -n '/stat_export_t reauth_mod_stats\[\]/,/{0, 0, 0}/p' "$mod/reauth_stats.c" \
	| sed -n 's/^[[:space:]]*{"\([a-z_]*\)".*/\1/p')
for s in $stats; do
	check "statistic $s is documented" grep -q "<varname>$s</varname>" "$doc"
done
for e in $(grep -o '"reauth:[a-z]*"' "$mod/reauth_events.c" | tr -d '"' | sort -u); do
	check "event_route[$e] is documented" grep -qF "event_route[$e]" "$doc"
done
n=$(echo "$params" | wc -w)
check "at least 15 parameters were found, the extraction works ($n)" test "$n" -ge 15
for p in $params; do
	check "parameter $p is in the generated README" grep -q "$p (" "$mod/README"
done

finish
