#!/usr/bin/env bash
# The UE refuses the re-authentication NOTIFY (500): the module falls back
# to a REFER to the registered contact, asking it to REGISTER to this
# registrar; the UE accepts (202), registers again with digest, and the
# procedure completes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"

kam_start

pa=$(free_port)
ps=$(free_port)
check "alice registers at :$pa" register_at alice "$pa" 600
sipp_bg ue uas_refer_accept.xml "$pa" -s alice -au alice -ap alice-secret -key expires 600
sipp_bg sub sub_refuse.xml "$ps" -s alice -au alice -ap alice-secret
check "alice subscribes to her reg event" wait_subs 1 sip:alice@ims.test
check_contains "reauth.user starts the procedure" "status: started" \
	"$(reauth_start sip:alice@ims.test)"
check_sipp "the subscription got the NOTIFY and refused it (500)" sub
check_sipp "the UE got the REFER, accepted it and registered again" ue

check_eq "two NOTIFYs: initial and re-authentication" 2 "$(notify_split sub)"
check_contact sub 2 "$pa" active shortened
n=$(sipp_extract "$WORK/ue.msg" received '^REFER ' "$WORK/ue.refer" body)
check_eq "exactly one REFER reached the UE's contact" 1 "$n"
h="$WORK/ue.refer.1.hdr"
check_eq "REFER: Request-URI is the registered contact" "$(contact_uri alice "$pa")" "$(request_uri "$h")"
check_eq "REFER: Refer-To asks for a REGISTER to the registrar" "<sip:ims.test;method=REGISTER>" \
	"$(hdr "$h" Refer-To)"
check_eq "REFER: no implicit subscription (RFC 4488)" false "$(hdr "$h" Refer-Sub)"
check_eq "REFER: To is the re-authenticated identity" sip:alice@ims.test "$(uri_full "$(hdr "$h" To)")"
check_contains "REFER: it has a Contact of the registrar" "sip:$IP:$KAM_PORT" "$(hdr "$h" Contact)"

check "the procedure completes" wait_outcome sip:alice@ims.test completed 5
check_eq "statistics: the NOTIFY failed" 1 "$(reauth_stat reauth_notify_failed)"
check_eq "statistics: one REFER sent" 1 "$(reauth_stat refer_sent)"
check_eq "statistics: no REFER failed" 0 "$(reauth_stat refer_failed)"
check_eq "statistics: completed" 1 "$(reauth_stat reauth_completed)"
check_range "usrloc: alice's contact re-registered for 600 s" 590 600 "$(ul_expires alice@ims.test "$pa")"

finish
