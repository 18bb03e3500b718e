#!/usr/bin/env bash
# body_format "draft": the re-authentication NOTIFY uses the seed
# contribution's notation: the re-authenticated registrations in state
# "re-authenticate", the other identity of the implicit set with
# <detail>automatically by sip:alice@ims.test</detail>, the other set of
# the user as it is. The body is well-formed XML (not held to RFC 3680).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"

kam_start 'BODY_FORMAT="draft"'

p2=$(free_port)
check "alice2 (same implicit set) registers at :$p2" register_at alice2 "$p2" 600
pa=$(free_port)
sipp_bg ue ue_reauth.xml "$pa" -s alice -au alice -ap alice-secret -key expires 600
check "the UE registered and subscribed" wait_subs 1 sip:alice@ims.test
check_contains "reauth.user starts the procedure" "status: started" "$(reauth_start sip:alice@ims.test)"
check_sipp "the UE got the NOTIFY, answered 200 and registered again" ue
notify_split ue >/dev/null
b=$(notify_body ue 2)
check "the draft body is well-formed XML" xmllint --nonet --noout "$b"
check_eq "sip:alice@ims.test: state re-authenticate" re-authenticate \
	"$(reg_attr "$b" sip:alice@ims.test state)"
check_eq "sip:alice@ims.test: no detail (it is the one re-authenticated)" "" \
	"$(rx "$b" 'string(//*[local-name()="registration"][@aor="sip:alice@ims.test"]/*[local-name()="detail"])')"
check_eq "sip:alice2@ims.test: state re-authenticate" re-authenticate \
	"$(reg_attr "$b" sip:alice2@ims.test state)"
check_eq "sip:alice2@ims.test: automatically by sip:alice@ims.test" \
	"automatically by sip:alice@ims.test" \
	"$(rx "$b" 'string(//*[local-name()="registration"][@aor="sip:alice2@ims.test"]/*[local-name()="detail"])')"
check_contact ue 2 "$pa" active shortened
check_contact ue 2 "$p2" active shortened
check_eq "sip:alicew@ims.test (another set): as it is" init "$(reg_attr "$b" sip:alicew@ims.test state)"
check "the procedure completes" wait_outcome sip:alice@ims.test completed 5
# the initial NOTIFY is plain RFC 3680 whatever the format
check "the initial NOTIFY still validates against RFC 3680" validate_reginfo "$(notify_body ue 1)"

finish
