#!/usr/bin/env bash
# Even when the script saves a REGISTER without checking its credentials
# (here: a cfg that ignores reauth_pending() and saves integrity-protected
# REGISTERs from the P-CSCF unchallenged), that REGISTER does not complete
# a pending re-authentication: only one whose digest credentials were
# verified does.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"

kam_start "IGNORE_REAUTH_PENDING=1"

pa=$(free_port) ps=$(free_port)
check "alice registers at :$pa" register_at alice "$pa" 600
sipp_bg sub sub_ue.xml "$ps" -s alice -key watcher alice -au alice -ap alice-secret -key sub_expires 600 -key notifies 2
check "alice subscribes" wait_subs 1 sip:alice@ims.test
check_contains "reauth.user starts the procedure" "status: started" "$(reauth_start sip:alice@ims.test)"
check_sipp "the UE's subscription accepted the re-authentication NOTIFY" sub

check "an integrity-protected REGISTER without credentials, from the P-CSCF" \
	from_pcscf sipp_run_at ip "$pa" ue_register_integrity.xml -s alice -key expires 600
check_eq "... is saved by this script (200)" 200 "$(status_code "$(final_response ip)")"
check_range "usrloc took it: its contact is registered for 600 s" 590 600 \
	"$(ul_expires alice@ims.test "$pa" "$PCSCF_IP")"
# the notifier logs this when it has handled that REGISTER
check "the module logged why" wait_log "that was not authenticated does not complete it" 5
check_eq "the procedure still awaits an authenticated re-REGISTER" awaiting-register \
	"$(proc_field sip:alice@ims.test state)"

check "alice registers with her credentials" register_at alice "$pa" 600
check "the procedure completes" wait_outcome sip:alice@ims.test completed 5

finish
