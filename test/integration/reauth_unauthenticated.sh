#!/usr/bin/env bash
# Only an authenticated re-REGISTER completes a re-authentication.
# The example cfg saves an integrity-protected REGISTER without a challenge,
# unless reauth_pending() says a re-authentication is pending: then it is
# challenged and does not complete the procedure; neither does one with a
# wrong password. While pending, a second trigger is refused (RPC and the
# script's reauth_user()). A REGISTER with the right credentials completes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"

kam_start

pa=$(free_port) ps=$(free_port)
check "alice registers at :$pa" register_at alice "$pa" 600
# before any re-authentication the integrity-protected REGISTER (from the
# P-CSCF: only there is it believed) is saved
check "an integrity-protected REGISTER from the P-CSCF is saved without a challenge" \
	from_pcscf sipp_run_at ip1 "$pa" ue_register_integrity.xml -s alice -key expires 600
check_eq "... answered 200" 200 "$(status_code "$(final_response ip1)")"

sipp_bg sub sub_ue.xml "$ps" -s alice -key watcher alice -au alice -ap alice-secret -key sub_expires 600 -key notifies 2
check "alice subscribes" wait_subs 1 sip:alice@ims.test
check "the script's reauth_user() starts the procedure (MESSAGE: 202)" \
	from_as sipp_run as as_reauth_request.xml -key identity sip:alice@ims.test
check_contains "... answered 202" "SIP/2.0 202" "$(cat "$WORK/as.msg")"
check_sipp "the UE's subscription accepted the re-authentication NOTIFY" sub
check_eq "the procedure awaits the re-REGISTER" awaiting-register "$(proc_field sip:alice@ims.test state)"

out=$(reauth_start sip:alice@ims.test)
check_contains "a second reauth.user is refused: 409" \
	"409 - a re-authentication of this identity is pending" "$out"
check_contains "one for the other identity of the set too" "409 -" \
	"$(reauth_start sip:alice2@ims.test)"
check "the script's reauth_user() returns -4 (MESSAGE: 409)" \
	from_as sipp_run as2 as_reauth_request.xml -key identity sip:alice@ims.test
check_contains "... answered 409" "SIP/2.0 409" "$(cat "$WORK/as2.msg")"
check "the script's reauth_user() returns -3 for an unregistered identity (404)" \
	from_as sipp_run as3 as_reauth_request.xml -key identity sip:carol@ims.test
check_contains "... answered 404" "SIP/2.0 404" "$(cat "$WORK/as3.msg")"
check "the script's reauth_user() returns -2 for garbage (400)" \
	from_as sipp_run as4 as_reauth_request.xml -key identity 'not-a-uri'
check_contains "... answered 400" "SIP/2.0 400" "$(cat "$WORK/as4.msg")"

check "the integrity-protected REGISTER gets a run" \
	from_pcscf sipp_run_at ip2 "$pa" ue_register_integrity.xml -s alice -key expires 600
check_eq "... and is challenged now (reauth_pending)" 401 "$(status_code "$(final_response ip2)")"
check "a REGISTER with a wrong password is refused" \
	sipp_run_at bad "$pa" ue_register_wrong_password.xml -s alice -au alice -ap wrong -key expires 600
# usrloc did not save them (that is what would tell the procedure, in the
# same process before the answer): nothing is on its way to the notifier
check_range "alice's contact is still shortened" 1 60 "$(ul_expires alice@ims.test "$pa")"
check_eq "the procedure still awaits the re-REGISTER" awaiting-register "$(proc_field sip:alice@ims.test state)"

check "alice registers with her credentials" register_at alice "$pa" 600
check "the procedure completes" wait_outcome sip:alice@ims.test completed 5
check_eq "statistics: completed once" 1 "$(reauth_stat reauth_completed)"
check_eq "statistics: started once" 1 "$(reauth_stat reauth_started)"

finish
