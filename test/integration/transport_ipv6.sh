#!/usr/bin/env bash
# IPv6 (RFC 5626 aside, plain [::1]): a UE registers and subscribes over
# IPv6. Its re-authentication NOTIFY carries <uri>sip:alice@[::1]:...</uri>,
# which libxml2's anyURI check rejects although it is a valid URI: the
# NOTIFY is sent all the same (sending never depends on validation). The
# UE refuses it, the REFER goes to its IPv6 contact from the IPv6 socket,
# and it registers again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"

KAM_PORT=$(free_port)
kam_start "LISTEN_V6=udp:[::1]:$KAM_PORT"
IP6=::1
v6() { SIPP_REMOTE="[$IP6]:$KAM_PORT" SIPP_IP=$IP6 "$@"; }

pa=$(free_port)
ps=$(free_port)
check "alice registers from [::1]:$pa" v6 register_at alice "$pa" 600
check_contains "usrloc: her contact is the IPv6 one" "sip:alice@[::1]:$pa;transport=udp" \
	"$(kamcmd_ ul.lookup location alice@ims.test 2>&1)"
# the UE also notifies its REFER (it ignores Refer-Sub: false), over IPv6
v6 sipp_bg ue ue_refer_notify.xml "$pa" -s alice -au alice -ap alice-secret \
	-key contact_port "$pa" -key ctransport udp
v6 sipp_bg sub sub_refuse.xml "$ps" -s alice -au alice -ap alice-secret
check "alice subscribes over IPv6" wait_subs 1 sip:alice@ims.test
check_eq "the subscription keeps the IPv6 socket" "udp:[::1]:$KAM_PORT" \
	"$(wait_sql "$KAM_RDB" "SELECT socket FROM reauth_subscription" "udp:[::1]:$KAM_PORT" 10)"
check_contains "reauth.user starts the procedure" "status: started" \
	"$(reauth_start sip:alice@ims.test)"
check_sipp "the subscription got both NOTIFYs over IPv6 and refused the second" sub
check_sipp "the UE got the REFER over IPv6 and registered again" ue
check "the procedure completes" wait_outcome sip:alice@ims.test completed 10

check_eq "two NOTIFYs: initial and re-authentication" 2 "$(notify_split sub)"
b=$(notify_body sub 2)
check_contains "NOTIFY: the contact's <uri> is the IPv6 one" \
	"<uri>sip:alice@[::1]:$pa;transport=udp</uri>" "$(cat "$b")"
IP="[::1]" check_contact sub 2 "$pa" active shortened
check_contains "NOTIFY: sent from the IPv6 socket" "[::1]:$KAM_PORT" "$(hdr "$(notify_hdr_file sub 2)" Via)"
# libxml2 (2.9) refuses the brackets of an IPv6 host in xs:anyURI: the
# body is schema-invalid to it, and it was sent anyway
if validate_reginfo "$b" >/dev/null 2>&1; then
	pass "the body validates (this libxml2 accepts IPv6 in anyURI)"
else
	check_contains "only the IPv6 <uri> fails libxml2's check" "anyURI" \
		"$(validate_reginfo "$b" 2>&1)"
fi

n=$(sipp_extract "$WORK/ue.msg" received '^REFER ' "$WORK/ue.refer" body)
check_eq "one REFER reached the UE's IPv6 contact" 1 "$n"
h="$WORK/ue.refer.1.hdr"
check_eq "REFER: Request-URI is the IPv6 contact" "sip:alice@[::1]:$pa;transport=udp" \
	"$(request_uri "$h")"
check_contains "REFER: sent from the IPv6 socket" "[::1]:$KAM_PORT" "$(hdr "$h" Via)"
check_eq "REFER: our Contact is the IPv6 socket" "<sip:[::1]:$KAM_PORT;transport=udp>" \
	"$(hdr "$h" Contact)"
check_range "statistics: the NOTIFYs were sent (initial, re-auth, maybe the refresh)" 2 3 "$(reauth_stat notify_sent)"
check_eq "statistics: none too large" 0 "$(reauth_stat notify_too_large)"
responses_split ue >/dev/null
code=$(for f in "$WORK"/ue.resp.*.hdr; do
	case $(hdr "$f" CSeq) in *NOTIFY) status_code "$f" ;; esac
done | head -1)
check_eq "the UE's NOTIFY (Event: refer) to [::1] is answered 200 OK" 200 "$code"
check_range "usrloc: alice's IPv6 contact re-registered" 590 600 "$(ul_expires alice@ims.test "$pa" "[::1]")"

finish
