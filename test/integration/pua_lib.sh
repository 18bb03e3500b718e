# Helpers for the tests of reg_event_mode pua (etc/kamailio.cfg WITH_PUA:
# presence + presence_reginfo + pua, the module publishing). Source after
# lib.sh, notify_lib.sh and reauth_lib.sh.

# pua_kam_start [defines...]: kam_start WITH_PUA, presence's and pua's
# tables in a sqlite file of their own, this server as pua's next hop
pua_kam_start() {
	KAM_PORT=$(free_port)
	PRES_DB="$WORK/presence.sqlite"
	rm -f "$PRES_DB"
	cat /usr/share/kamailio/db_sqlite/standard-create.sql \
		/usr/share/kamailio/db_sqlite/presence-create.sql | sqlite3 "$PRES_DB"
	kam_start WITH_PUA "PRES_DBURL=\"sqlite://$PRES_DB\"" \
		"SRV_URI=\"sip:$IP:$KAM_PORT\"" "$@"
}

# versions_grow NAME: the reginfo versions of the NOTIFYs NAME received
# grow, in arrival order. The same document twice (same version, same
# body) is no step back: presence sends the stored document on a new
# subscription and again for the PUBLISH that stored it when both meet.
versions_grow() {
	local name=$1 n i v last=-1 lastbody=""
	n=$(notify_split "$name")
	for i in $(seq 1 "$n"); do
		v=$(reginfo_version "$(notify_body "$name" "$i")")
		[ -z "$v" ] && continue # presence's NOTIFY before any state: no body
		if [ "$v" = "$last" ] && cmp -s "$lastbody" "$(notify_body "$name" "$i")"; then
			continue
		fi
		if [ "$v" -le "$last" ]; then
			echo "NOTIFY $i of $name: version $v after $last"
			return 1
		fi
		last=$v
		lastbody=$(notify_body "$name" "$i")
	done
	[ "$last" -ge 0 ] || { echo "no version seen in $n NOTIFYs"; return 1; }
}

# notify_with NAME TEXT: the number of the first NOTIFY NAME received whose
# body has TEXT (notify_split first); empty when none
notify_with() {
	local n i
	n=$(notify_split "$1")
	for i in $(seq 1 "$n"); do
		grep -qF -- "$2" "$(notify_body "$1" "$i")" 2>/dev/null && { echo "$i"; return 0; }
	done
	return 1
}

# wait_published N: until the module has sent N PUBLISHes or more and tm
# has every transaction answered (the presence server holds the state)
wait_published() {
	local got i
	for i in $(seq 1 100); do
		got=$(reauth_stat publish_sent)
		[ "${got:-0}" -ge "$1" ] && break
		sleep 0.1
	done
	[ "${got:-0}" -ge "$1" ] || { echo "publish_sent is '$got', waited for $1"; return 1; }
	tm_idle 10
}

# presentities USER: the presence server's documents of USER (kamcmd
# presence.presentity_list full), one record a paragraph
presentities() {
	kamcmd_ presence.presentity_list full 2>&1 | awk -v u="$1" '
		/^\{/ { rec = ""; next }
		/^\}/ { if (rec ~ "\n[ \t]*user: " u "\n") printf "%s\n", rec; next }
		{ rec = rec "\n" $0 }'
}
