#!/usr/bin/env bash
# reg_event_mode pua next to pua_reginfo (its consumer side loaded): the
# module publishes the registration state, pua_reginfo must not publish
# the same identities. With publish_reginfo 1 Kamailio does not start and
# says why; with publish_reginfo 0 the presence server holds exactly one
# document per identity, the module's.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"
. "$(dirname "$0")/pua_lib.sh"

# ---- 1. publish_reginfo 1: refused at start
KAM_PORT=$(free_port)
KAM_DB="$WORK/kamailio.sqlite" KAM_RDB="$WORK/reauth.sqlite"
KAM_CTL="unix:$WORK/ctl.sock" KAM_LOG="$WORK/kamailio.log"
PRES_DB="$WORK/presence.sqlite"
"$TOP/scripts/db-init.sh" "$KAM_DB" "$KAM_RDB" >/dev/null
cat /usr/share/kamailio/db_sqlite/standard-create.sql \
	/usr/share/kamailio/db_sqlite/presence-create.sql | sqlite3 "$PRES_DB"
timeout 30 kamailio -DD -E -f "$TOP/etc/kamailio.cfg" \
	-L "$TOP/modules/reauth:$KAM_MODULES" -Y "$WORK" -m 64 -M 8 \
	-A "LISTEN=udp:$IP:$KAM_PORT" -A "DBURL=\"sqlite://$KAM_DB\"" \
	-A "REAUTH_DBURL=\"sqlite://$KAM_RDB\"" -A "CTL_SOCKET=\"$KAM_CTL\"" \
	-A WORKERS=2 -A WITH_PUA -A "PRES_DBURL=\"sqlite://$PRES_DB\"" \
	-A "SRV_URI=\"sip:$IP:$KAM_PORT\"" -A WITH_PUA_REGINFO \
	-A PUA_REGINFO_PUBLISH=1 >"$WORK/refused.log" 2>&1
rc=$?
check "publish_reginfo 1: Kamailio does not start (exit $rc)" test "$rc" -ne 0 -a "$rc" -ne 124
check_contains "... and says what to set" 'set modparam("pua_reginfo", "publish_reginfo", 0)' \
	"$(cat "$WORK/refused.log")"

# ---- 2. publish_reginfo 0: the module's documents only
rm -f "$KAM_DB" "$KAM_RDB"
pua_kam_start WITH_PUA_REGINFO PUA_REGINFO_PUBLISH=0
pa=$(free_port)
check "alice registers at :$pa" register_at alice "$pa" 600
check "alice's state is published" wait_published 3
pr=$(presentities alice)
check_eq "the presence server holds one document of alice" 1 \
	"$(printf '%s\n' "$pr" | grep -c 'event: reg')"
check_contains "... the module's (its registration ids)" 'aor="sip:alice@ims.test" id="r' "$pr"
check_contains "... listing alice's implicit set" 'aor="sip:alice2@ims.test"' "$pr"
v1=$(printf '%s\n' "$pr" | sed -n 's/.*<reginfo[^>]* version="\([0-9]*\)".*/\1/p')
check "alice refreshes her registration" register_at alice "$pa" 300
check "the refresh is published" wait_published 6
pr=$(presentities alice)
check_eq "still one document of alice" 1 "$(printf '%s\n' "$pr" | grep -c 'event: reg')"
check_contains "... the refreshed one" 'event="refreshed"' "$pr"
v2=$(printf '%s\n' "$pr" | sed -n 's/.*<reginfo[^>]* version="\([0-9]*\)".*/\1/p')
check "... with a greater version ($v1 -> $v2)" test "${v2:-0}" -gt "${v1:-0}"

finish
