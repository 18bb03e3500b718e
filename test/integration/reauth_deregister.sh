#!/usr/bin/env bash
# Every way fails: the UE never answers the re-authentication NOTIFY (tm
# times it out), and declines the REFER. The network de-registers the
# user: contacts removed from usrloc and the DB, a NOTIFY with the
# terminated state (contact event "deactivated", Subscription-State
# terminated) to the P-CSCF-like watcher, and the user's established call
# ended with a BYE to both legs through the dialog module.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"

kam_start

pa=$(free_port) ps=$(free_port) pp=$(free_port) pb=$(free_port) pc=$(free_port)
check "alice registers at :$pa" register_at alice "$pa" 600
check "bob registers at :$pb" register_at bob "$pb" 600
sipp_bg ue uas_refer_decline.xml "$pa"
sipp_bg sub sub_silent.xml "$ps" -s alice -au alice -ap alice-secret
from_pcscf sipp_bg pcscf sub_ue.xml "$pp" -s alice -key watcher pcscf -key sub_expires 600 -key notifies 3
check "alice's and the P-CSCF's subscriptions are there" wait_subs 2 sip:alice@ims.test
check_eq "the P-CSCF's is of kind other" "other ue" "$(subs_field kind sip:alice@ims.test | sort | xargs)"

# a call from alice to bob, tracked by the dialog module
sipp_bg callee uas_call.xml "$pb"
sipp_bg caller uac_call.xml "$pc" -s alice -key callee bob
for i in $(seq 1 50); do
	kamcmd_ dlg.list 2>/dev/null | grep -q "state: 4" && break
	sleep 0.1
done
check_contains "the call is established (dialog confirmed)" "state: 4" "$(kamcmd_ dlg.list 2>&1)"

check_contains "reauth.user starts the procedure" "status: started" \
	"$(reauth_start sip:alice@ims.test)"
check "the user is de-registered (NOTIFY timeout, REFER declined)" \
	wait_outcome sip:alice@ims.test deregistered 20
check_eq "its reason" "refer failed" "$(proc_field sip:alice@ims.test reason)"

check_sipp "the UE's subscription got the NOTIFY and never answered" sub
check_sipp "the UE declined the REFER" ue
check_sipp "the P-CSCF got its three NOTIFYs" pcscf
check_sipp "the caller's leg got a BYE" caller
check_sipp "the callee's leg got a BYE" callee

sub_dialog pcscf
check_eq "P-CSCF: three NOTIFYs" 3 "$(notify_split pcscf)"
check_contact pcscf 2 "$pa" active shortened
h=$(notify_hdr_file pcscf 3)
b=$(notify_body pcscf 3)
check_eq "P-CSCF: the last NOTIFY is in its dialog" "$SUB_CALLID $SUB_RTAG" \
	"$(hdr "$h" Call-ID) $(tag_of "$(hdr "$h" From)")"
if out=$(validate_reginfo "$b" 2>&1); then pass "P-CSCF: the last body validates against RFC 3680"
else fail "P-CSCF: the last body validates against RFC 3680" "$out"; fi
check_eq "P-CSCF: version 2" 2 "$(reginfo_version "$b")"
check_eq "P-CSCF: every identity of alice is listed" 3 "$(reg_count "$b")"
ss=$(hdr "$h" Subscription-State)
check_eq "P-CSCF: the last NOTIFY ends the subscription" terminated "$(first_token "$ss")"
check_eq "P-CSCF: ... with reason deactivated" deactivated "$(param_of "$ss" reason)"
check_eq "P-CSCF: alice's registration is terminated" terminated "$(reg_attr "$b" sip:alice@ims.test state)"
check_contact pcscf 3 "$pa" terminated deactivated

for leg in caller callee; do
	check_eq "$leg: one BYE from the network" 1 \
		"$(sipp_extract "$WORK/$leg.msg" received '^BYE ' "$WORK/$leg.bye" body)"
done
check_not_contains "usrloc: alice has no contact left" "Address:" "$(kamcmd_ ul.lookup location alice@ims.test 2>&1)"
check_eq "DB: no location row of alice left" 0 \
	"$(wait_sql "$KAM_DB" "select count(*) from location where username='alice'" 0)"
check_range "usrloc: bob is still registered" 1 600 "$(ul_expires bob@ims.test "$pb")"
check_eq "no subscription of alice left" 0 "$(subs_count sip:alice@ims.test)"
check_eq "DB: no subscription row left" 0 \
	"$(sqlite3 "$KAM_RDB" "select count(*) from reauth_subscription")"
check_eq "statistics: re-authentication failed" 1 "$(reauth_stat reauth_failed)"
check_eq "statistics: deregistered" 1 "$(reauth_stat reauth_deregistered)"
check_eq "statistics: one session ended" 1 "$(reauth_stat sessions_ended)"
check_eq "statistics: the REFER failed" 1 "$(reauth_stat refer_failed)"
check "event_route[reauth:failed] ran" log_has "reauth 1 of sip:alice@ims.test: failed (refer failed)"
check "event_route[reauth:deregistered] ran" log_has "reauth 1 of sip:alice@ims.test: deregistered (refer failed)"

finish
