#!/usr/bin/env bash
# The module parameters that change behaviour, each seen on the wire or in
# the DB, on one Kamailio restarted with other values:
#  1. default_expires 1200, hash_size 16, db_mode 2 (write-back),
#     refer_to, dereg_event rejected, terminate_sessions 0;
#  2. db_mode 0 and refer_fallback 0;
#  3. the cfg's SIP_RT_PRIO (real-time SIP workers) with worker_nice 10.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"

kam_start DEFAULT_EXPIRES=1200 HASH_SIZE=16 REAUTH_DB_MODE=2 \
	'REFER_TO="sip:scscf.ims.test;method=REGISTER"' 'DEREG_EVENT="rejected"' \
	TERMINATE_SESSIONS=0

pa=$(free_port) pp=$(free_port) pb=$(free_port) pc=$(free_port) pn=$(free_port)
check "alice registers at :$pa" register_at alice "$pa" 600
check "bob registers at :$pb" register_at bob "$pb" 600
check "a SUBSCRIBE without Expires" sipp_run_at noexp "$pn" sub_no_expires.xml -s bob -au bob -ap bob-secret
check_eq "default_expires: granted 1200" 1200 "$(hdr "$(final_response noexp "$(initial_sub_cseq noexp)")" Expires)"
check_eq "db_mode 2: the subscription is written back within a second" 1 \
	"$(wait_sql "$KAM_RDB" "select count(*) from reauth_subscription where aor='bob@ims.test'" 1 3)"

sipp_bg ue uas_refer_decline.xml "$pa"
from_pcscf sipp_bg pcscf sub_ue.xml "$pp" -s alice -key watcher pcscf -key sub_expires 600 -key notifies 3
check "the P-CSCF subscribes (hash_size 16 table)" wait_subs 1 sip:alice@ims.test
sipp_bg callee uas_call.xml "$pb"
sipp_bg caller uac_call.xml "$pc" -s alice -key callee bob
for i in $(seq 1 50); do
	kamcmd_ dlg.list 2>/dev/null | grep -q "state: 4" && break
	sleep 0.1
done
check_contains "the call is established" "state: 4" "$(kamcmd_ dlg.list 2>&1)"
check_contains "reauth.user starts" "status: started" "$(reauth_start sip:alice@ims.test)"
check_sipp "the UE declined the REFER" ue
check_eq "refer_to: the REFER's Refer-To" "<sip:scscf.ims.test;method=REGISTER>" \
	"$(sipp_extract "$WORK/ue.msg" received '^REFER ' "$WORK/ue.refer" body >/dev/null
		hdr "$WORK/ue.refer.1.hdr" Refer-To)"
check "de-registered" wait_outcome sip:alice@ims.test deregistered 10
# the re-authentication and the final NOTIFY come back to back here (no
# UE subscription to wait for): count them from the trace
check "the P-CSCF got initial, re-authentication and final NOTIFY" wait_notifies pcscf 3 5
h=$(notify_hdr_file pcscf 3)
ss=$(hdr "$h" Subscription-State)
check_eq "dereg_event rejected: reason of Subscription-State terminated" "terminated rejected" \
	"$(first_token "$ss") $(param_of "$ss" reason)"
check_contact pcscf 3 "$pa" terminated rejected
check_eq "terminate_sessions 0: no session ended" 0 "$(reauth_stat sessions_ended)"
check_contains "... the call is still there" "state: 4" "$(kamcmd_ dlg.list 2>&1)"
kill "$SIPP_PID_caller" "$SIPP_PID_callee" 2>/dev/null

kam_stop
kam_launch REAUTH_DB_MODE=0 REFER_FALLBACK=0 SUB_MIN_EXPIRES=1 WORKER_NICE=20
pq=$(free_port)
check "alice registers again at :$pq" register_at alice "$pq" 600
rows=$(sqlite3 "$KAM_RDB" "select count(*) from reauth_subscription")
check "a subscription of bob (db_mode 0)" sipp_run_at sub0 "$(free_port)" sub_no_expires.xml -s bob -au bob -ap bob-secret
# subscriptions are written by the notifier: write-through when it sends
# the initial NOTIFY (sub0 got it), write-back on its once-a-second pass,
# the one that also ends a 2 s subscription taken after sub0
check "marker: a 2 s subscription of bob ends by the notifier's timer" \
	sipp_run mark sub_long.xml -s bob -key watcher bob -au bob -ap bob-secret -key sub_expires 2
check_eq "db_mode 0: the new subscription is not written" "$rows" \
	"$(sqlite3 "$KAM_RDB" "select count(*) from reauth_subscription")"
check_contains "reauth.user starts" "status: started" "$(reauth_start sip:alice@ims.test)"
check "refer_fallback 0, no UE subscription: de-registered at once" \
	wait_outcome sip:alice@ims.test deregistered 3
check_eq "... reason" "no subscription" "$(proc_field sip:alice@ims.test reason)"
check_eq "... without a REFER" 0 "$(reauth_stat refer_sent)"

# worker_nice 20: the worker runs SCHED_IDLE (db_mode 0: no DB writer)
wpid=$(kamcmd_ core.psx 2>&1 | awk '/PID:/ { pid = $2 } /DSC:/ && /reauth worker/ { print pid }')
check_contains "worker_nice 20: the worker's policy is SCHED_IDLE" "SCHED_IDLE" "$(chrt -p "${wpid:-0}" 2>&1)"
check_eq "db_mode 0: no DB writer process" "" \
	"$(kamcmd_ core.psx 2>&1 | grep 'reauth db writer')"

# 3. -A SIP_RT_PRIO (Kamailio's real_time=4): every process inherits
# SCHED_RR; the module's (worker_nice 10) go one real-time priority below
# the SIP workers
kam_stop
kam_launch SIP_RT_PRIO=10
# policy_of DESCRIPTION: the scheduling policies of the processes core.psx
# describes so
policy_of() {
	kamcmd_ core.psx 2>&1 | awk -v d="$1" '/PID:/ { pid = $2 } /DSC:/ && index($0, d) { print pid }' |
		while read -r p; do chrt -p "$p" 2>&1 | sed -n 's/.*scheduling policy: //p'; done | sort -u | xargs
}
# rtprio_of DESCRIPTION: their real-time priorities
rtprio_of() {
	kamcmd_ core.psx 2>&1 | awk -v d="$1" '/PID:/ { pid = $2 } /DSC:/ && index($0, d) { print pid }' |
		while read -r p; do chrt -p "$p" 2>&1 | sed -n 's/.*scheduling priority: //p'; done | sort -u | xargs
}
if [ "$(policy_of "udp receiver")" = SCHED_RR ]; then
	check_eq "SIP_RT_PRIO 10: the SIP workers at real-time priority 10" 10 "$(rtprio_of "udp receiver")"
	check_eq "... the worker and the DB writer SCHED_RR one below (9)" "SCHED_RR 9 SCHED_RR 9" \
		"$(policy_of "reauth worker") $(rtprio_of "reauth worker") $(policy_of "reauth db writer") $(rtprio_of "reauth db writer")"
	check "SIP_RT_PRIO: alice registers" register_at alice "$(free_port)" 600
else
	log "SIP_RT_PRIO: no real-time policy here ($(policy_of "udp receiver")): skipped"
fi

finish
