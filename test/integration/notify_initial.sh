#!/usr/bin/env bash
# Reg-event (RFC 3680): a UE subscribes to its own registration state. The
# SUBSCRIBE gets 200 OK (To-tag, Contact, Expires), then the initial
# NOTIFY of that dialog carries Event: reg, Subscription-State active with
# expires, Content-Type application/reginfo+xml and a full-state body,
# version 0, that validates against RFC 3680 and lists alice's contact.
# kamcmd reauth.subscriptions and the reauth: statistics show the
# subscriptions (also filtered by identity).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"

kam_start

pa=$(free_port)
pb=$(free_port)
check "alice registers at :$pa" register_at alice "$pa" 600
check "bob registers at :$pb" register_at bob "$pb" 600
check_eq "no subscription yet" 0 "$(subs_count)"

check "alice subscribes to sip:alice@ims.test and receives one NOTIFY" \
	sipp_run w-alice sub_ue.xml -s alice -key watcher alice -au alice -ap alice-secret -key sub_expires 600 \
	-key notifies 1
check_subscribe_ok w-alice 600

check_eq "exactly one NOTIFY arrived" 1 "$(notify_split w-alice)"
check_notify w-alice 1 0 sip:alice@ims.test
h=$(notify_hdr_file w-alice 1)
b=$(notify_body w-alice 1)
ss=$(hdr "$h" Subscription-State)
check_eq "Subscription-State is active" active "$(first_token "$ss")"
check_range "Subscription-State expires within the granted $SUB_EXPIRES s" \
	$((SUB_EXPIRES - 10)) "$SUB_EXPIRES" "$(param_of "$ss" expires)"
check_eq "the initial NOTIFY is full state" full "$(reginfo_state "$b")"
check_eq "registration of sip:alice@ims.test is active" active \
	"$(reg_attr "$b" sip:alice@ims.test state)"
check_contains "the registration has an id" "id=" \
	"$(rx "$b" '//*[local-name()="registration"]/@id')"
check_eq "one contact listed" 1 "$(contact_count "$b")"
check_contact w-alice 1 "$pa" active registered
check_contact_callid w-alice 1 alice "$pa"
check_eq "the contact's <uri> is the registered one" "$(contact_uri alice "$pa")" \
	"$(contact_uri_text "$b" "$pa")"
check_range "the contact's expires is the remaining registration time" 580 600 \
	"$(contact_attr "$b" "$pa" expires)"
for a in id callid cseq; do
	v=$(contact_attr "$b" "$pa" "$a")
	if [ -n "$v" ]; then pass "the contact has $a=\"$v\""
	else fail "the contact has a $a attribute" "$(cat "$b")"; fi
done
check_not_contains "bob's registration is not in alice's NOTIFY" "bob" "$(cat "$b")"
alice_callid=$SUB_CALLID

# a second subscription, for bob
check "bob subscribes to sip:bob@ims.test and receives one NOTIFY" \
	sipp_run w-bob sub_ue.xml -s bob -key watcher bob -au bob -ap bob-secret -key sub_expires 600 \
	-key notifies 1
check_subscribe_ok w-bob 600
notify_split w-bob >/dev/null
check_notify w-bob 1 0 sip:bob@ims.test
check_contact w-bob 1 "$pb" active registered

# RPC and statistics
check_eq "reauth.subscriptions lists two subscriptions" 2 "$(subs_count)"
check_eq "filtered by sip:alice@ims.test: one" 1 "$(subs_count sip:alice@ims.test)"
check_eq "filtered by sip:bob@ims.test: one" 1 "$(subs_count sip:bob@ims.test)"
check_eq "alice's subscription: identity" sip:alice@ims.test \
	"$(subs_field identity sip:alice@ims.test)"
check_eq "alice's subscription: watcher" sip:alice@ims.test \
	"$(subs_field watcher sip:alice@ims.test)"
check_eq "alice's subscription: callid of the SUBSCRIBE" "$alice_callid" \
	"$(subs_field callid sip:alice@ims.test)"
# the contract names the field, not whether it is the last version sent
# (0) or the next one to send (1); both are accepted here
v=$(subs_field version sip:alice@ims.test)
case "$v" in
0) pass "alice's subscription: version 0 (the last NOTIFY's)" ;;
1) pass "alice's subscription: version 1 (the next NOTIFY's)" ;;
*) fail "alice's subscription: version 0 or 1 after one NOTIFY" "$(subs_rpc sip:alice@ims.test)" ;;
esac
e=$(subs_field expires sip:alice@ims.test)
if [[ "$e" =~ ^[0-9]+$ ]] && [ "$e" -gt 0 ]; then pass "alice's subscription: expires $e"
else fail "alice's subscription has a numeric expires" "$(subs_rpc sip:alice@ims.test)"; fi
check_eq "reauth:active_subscriptions is 2" 2 "$(reauth_stat active_subscriptions)"
check_eq "reauth:notify_sent is 2" 2 "$(reauth_stat notify_sent)"
check_eq "reauth:notify_failed is 0" 0 "$(reauth_stat notify_failed)"

finish
