#!/usr/bin/env bash
# A store that lags loses nothing. The module's sqlite file is made
# unwritable (chattr +i) while 2600 UEs subscribe and are then all
# re-authenticated: the worker's pending batch fills up (2048
# subscription rows, then procedure rows up to 4096), and the changes past
# it stay marked in their tables instead (a subscription dirty, a
# procedure's db_dirty), put again by the tick. reauth:db_deferred counts
# them and the log says so once per hand-over, as a WARNING, not as a lost
# write; every SUBSCRIBE still gets its 200 and NOTIFY, every trigger its
# NOTIFY. Once the file is writable again, every subscription and every
# pending procedure reaches the DB.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"

UES=2600
BENCH_SIPP="$TOP/test/bench/sipp"

. "$(dirname "$0")/freeze_lib.sh"

kam_start REAUTH_TIMEOUT=600
awk -v n="$UES" -v d="$DOMAIN" 'BEGIN { print "BEGIN;"
	for (i = 0; i < n; i++) printf "INSERT INTO subscriber (username, domain, password) VALUES (\047bk%05d\047, \047%s\047, \047bk%05d-pw\047);\n", i, d, i
	print "COMMIT;" }' | sqlite3 "$KAM_DB"
check_eq "$UES users in the subscriber table" "$UES" \
	"$(sqlite3 "$KAM_DB" "select count(*) from subscriber where username like 'bk%'")"

# ue_sipp NAME SCENARIO CSEQ: every UE once, from one port (the UEs'
# contact), at most 200 at a time
ue_port=$(free_port)
inf="$WORK/ues.csv"
awk -v n="$UES" -v p="$ue_port" 'BEGIN { print "SEQUENTIAL"
	for (i = 0; i < n; i++) printf "bk%05d;bk%05d-pw;%d\n", i, i, p }' >"$inf"
ue_sipp() {
	timeout 120 sipp "$IP:$KAM_PORT" -sf "$BENCH_SIPP/$2" -i "$IP" -p "$ue_port" \
		-inf "$inf" -cid_str "backlog-%u@%s" -base_cseq "$3" -key domain "$DOMAIN" \
		-key expires 600 -key sub_expires 600 -m "$UES" -r 500 -l 200 \
		-aa -oocsf "$BENCH_SIPP/ooc_notify.xml" -deadcall_wait 0 -nostdin \
		-rtcheck loose -trace_err -error_file "$WORK/$1.err" >"$WORK/$1.out" 2>&1
}
# the calls that ended well, from sipp's last screen
sipp_ok() { sed -n 's/^ *Successful call *| *[0-9]* *| *\([0-9]*\).*/\1/p' "$WORK/$1.out" | tail -1; }

check "the $UES UEs register" ue_sipp reg ue_register.xml 1
check_eq "every REGISTER flow ended well" "$UES" "$(sipp_ok reg)"
check_eq "reauth:db_errors starts at 0" 0 "$(reauth_stat db_errors)"
check_eq "reauth:db_deferred starts at 0" 0 "$(reauth_stat db_deferred)"

if freeze; then pass "the module's sqlite files are made immutable:$IMMUTABLE"
else fail "chattr +i the module's sqlite files" "$IMMUTABLE"; fi

check "the $UES UEs subscribe while the store takes no write" ue_sipp sub ue_subscribe.xml 10
check_eq "every SUBSCRIBE got its 200 and initial NOTIFY" "$UES" "$(sipp_ok sub)"
check_eq "reauth:active_subscriptions" "$UES" "$(reauth_stat active_subscriptions)"
deferred=$(reauth_stat db_deferred)
# the batch takes 2048 subscriptions; the writer holds the first block
if [ "${deferred:-0}" -ge $((UES - 2048 - 100)) ] 2>/dev/null; then pass "reauth:db_deferred counts the changes past the batch ($deferred)"
else fail "reauth:db_deferred counts the changes past the batch (at least $((UES - 2148)))" "reauth:db_deferred = '$deferred'"; fi
check "the log says the store lags, as a warning" log_has "WARNING: reauth [reauth_db_batch.c"
check "... and why" wait_log "reauth DB lags: batch full (2048 rows waiting for the store)" 5
check_not_contains "no subscription is logged as lost" "not kept" "$(grep -F 'reauth DB write failed: batch full' "$KAM_LOG")"

# every user re-authenticated: a UAS on the UEs' port answers the NOTIFYs
# (nobody re-REGISTERs: the procedures stay pending, REAUTH_TIMEOUT away)
timeout 120 sipp -sf "$BENCH_SIPP/reauth_notify_200.xml" -i "$IP" -p "$ue_port" -m "$UES" \
	-nostdin -trace_err -error_file "$WORK/answer.err" >"$WORK/answer.out" 2>&1 &
BG_PIDS="$BG_PIDS $!"
awk -v n="$UES" 'BEGIN { print "SEQUENTIAL"; for (i = 0; i < n; i++) printf "bk%05d\n", i }' >"$WORK/trigger.csv"
check "$UES triggers from the application server" timeout 120 sipp "$IP:$KAM_PORT" \
	-sf "$BENCH_SIPP/reauth_trigger.xml" -i "$AS_IP" -p "$(free_port)" -inf "$WORK/trigger.csv" \
	-key domain "$DOMAIN" -m "$UES" -r 500 -l 100 -nostdin -trace_err -error_file "$WORK/trigger.err"
check_eq "reauth:reauth_started" "$UES" "$(reauth_stat reauth_started)"
sent=""
for i in $(seq 1 100); do
	sent=$(reauth_stat reauth_notify_sent)
	[ "$sent" = "$UES" ] && break
	sleep 0.2
done
check_eq "every re-authentication NOTIFY went out" "$UES" "$sent"
deferred2=$(reauth_stat db_deferred)
# the batch holds 2048 subscriptions and 2048 procedures more at most
if [ "${deferred2:-0}" -ge $((deferred + UES - 2048)) ] 2>/dev/null; then pass "reauth:db_deferred counts the procedures past the batch ($deferred -> $deferred2)"
else fail "reauth:db_deferred counts the procedures past the batch (at least $((deferred + UES - 2048)))" "reauth:db_deferred = '$deferred2'"; fi
check_eq "no procedure is lost (reauth:db_errors counts only failed commits)" "" \
	"$(grep -F 'not kept' "$KAM_LOG")"
check "kamailio is still running" kill -0 "$KAM_PID"

unfreeze
check_eq "DB: every subscription is written once the store is writable" "$UES" \
	"$(wait_sql "$KAM_RDB" "select count(*) from reauth_subscription where identity like 'sip:bk%'" "$UES" 40)"
check_eq "DB: every pending procedure too" "$UES" \
	"$(wait_sql "$KAM_RDB" "select count(*) from reauth_procedure where identity like 'sip:bk%'" "$UES" 40)"
check "the log says writing resumed" wait_log "reauth DB writable again" 5
check_eq "the subscriptions are still there" "$UES" "$(reauth_stat active_subscriptions)"

finish
