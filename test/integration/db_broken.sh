#!/usr/bin/env bash
# A broken store must not kill the server. While Kamailio runs, the
# module's sqlite files are made unwritable (chattr +i, as a read-only
# remount would): a new SUBSCRIBE, a REGISTER refresh and a
# re-authentication trigger all still get their NOTIFYs out, Kamailio
# stays up, reauth:db_errors grows and the log says why. Once the files
# are writable again (chattr -i) the rows written meanwhile reach the DB.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"
. "$(dirname "$0")/freeze_lib.sh"

kam_start

pa=$(free_port) pb=$(free_port) pc=$(free_port)
check "alice registers at :$pa" register_at alice "$pa" 600
check "bob registers at :$pb" register_at bob "$pb" 600
check "carol registers at :$pc" register_at carol "$pc" 600
# alice's watcher stays: it gets the NOTIFY of her REGISTER refresh
sipp_bg wa sub_long.xml "$(free_port)" -s alice -key watcher alice -au alice -ap alice-secret -key sub_expires 600
check "alice's initial NOTIFY arrives" wait_notifies wa 1 10
check_eq "DB: alice's subscription is stored" 1 \
	"$(wait_sql "$KAM_RDB" "select count(*) from reauth_subscription where identity = 'sip:alice@ims.test'" 1 5)"
v0=$(sqlite3 "$KAM_RDB" "select version from reauth_subscription where identity = 'sip:alice@ims.test'")
check_eq "reauth:db_errors starts at 0" 0 "$(reauth_stat db_errors)"

# a checkpoint (sqlite's automatic one, or the one closing a connection
# makes) leaves a WAL database whose next write first rewrites the
# shared-memory index (-shm, mmap'ed): no-op in rollback-journal mode
sqlite3 "$KAM_RDB" 'PRAGMA wal_checkpoint(PASSIVE)' >/dev/null
# not in check's subshell: IMMUTABLE must reach the trap
if freeze; then pass "the module's sqlite files are made immutable:$IMMUTABLE"
else fail "chattr +i the module's sqlite files" "$IMMUTABLE"; fi


# writes while the store is broken
check "bob subscribes and gets his NOTIFY" \
	sipp_run wb sub_ue.xml -s bob -key watcher bob -au bob -ap bob-secret -key sub_expires 600 -key notifies 1
check "alice refreshes her registration" register_at alice "$pa" 600
check "alice's watcher gets the NOTIFY of the refresh" wait_notifies wa 2 10
sipp_bg wc sub_ue.xml "$(free_port)" -s carol -key watcher carol -au carol -ap carol-secret -key sub_expires 600 -key notifies 2
check "carol subscribes" wait_subs 1 sip:carol@ims.test
check_contains "reauth.user starts carol's re-authentication" "id:" "$(reauth_start sip:carol@ims.test)"
check "carol's watcher gets the re-authentication NOTIFY" wait_notifies wc 2 10

check "kamailio is still running" kill -0 "$KAM_PID"
check_eq "every process is still there (reauth.subscriptions answers)" 3 "$(subs_count)"
errors1=$(reauth_stat db_errors)
if [ "${errors1:-0}" -gt 0 ] 2>/dev/null; then pass "reauth:db_errors grew to $errors1"
else fail "reauth:db_errors grew" "reauth:db_errors = '$errors1'"; fi
check "the log says the DB cannot be written" wait_log "reauth DB write failed" 5
# (the shell may not even read it: the failed commit left a journal that
# only a writable file can roll back)
check_not_contains "DB: bob's subscription is not there yet" 1 \
	"$(sqlite3 "$KAM_RDB" "select count(*) from reauth_subscription where identity = 'sip:bob@ims.test'" 2>&1)"

# writable again: what changed meanwhile is written
unfreeze
check_eq "DB: bob's subscription is written once the store is writable" 1 \
	"$(wait_sql "$KAM_RDB" "select count(*) from reauth_subscription where identity = 'sip:bob@ims.test'" 1 10)"
check_eq "DB: carol's subscription too" 1 \
	"$(wait_sql "$KAM_RDB" "select count(*) from reauth_subscription where identity = 'sip:carol@ims.test'" 1 10)"
check_eq "DB: carol's procedure too" 1 \
	"$(wait_sql "$KAM_RDB" "select count(*) from reauth_procedure where identity = 'sip:carol@ims.test'" 1 10)"
# (each worker writes its own users' rows, and tries again on its own)
v1=$(wait_sql "$KAM_RDB" "select version from reauth_subscription where identity = 'sip:alice@ims.test'" $((v0 + 1)) 10)
if [ "${v1:-0}" -gt "${v0:-0}" ] 2>/dev/null; then pass "DB: alice's version moved on ($v0 -> $v1)"
else fail "DB: alice's version moved on" "before $v0, after $v1"; fi
check "the log says writing resumed" wait_log "reauth DB writable again" 5

# and later writes go straight through again, also while another
# connection holds the write lock a moment (the module waits for it)
errors2=$(reauth_stat db_errors)
printf '%s\n' 'BEGIN IMMEDIATE;' '.shell sleep 0.6' 'COMMIT;' | sqlite3 "$KAM_RDB" &
locker=$!
sleep 0.1
check "alice unregisters her contact" unregister_at alice "$pa"
wait "$locker"
check_eq "DB: alice's subscription is removed (no contact left)" 0 \
	"$(wait_sql "$KAM_RDB" "select count(*) from reauth_subscription where identity = 'sip:alice@ims.test'" 0 10)"
check_eq "no new DB error" "$errors2" "$(reauth_stat db_errors)"
check "kamailio is still running at the end" kill -0 "$KAM_PID"

finish
