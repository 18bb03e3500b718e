#!/usr/bin/env bash
# How the DB writer writes a subscription's row: whole (delete + insert)
# when the record is new, then only its integers (one UPDATE for many
# rows) for each NOTIFY; a row gone from the DB behind the module's back
# is written whole again, with a WARNING, at the next change.
# The update is told apart from a whole write by a string column changed
# in the DB by hand: an update leaves it, a whole write puts it back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"

kam_start

sq() { sqlite3 -cmd ".timeout 5000" "$KAM_RDB" "$@"; }

check "alice registers :$(free_port)" register_at alice "$(free_port)" 600
sipp_bg w sub_ue.xml "$(free_port)" -s alice -key watcher alice -au alice -ap alice-secret \
	-key sub_expires 600 -key notifies 3
check "the initial NOTIFY arrives" wait_notifies w 1 10
check_subscribe_ok w 600
v1=$(subs_field version)
check_eq "the new subscription's row is in the DB, whole: its Call-ID, the watcher's tag and version" \
	"$v1|$SUB_LTAG" \
	"$(wait_sql "$KAM_RDB" "select version, rem_tag from reauth_subscription where callid = '$SUB_CALLID'" "$v1|$SUB_LTAG" 5)"
cseq1=$(sq "select loc_cseq from reauth_subscription where callid = '$SUB_CALLID'")

sq "update reauth_subscription set rem_tag = 'changed-by-hand' where callid = '$SUB_CALLID'"
check "alice registers a second contact" register_at alice "$(free_port)" 600
check "NOTIFY 2 arrives" wait_notifies w 2 10
v2=$(subs_field version)
check_eq "NOTIFY 2: the module's version grew by one" $((v1 + 1)) "$v2"
check_eq "the row's version and CSeq follow, its strings are left as they are (an UPDATE)" \
	"$v2|changed-by-hand|$((cseq1 + 1))" \
	"$(wait_sql "$KAM_RDB" "select version, rem_tag, loc_cseq from reauth_subscription where callid = '$SUB_CALLID'" "$v2|changed-by-hand|$((cseq1 + 1))" 5)"
check_not_contains "no row was missing so far" "rows to update are missing" "$(cat "$KAM_LOG")"

sq "delete from reauth_subscription"
check "alice registers a third contact" register_at alice "$(free_port)" 600
check "NOTIFY 3 arrives" wait_notifies w 3 10
v3=$(subs_field version)
check_eq "the row deleted by hand is back, whole (its own tag again), at the new version" \
	"$v3|$SUB_LTAG|$((cseq1 + 2))" \
	"$(wait_sql "$KAM_RDB" "select version, rem_tag, loc_cseq from reauth_subscription where callid = '$SUB_CALLID'" "$v3|$SUB_LTAG|$((cseq1 + 2))" 5)"
check "the writer said why" wait_log "1 of 1 subscription rows to update are missing" 5
check_eq "one row in the DB" 1 "$(sq 'select count(*) from reauth_subscription')"
check_eq "no write failed (reauth:db_errors)" 0 "$(reauth_stat db_errors)"
check "the watcher answered its three NOTIFYs" sipp_wait w

finish
