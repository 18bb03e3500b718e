#!/usr/bin/env bash
# A UE registered through a P-CSCF (Path): the REFER of the re-authentication
# goes to the P-CSCF with the Path as Route and the UE's contact as
# Request-URI, from the socket the UE registered on.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"

kam_start

pa=$(free_port) pp=$(free_port)
# (the REGISTER comes from the P-CSCF's address: only a P-CSCF may add a
# Path; the scenario's Contact and Path both carry that address)
check "alice registers through a P-CSCF at $PCSCF_IP:$pp" \
	from_pcscf sipp_run_at reg "$pa" ue_register_path.xml -s alice -au alice -ap alice-secret \
	-key expires 600 -key pcscf_port "$pp"
check_contains "usrloc keeps the Path" "Path: <sip:pcscf@$PCSCF_IP:$pp;lr>" \
	"$(kamcmd_ ul.lookup location alice@ims.test 2>&1)"
# the P-CSCF receives the REFER meant for the UE, and declines it
from_pcscf sipp_bg pcscf uas_refer_decline.xml "$pp"
check_contains "reauth.user starts (no subscription: REFER)" "status: started" \
	"$(reauth_start sip:alice@ims.test)"
check_sipp "the REFER reached the P-CSCF" pcscf
check_eq "one REFER at the P-CSCF" 1 \
	"$(sipp_extract "$WORK/pcscf.msg" received '^REFER ' "$WORK/pcscf.refer" body)"
h="$WORK/pcscf.refer.1.hdr"
check_eq "REFER: Request-URI is the UE's contact" "sip:alice@$PCSCF_IP:$pa;transport=udp" \
	"$(request_uri "$h")"
check_eq "REFER: Route is the Path" "<sip:pcscf@$PCSCF_IP:$pp;lr>" "$(hdr "$h" Route)"
check_contains "REFER: sent from the socket alice registered on" "$IP:$KAM_PORT" "$(hdr "$h" Via)"
check "603 from the P-CSCF: de-registered" wait_outcome sip:alice@ims.test deregistered 10

finish
