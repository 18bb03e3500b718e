#!/usr/bin/env bash
# PostgreSQL stopped for a few seconds under a running Kamailio (the
# example on -A WITH_POSTGRES): while it is down a new subscription is
# made (from the trusted P-CSCF, no credentials to look up), a
# re-authentication starts, and a subscription whose watcher is gone is
# removed. Their NOTIFYs still go out, Kamailio stays up, reauth:db_errors
# grows and the log says why; once PostgreSQL is back, the rows written
# meanwhile reach it (the removed one is gone), later writes go straight
# through, and a restart of Kamailio finds the same subscriptions and
# procedures. (db_broken does the same with a read-only sqlite file.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"
. "$(dirname "$0")/pg_lib.sh"

kam_start_pg

pb=$(free_port) pc=$(free_port) pd=$(free_port)
check "bob registers at :$pb" register_at bob "$pb" 600
check "dave registers at :$pd" register_at dave "$pd" 600
# a watcher of dave's from the P-CSCF that goes away after its first
# NOTIFY: its next NOTIFY times out and removes the subscription
check "the P-CSCF subscribes to dave's reg event, then goes away" \
	from_pcscf sipp_run wd sub_probe.xml -key ruri sip:dave@ims.test \
	-key from_uri sip:pcscf@ims.test -key extra_hdr "X-Probe: gone" -key sub_expires 600
check_eq "PostgreSQL: dave's subscription is stored" 1 \
	"$(wait_pg "select count(*) from reauth_subscription where identity = 'sip:dave@ims.test'" 1 5)"
check "carol registers at :$pc" register_at carol "$pc" 600
sipp_bg wc sub_ue.xml "$(free_port)" -s carol -key watcher carol -au carol -ap carol-secret -key sub_expires 600 -key notifies 2
check "carol subscribes" wait_subs 1 sip:carol@ims.test
check_eq "PostgreSQL: carol's subscription is stored (next version 1)" 1 \
	"$(wait_pg "select version from reauth_subscription where identity = 'sip:carol@ims.test'" 1 5)"
check_eq "reauth:db_errors starts at 0" 0 "$(reauth_stat db_errors)"

# ---- PostgreSQL down
out=$(pg_ stop 2>&1)
check_contains "PostgreSQL is stopped" "stopped" "$out"
check_eq "... and does not answer" "" "$(pg_sql "select 1" | grep -x 1)"
t0=$(date +%s)

check "bob gets a subscription from the P-CSCF (trusted watcher) while PostgreSQL is down" \
	from_pcscf sipp_run wb sub_probe.xml -key ruri sip:bob@ims.test \
	-key from_uri sip:pcscf@ims.test -key extra_hdr "X-Probe: outage" -key sub_expires 600
check_contains "... answered 200" "SIP/2.0 200" "$(grep -m1 '^SIP/2.0 ' "$WORK/wb.msg")"
check "... and its initial NOTIFY" wait_notifies wb 1 5
check_eq "reauth.subscriptions lists bob's" 1 "$(subs_count sip:bob@ims.test)"
check_contains "reauth.user starts carol's re-authentication" "status: started" "$(reauth_start sip:carol@ims.test)"
check "carol's watcher gets the re-authentication NOTIFY" wait_notifies wc 2 10
check_eq "carol's procedure awaits the re-REGISTER" awaiting-register "$(proc_field sip:carol@ims.test state)"
check_contains "reauth.user starts dave's re-authentication" "status: started" "$(reauth_start sip:dave@ims.test)"
check "dave's gone watcher does not answer: its subscription is removed" wait_subs 0 sip:dave@ims.test 15
check "the log says the DB cannot be written" wait_log "reauth DB write failed" 10
errors1=$(reauth_stat db_errors)
if [ "${errors1:-0}" -gt 0 ] 2>/dev/null; then pass "reauth:db_errors grew to $errors1"
else fail "reauth:db_errors grew" "reauth:db_errors = '$errors1'"; fi
check "kamailio is still running" kill -0 "$KAM_PID"
check "the server still answers OPTIONS" sipp_run ping options.xml
# a few seconds down in all
s=$((t0 + 4 - $(date +%s)))
[ "$s" -gt 0 ] && sleep "$s"

# ---- PostgreSQL back
check "PostgreSQL starts again (same data, same port)" pg_start
check_eq "PostgreSQL: bob's subscription is written once it is back" 1 \
	"$(wait_pg "select count(*) from reauth_subscription where identity = 'sip:bob@ims.test'" 1 20)"
check_eq "PostgreSQL: carol's procedure too, awaiting the re-REGISTER (state 3)" "sip:carol@ims.test|3" \
	"$(wait_pg "select identity, state from reauth_procedure" "sip:carol@ims.test|3" 20)"
check_eq "PostgreSQL: carol's subscription's version moved on (next 2)" 2 \
	"$(wait_pg "select version from reauth_subscription where identity = 'sip:carol@ims.test'" 2 20)"
check "the log says writing resumed" wait_log "reauth DB writable again" 10
check_eq "PostgreSQL: dave's subscription is removed" 0 \
	"$(wait_pg "select count(*) from reauth_subscription where identity = 'sip:dave@ims.test'" 0 10)"

# later writes go straight through: carol's procedure ends, its row goes
errors2=$(reauth_stat db_errors)
check_contains "reauth.cancel ends carol's procedure" "cancel" "$(kamcmd_ reauth.cancel sip:carol@ims.test 2>&1)"
check_eq "PostgreSQL: carol's procedure row is removed" 0 \
	"$(wait_pg "select count(*) from reauth_procedure" 0 10)"
check_eq "no new DB error" "$errors2" "$(reauth_stat db_errors)"
check "digest authentication reads PostgreSQL again: bob registers" register_at bob "$pb" 600
check "kamailio is still running" kill -0 "$KAM_PID"

# nothing lost, nothing come back: a restart loads what was there before
wait_outcome sip:dave@ims.test deregistered 15 >/dev/null
check_eq "PostgreSQL: no procedure row left" 0 "$(wait_pg "select count(*) from reauth_procedure" 0 10)"
before=$(subs_field callid | sort)
kam_stop
kam_launch WITH_POSTGRES
check_eq "after a restart: the same subscriptions (bob's, carol's)" "$before" "$(subs_field callid | sort)"
check_eq "... two of them" 2 "$(subs_count)"
check_eq "... and no procedure" "" "$(kamcmd_ reauth.list 2>&1 | grep -E '^[[:space:]]*identity:')"

finish
