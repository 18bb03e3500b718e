#!/usr/bin/env bash
# reg_event_mode pua, every way fails: the module cannot see the
# watchers' answers (they go to the presence server), so it waits
# publish_wait for the authenticated re-REGISTER, which never comes; then
# it REFERs the UE's contact, which declines; then it de-registers the
# user. The P-CSCF-like watcher, subscribed through presence, sees the
# shortened contacts and then the terminated state (contact event
# "deactivated"), and the user's call is ended with a BYE to both legs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"
. "$(dirname "$0")/pua_lib.sh"

pua_kam_start "SHORTENED_EXPIRES=30" "PUBLISH_WAIT=3" "REAUTH_TIMEOUT=30"

pa=$(free_port) pp=$(free_port) pb=$(free_port) pc=$(free_port)
check "alice registers at :$pa" register_at alice "$pa" 600
check "bob registers at :$pb" register_at bob "$pb" 600
# alice's change for alice, alice2, alicew; bob's for bob
check "both registrations are published" wait_published 4
sipp_bg ue uas_refer_decline.xml "$pa"
from_pcscf sipp_bg pcscf presence_watch.xml "$pp" -s alice -key watcher pcscf
check "the P-CSCF's subscription through presence gets alice's state" wait_notifies pcscf 1
check_contact pcscf 1 "$pa" active registered

# a call from alice to bob, tracked by the dialog module
sipp_bg callee uas_call.xml "$pb"
sipp_bg caller uac_call.xml "$pc" -s alice -key callee bob
for i in $(seq 1 50); do
	kamcmd_ dlg.list 2>/dev/null | grep -q "state: 4" && break
	sleep 0.1
done
check_contains "the call is established (dialog confirmed)" "state: 4" "$(kamcmd_ dlg.list 2>&1)"

t0=$(date +%s)
check_contains "reauth.user starts the procedure" "status: started" \
	"$(reauth_start sip:alice@ims.test)"
check_eq "it waits for the re-REGISTER: published" published \
	"$(proc_field sip:alice@ims.test state)"
check "the user is de-registered (no re-REGISTER, REFER declined)" \
	wait_outcome sip:alice@ims.test deregistered 20
check_eq "its reason" "refer failed" "$(proc_field sip:alice@ims.test reason)"

check_sipp "the UE declined the REFER" ue
check_sipp "the P-CSCF saw the terminated state" pcscf
check_sipp "the caller's leg got a BYE" caller
check_sipp "the callee's leg got a BYE" callee

n=$(sipp_extract "$WORK/ue.msg" received '^REFER ' "$WORK/ue.refer" body)
check_eq "one REFER" 1 "$n"
check "the log says why the REFER went" grep -qE "no authenticated re-REGISTER in [0-9]+ s: REFER" "$KAM_LOG"
tr=$(to_epoch "$(cat "$WORK/ue.refer.1.time" 2>/dev/null)")
check_range "the REFER came when publish_wait (3 s) had passed, not before" 2 12 \
	"$(( ${tr:-0} - t0 ))"

k1=$(notify_with pcscf 'event="shortened"')
k2=$(notify_with pcscf 'event="deactivated"')
check "P-CSCF: a NOTIFY shows the shortened contacts" test -n "$k1"
check "P-CSCF: a later NOTIFY shows the de-registration" test "${k2:-0}" -gt "${k1:-0}"
check_contact pcscf "${k1:-0}" "$pa" active shortened
b=$(notify_body pcscf "${k2:-0}")
if out=$(validate_reginfo "$b" 2>&1); then pass "P-CSCF: that body validates against RFC 3680"
else fail "P-CSCF: that body validates against RFC 3680" "$out"; fi
check_eq "P-CSCF: alice's registration is terminated" terminated "$(reg_attr "$b" sip:alice@ims.test state)"
check_contact pcscf "${k2:-0}" "$pa" terminated deactivated
check_eq "P-CSCF: every identity of alice is listed" 3 "$(reg_count "$b")"
check "P-CSCF: the versions grow" versions_grow pcscf

for leg in caller callee; do
	check_eq "$leg: one BYE from the network" 1 \
		"$(sipp_extract "$WORK/$leg.msg" received '^BYE ' "$WORK/$leg.bye" body)"
done
check_not_contains "usrloc: alice has no contact left" "Address:" "$(kamcmd_ ul.lookup location alice@ims.test 2>&1)"
check_range "usrloc: bob is still registered" 1 600 "$(ul_expires bob@ims.test "$pb")"
check_contains "the presence server keeps alice's terminated state" 'event="deactivated"' \
	"$(presentities alice)"
check_eq "statistics: one publication per identity" 3 "$(reauth_stat reauth_notify_sent)"
check_eq "statistics: the REFER failed" 1 "$(reauth_stat refer_failed)"
check_eq "statistics: re-authentication failed" 1 "$(reauth_stat reauth_failed)"
check_eq "statistics: deregistered" 1 "$(reauth_stat reauth_deregistered)"
check_eq "statistics: one session ended" 1 "$(reauth_stat sessions_ended)"
check_eq "statistics: no PUBLISH failed" 0 "$(reauth_stat publish_failed)"
check "every PUBLISH answered" tm_idle 10
check_eq "no PUBLISH left open (the table of open ones is empty)" 0 \
	"$(reauth_stat publish_open)"
check "event_route[reauth:deregistered] ran" log_has "reauth 1 of sip:alice@ims.test: deregistered (refer failed)"

finish
