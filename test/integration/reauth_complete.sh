#!/usr/bin/env bash
# Network-initiated re-authentication, the way it should go: the UE is
# registered and watches its own reg event; kamcmd reauth.user sends it a
# NOTIFY where its contact is shortened (event="shortened") and the other
# identity of its implicit set (sip:alice2) is shortened with it, while
# alice's other set (sip:alicew) is shown as it is. The UE answers 200,
# registers again, is challenged, passes digest, and the procedure ends
# completed; after that, a new trigger starts a new procedure.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"

kam_start "SHORTENED_EXPIRES=30"

p2=$(free_port)
check "alice2 (same implicit set) registers at :$p2" register_at alice2 "$p2" 600
pa=$(free_port)
sipp_bg ue ue_reauth.xml "$pa" -s alice -au alice -ap alice-secret -key expires 600
check "the UE registered and subscribed" wait_subs 1 sip:alice@ims.test

out=$(reauth_start sip:alice@ims.test)
check_contains "reauth.user starts the procedure" "status: started" "$out"
check_contains "reauth.show lists both identities of the set" "sip:alice2@ims.test" \
	"$(kamcmd_ reauth.show sip:alice@ims.test)"

check_sipp "the UE got the NOTIFY, answered 200 and registered again" ue

n=$(notify_split ue)
check_range "the UE received its NOTIFYs (initial, re-authentication, refresh)" 2 3 "$n"
sub_dialog ue
b=$(notify_body ue 2)
h=$(notify_hdr_file ue 2)
check_eq "re-authentication NOTIFY: in the subscription dialog" "$SUB_CALLID" "$(hdr "$h" Call-ID)"
check_eq "re-authentication NOTIFY: Event: reg" reg "$(first_token "$(hdr "$h" Event)")"
check_eq "re-authentication NOTIFY: subscription stays active" active \
	"$(first_token "$(hdr "$h" Subscription-State)")"
check_eq "re-authentication NOTIFY: version 1" 1 "$(reginfo_version "$b")"
if out=$(validate_reginfo "$b" 2>&1); then pass "re-authentication NOTIFY: body validates against RFC 3680"
else fail "re-authentication NOTIFY: body validates against RFC 3680" "$out"; fi
check_contact ue 2 "$pa" active shortened
check_range "alice's contact: expires shortened to 30" 25 30 "$(contact_attr "$b" "$pa" expires)"
check_contact ue 2 "$p2" active shortened
check_eq "alice2's registration is active" active "$(reg_attr "$b" sip:alice2@ims.test state)"
check_eq "alicew (another set of alice) is listed, not re-authenticated" "init 0" \
	"$(reg_attr "$b" sip:alicew@ims.test state) $(contact_count "$b" sip:alicew@ims.test)"
check_eq "the re-authentication NOTIFY lists the same registrations as the initial one (TS 24.229)" \
	"$(reg_aors "$(notify_body ue 1)")" "$(reg_aors "$b")"

requests_sent ue REGISTER >/dev/null
responses_split ue >/dev/null
check_contains "the re-REGISTER was challenged" "401" \
	"$(grep -l 'CSeq: 3 REGISTER' "$WORK"/ue.resp.*.hdr | xargs head -qn1)"

check "the procedure completes" wait_outcome sip:alice@ims.test completed 5
check_eq "its reason" re-registered "$(proc_field sip:alice@ims.test reason)"
check_eq "statistics: started" 1 "$(reauth_stat reauth_started)"
check_eq "statistics: one re-authentication NOTIFY" 1 "$(reauth_stat reauth_notify_sent)"
check_eq "statistics: completed" 1 "$(reauth_stat reauth_completed)"
check_eq "statistics: nothing deregistered" 0 "$(reauth_stat reauth_deregistered)"
check "event_route[reauth:completed] ran with \$reauth(...)" \
	log_has "reauth 1 of sip:alice@ims.test: completed (re-registered)"
check_range "usrloc: alice's contact is back to the registered expires" 590 600 \
	"$(ul_expires alice@ims.test "$pa")"
check_range "usrloc: alice2's contact stays shortened" 1 30 "$(ul_expires alice2@ims.test "$p2")"

# a new trigger after the outcome starts a new procedure
out=$(reauth_start sip:alice2@ims.test)
check_contains "after the outcome, a new reauth.user starts again" "status: started" "$out"
check_contains "... as procedure 2" "id: 2" "$out"

finish
