#!/usr/bin/env bash
# reg_event_mode pua with body_format "draft": the re-authentication's
# publication is in the seed contribution's notation, as the own
# notifier's NOTIFY would be (tuples, "re-authenticate", "automatically
# by" for the identity the trigger covers), and the presence server holds
# it for its watchers; the plain registration changes stay RFC 3680
# documents. Cancelled at the end: no REFER, no de-registration.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"
. "$(dirname "$0")/pua_lib.sh"

pua_kam_start 'BODY_FORMAT="draft"' "PUBLISH_WAIT=30"

p2=$(free_port) pa=$(free_port)
check "alice2 (same implicit set) registers at :$p2" register_at alice2 "$p2" 600
check "alice registers at :$pa" register_at alice "$pa" 600
check "both changes are published (three identities each)" wait_published 6
check_contains "a registration change: an RFC 3680 document" 'event="registered"' \
	"$(presentities alice)"

check_contains "reauth.user starts the procedure" "status: started" \
	"$(reauth_start sip:alice@ims.test)"
check "the re-authentication is published (three identities)" wait_published 9
pr=$(presentities alice2)
check_contains "alice2's document: the draft's tuple" '<tuple name="sip:alice2@ims.test">' "$pr"
check_contains "... re-authenticate" '<value>re-authenticate</value>' "$pr"
check_contains "... automatically by the trigger's identity" \
	'<detail>automatically by sip:alice@ims.test</detail>' "$pr"
check_not_contains "... no RFC 3680 contact" '<contact' "$pr"
check_contains "alice's document: her own tuple re-authenticates" \
	'<tuple name="sip:alice@ims.test"><status><value>re-authenticate</value></status></tuple>' \
	"$(presentities alice)"
check_eq "the procedure waits for the re-REGISTER" published \
	"$(proc_field sip:alice@ims.test state)"
check_contains "reauth.cancel stops it" "cancelled" "$(kamcmd_ reauth.cancel sip:alice@ims.test 2>&1)"
check "its outcome: cancelled" wait_outcome sip:alice@ims.test cancelled 5
check_eq "statistics: no REFER" 0 "$(reauth_stat refer_sent)"
check_eq "statistics: nothing de-registered" 0 "$(reauth_stat reauth_deregistered)"
check_eq "statistics: no PUBLISH failed" 0 "$(reauth_stat publish_failed)"

finish
