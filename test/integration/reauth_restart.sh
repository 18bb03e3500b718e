#!/usr/bin/env bash
# A restart of Kamailio in the middle of a re-authentication: the pending
# procedure is in the DB, comes back with the same id and state, and its
# deadline still fires: no re-REGISTER came, so the user is de-registered
# (reason timeout) and the reg event subscription gets the terminated
# NOTIFY in the same dialog.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"

kam_start "REAUTH_TIMEOUT=8"

pa=$(free_port) ps=$(free_port)
check "alice registers at :$pa" register_at alice "$pa" 600
sipp_bg sub sub_ue.xml "$ps" -s alice -key watcher alice -au alice -ap alice-secret -key sub_expires 600 -key notifies 3
check "alice subscribes" wait_subs 1 sip:alice@ims.test
check_contains "reauth.user starts procedure 1" "id: 1" "$(reauth_start sip:alice@ims.test)"
check "the procedure awaits the re-REGISTER" wait_notifies sub 2 5
# the NOTIFY's 200 moves it on; stored in that state (3, RP_AWAITING)
wait_sql "$KAM_RDB" "select state from reauth_procedure where id = 1" 3 5 >/dev/null
check_eq "... state" awaiting-register "$(proc_field sip:alice@ims.test state)"
check_eq "DB: the procedure is stored" "1|sip:alice@ims.test" \
	"$(sqlite3 "$KAM_RDB" "select id, identity from reauth_procedure")"

kam_stop
kam_launch "REAUTH_TIMEOUT=8"
check_eq "after the restart: procedure 1 is back" 1 "$(proc_field sip:alice@ims.test id)"
check_eq "after the restart: still awaiting the re-REGISTER" awaiting-register \
	"$(proc_field sip:alice@ims.test state)"
check_range "after the restart: its deadline is kept" 0 8 "$(proc_field sip:alice@ims.test deadline_in)"
check "after the restart: reauth_pending() still challenges alice" log_has "resumed 1 pending"

check "the deadline fires: de-registered" wait_outcome sip:alice@ims.test deregistered 15
check_eq "reason timeout" timeout "$(proc_field sip:alice@ims.test reason)"
check_sipp "the subscription got initial, re-authentication and terminated NOTIFYs" sub
sub_dialog sub
notify_split sub >/dev/null
h=$(notify_hdr_file sub 3)
b=$(notify_body sub 3)
check_eq "the terminated NOTIFY comes in the same dialog after the restart" \
	"$SUB_CALLID $SUB_RTAG" "$(hdr "$h" Call-ID) $(tag_of "$(hdr "$h" From)")"
check_eq "... with the next version" 2 "$(reginfo_version "$b")"
check_eq "... Subscription-State terminated" terminated "$(first_token "$(hdr "$h" Subscription-State)")"
check_contact sub 3 "$pa" terminated deactivated
check_not_contains "usrloc: alice has no contact left" "Address:" "$(kamcmd_ ul.lookup location alice@ims.test 2>&1)"
check_eq "DB: the finished procedure is gone" 0 \
	"$(sqlite3 "$KAM_RDB" "select count(*) from reauth_procedure")"

finish
