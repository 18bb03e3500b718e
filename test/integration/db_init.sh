#!/usr/bin/env bash
# scripts/db-init.sh: a module database deleted after a crash, with its
# -wal file left behind, is created anew without replaying that -wal (old
# subscriptions coming back, or a malformed file). Kamailio then starts on
# it with no subscription.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"

KAM_DB="$WORK/kamailio.sqlite"
KAM_RDB="$WORK/reauth.sqlite"
"$TOP/scripts/db-init.sh" "$KAM_DB" "$KAM_RDB" >/dev/null
# a subscription row in the WAL only (no checkpoint), kept as a crash would
# (dot commands come on their own line, on stdin); the file in WAL mode, as
# db-init made it before (now it uses a rollback journal)
printf '%s\n' 'PRAGMA journal_mode=WAL;' 'PRAGMA wal_autocheckpoint=0;' \
	"INSERT INTO reauth_subscription (id, aor, identity, watcher, callid, rem_tag,
		loc_tag, rem_target, route_set, loc_contact, socket, kind, loc_cseq,
		rem_cseq, version, expires) VALUES (7, 'alice@ims.test', 'sip:alice@ims.test',
		'sip:alice@ims.test', 'stale-call', 'a', 'b', 'sip:alice@127.0.0.1:9', '',
		'sip:x', 'udp:127.0.0.1:5060', 1, 1, 1, 0, strftime('%s','now') + 3600);" \
	".shell cp '$KAM_RDB-wal' '$WORK/stale-wal'" | sqlite3 "$KAM_RDB" >/dev/null
check "a -wal with the row was kept" test -s "$WORK/stale-wal"
# the crash: the file is deleted, its -wal stays
rm -f "$KAM_RDB" "$KAM_RDB-shm"
cp "$WORK/stale-wal" "$KAM_RDB-wal"
out=$("$TOP/scripts/db-init.sh" "$KAM_DB" "$KAM_RDB" 2>&1)
check_contains "db-init creates the module database anew" "created $KAM_RDB" "$out"
check_eq "the new file is sound" ok "$(sqlite3 "$KAM_RDB" 'PRAGMA integrity_check' 2>&1)"
check_eq "the stale subscription did not come back" 0 \
	"$(sqlite3 "$KAM_RDB" 'SELECT count(*) FROM reauth_subscription' 2>&1)"
kam_start
check_eq "kamailio starts on it with no subscription" 0 "$(subs_count)"

# a file of version 1 (no event column, before body_format draft took
# Event: registration-state) with a subscription: db-init adds the column,
# the row reads as reg, and the module (which wants version 2) loads it
kam_stop
sqlite3 "$KAM_RDB" "ALTER TABLE reauth_subscription DROP COLUMN event;
	UPDATE version SET table_version=1 WHERE table_name='reauth_subscription';
	INSERT INTO reauth_subscription (id, aor, identity, watcher, callid, rem_tag,
		loc_tag, rem_target, route_set, loc_contact, socket, kind, loc_cseq,
		rem_cseq, version, expires) VALUES (9, 'alice@ims.test', 'sip:alice@ims.test',
		'sip:alice@ims.test', 'old-call', 'a', 'b', 'sip:alice@127.0.0.1:9', '',
		'sip:x', 'udp:127.0.0.1:$KAM_PORT', 1, 1, 1, 0, strftime('%s','now') + 3600);"
out=$("$TOP/scripts/db-init.sh" "$KAM_DB" "$KAM_RDB" 2>&1)
check_contains "db-init adds the event column to a version 1 file" "added the event column" "$out"
check_eq "the table is at version 2, the old row is a reg subscription" "2 reg" \
	"$(sqlite3 "$KAM_RDB" "SELECT (SELECT table_version FROM version WHERE table_name='reauth_subscription'), event FROM reauth_subscription WHERE id=9" | tr '|' ' ')"
check_eq "db-init leaves a version 2 file alone" "" \
	"$("$TOP/scripts/db-init.sh" "$KAM_DB" "$KAM_RDB" 2>&1)"
kam_launch
check_eq "kamailio loads the migrated subscription" 1 "$(subs_count)"
finish
