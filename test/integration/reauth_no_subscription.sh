#!/usr/bin/env bash
# A UE that is registered but has no reg event subscription: no NOTIFY can
# be sent, so the procedure goes straight to the REFER; the UE accepts and
# registers again with digest, and the procedure completes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"

kam_start

pa=$(free_port)
check "alice registers at :$pa" register_at alice "$pa" 600
sipp_bg ue uas_refer_accept.xml "$pa" -s alice -au alice -ap alice-secret -key expires 600
check_eq "no reg event subscription" 0 "$(subs_count)"
check_contains "reauth.user starts the procedure" "status: started" \
	"$(reauth_start sip:alice@ims.test)"
check_sipp "the UE got the REFER, accepted it and registered again" ue

check_eq "one REFER reached the UE" 1 "$(sipp_extract "$WORK/ue.msg" received '^REFER ' "$WORK/ue.refer" body)"
check_eq "REFER: Refer-To asks for a REGISTER" "<sip:ims.test;method=REGISTER>" \
	"$(hdr "$WORK/ue.refer.1.hdr" Refer-To)"
check "the procedure completes" wait_outcome sip:alice@ims.test completed 5
check_eq "statistics: no re-authentication NOTIFY" 0 "$(reauth_stat reauth_notify_sent)"
check_eq "statistics: one REFER" 1 "$(reauth_stat refer_sent)"
check_eq "statistics: completed" 1 "$(reauth_stat reauth_completed)"

finish
