#!/usr/bin/env bash
# A UE that registered and subscribed over TCP is reached on its own
# connection: its Contact names a port where nothing listens (a UE behind
# NAT, or one that takes no new connections), so whatever reaches it came
# over the connection it opened. The re-authentication NOTIFY (refused),
# the REFER that follows and the NOTIFYs of the subscription all arrive;
# the UE, ignoring "Refer-Sub: false", notifies its REFER (Event: refer)
# and gets 200 OK, then registers again and the procedure completes.
# (KEMI=1: the same through etc/kamailio-kemi.cfg and etc/reauth.lua,
# transport_tcp_kemi.sh)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"

KAM_PORT=$(free_port)
if [ -n "${KEMI:-}" ]; then
	KAM_CFG="$TOP/etc/kamailio-kemi.cfg"
	kam_start "LISTEN_TCP=tcp:$IP:$KAM_PORT" "LUA_SCRIPT=\"$TOP/etc/reauth.lua\""
else
	kam_start "LISTEN_TCP=tcp:$IP:$KAM_PORT"
fi

pu=$(free_port)   # the UE's end of its TCP connection
cp=$(free_port)   # the port its Contact names: nobody listens there
sipp_bg ue ue_tcp.xml "$pu" -t t1 -oocsf "$SIPP_DIR/ue_refer_notify.xml" \
	-s alice -au alice -ap alice-secret -key contact_port "$cp" -key ctransport tcp
check "alice subscribes over TCP" wait_subs 1 sip:alice@ims.test
check_eq "nothing listens on the port of the UE's Contact" "" \
	"$(ss -Htln "sport = :$cp" 2>/dev/null)"
check_eq "the subscription keeps the TCP socket it came on" "tcp:$IP:$KAM_PORT" \
	"$(wait_sql "$KAM_RDB" "SELECT socket FROM reauth_subscription" "tcp:$IP:$KAM_PORT" 10)"
check_contains "its remote target carries the connection (alias, as nathelper)" \
	";alias=$IP~$pu~2" "$(subs_field contact sip:alice@ims.test)"
check_contains "usrloc: the contact's received URI is the connection" \
	"sip:$IP:$pu;transport=tcp" "$(kamcmd_ ul.lookup location alice@ims.test 2>&1)"
check_contains "reauth.user starts the procedure" "status: started" \
	"$(reauth_start sip:alice@ims.test)"
check "the procedure completes (NOTIFY refused, REFER accepted, REGISTER)" \
	wait_outcome sip:alice@ims.test completed 30
check_sipp "the UE got every request on its connection" ue

n=$(notify_split ue)
check_range "the UE got its NOTIFYs over TCP (initial, re-auth, refresh)" 3 9 "$n"
h=$(notify_hdr_file ue 2)
check_eq "NOTIFY: Request-URI is the Contact (the alias is not sent)" \
	"sip:alice@$IP:$cp;transport=tcp" "$(request_uri "$h")"
check_contains "NOTIFY: Via says TCP" "SIP/2.0/TCP" "$(hdr "$h" Via)"
check_contact ue 2 "$cp" active shortened

n=$(sipp_extract "$WORK/ue.msg" received '^REFER ' "$WORK/ue.refer" body)
check_eq "one REFER reached the UE over its connection" 1 "$n"
h="$WORK/ue.refer.1.hdr"
check_eq "REFER: Request-URI is the registered contact" \
	"sip:alice@$IP:$cp;transport=tcp" "$(request_uri "$h")"
check_contains "REFER: Via says TCP" "SIP/2.0/TCP" "$(hdr "$h" Via)"
check_eq "REFER: Refer-Sub: false (RFC 4488)" false "$(hdr "$h" Refer-Sub)"
check_contains "REFER: Supported: norefersub (RFC 4488)" norefersub "$(hdr "$h" Supported)"
check_contains "REFER: our Contact names TCP" ";transport=tcp" "$(hdr "$h" Contact)"
check_contains "REFER: a Call-ID the script recognises" "reauth-refer-" "$(hdr "$h" Call-ID)"

# the UE's NOTIFY of the implicit refer subscription, and our answer
responses_split ue >/dev/null
code=$(for f in "$WORK"/ue.resp.*.hdr; do
	case $(hdr "$f" CSeq) in *NOTIFY) status_code "$f" ;; esac
done | head -1)
check_eq "the UE's NOTIFY (Event: refer) is answered 200 OK" 200 "$code"
check "a refer NOTIFY in no REFER dialog of ours is answered 481, not 404" \
	sipp_run stray refer_notify_stray.xml
check_eq "statistics: one REFER sent" 1 "$(reauth_stat refer_sent)"
check_eq "statistics: no NOTIFY had to change transport" 0 "$(reauth_stat notify_over_tcp)"
check_not_contains "Kamailio opened no connection to the Contact's port" \
	"$IP:$cp" "$(grep -iE 'connect|tcp' "$KAM_LOG" | grep -i 'error')"

kam_stop_tcp
finish
