#!/usr/bin/env bash
# A trigger by private identity (alice@ims.test, no scheme) re-authenticates
# every public identity it serves, across both of alice's implicit sets:
# the NOTIFY shows sip:alice and sip:alicew shortened; reauth.show lists the
# private identity and the three public ones.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"

kam_start

pa=$(free_port) pw=$(free_port) ps=$(free_port)
check "alice registers at :$pa" register_at alice "$pa" 600
check "alicew (alice's other set) registers at :$pw" register_at alicew "$pw" 600
sipp_bg sub sub_ue.xml "$ps" -s alice -key watcher alice -au alice -ap alice-secret -key sub_expires 600 -key notifies 2
check "alice subscribes" wait_subs 1 sip:alice@ims.test
out=$(reauth_start alice@ims.test)
check_contains "reauth.user with the private identity starts" "status: started" "$out"
check_sipp "the NOTIFY reached alice's subscription" sub
notify_split sub >/dev/null
b=$(notify_body sub 2)
if o=$(validate_reginfo "$b" 2>&1); then pass "the NOTIFY validates against RFC 3680"
else fail "the NOTIFY validates against RFC 3680" "$o"; fi
check_contact sub 2 "$pa" active shortened
check_contact sub 2 "$pw" active shortened
show=$(kamcmd_ reauth.show sip:alicew@ims.test 2>&1)
check_contains "reauth.show: the private identity" "private_identity: alice@ims.test" "$show"
for id in sip:alice@ims.test sip:alice2@ims.test sip:alicew@ims.test; do
	check_contains "reauth.show: $id is re-authenticated" "$id" "$show"
done
check_range "usrloc: alicew's contact is shortened" 1 60 "$(ul_expires alicew@ims.test "$pw")"
check_contains "reauth.cancel by the private identity" "status: cancelled" \
	"$(kamcmd_ reauth.cancel alice@ims.test 2>&1)"

finish
