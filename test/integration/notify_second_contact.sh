#!/usr/bin/env bash
# Reg-event: registration changes are notified to the subscription. A
# second contact of alice (another UE port) gives a NOTIFY, version 1,
# listing both contacts, both event="registered" (RFC 3680: a REGISTER
# made the new one); re-registering the first contact gives version 2
# with it "refreshed". Bob registering does not notify alice's watcher.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"

kam_start

p1=$(free_port)
p2=$(free_port)
pb=$(free_port)
check "alice registers her first contact :$p1" register_at alice "$p1" 600

sipp_bg w sub_ue.xml "$(free_port)" -s alice -key watcher alice -au alice -ap alice-secret -key sub_expires 600 \
	-key notifies 3
check "the initial NOTIFY arrives" wait_notifies w 1 10
check_subscribe_ok w 600
check_notify w 1 0 sip:alice@ims.test
check_eq "initial NOTIFY: one contact" 1 "$(contact_count "$(notify_body w 1)")"

check "bob registers :$pb" register_at bob "$pb" 600

check "alice registers a second contact :$p2" register_at alice "$p2" 600
check "a NOTIFY follows the new contact" wait_notifies w 2 10
# one notifier process handles the changes in order: a NOTIFY from bob's
# registration would have come before this one, as NOTIFY 2 of version 1
check_eq "bob's registration sent alice's watcher nothing (NOTIFY 2 is the new contact's)" \
	"1 registered" "$(echo "$(reginfo_version "$(notify_body w 2)") $(contact_attr "$(notify_body w 2)" "$p2" event)")"
check_notify w 2 1 sip:alice@ims.test
b=$(notify_body w 2)
check_eq "NOTIFY 2: Subscription-State active" active \
	"$(first_token "$(hdr "$(notify_hdr_file w 2)" Subscription-State)")"
check_eq "NOTIFY 2: registration active" active "$(reg_attr "$b" sip:alice@ims.test state)"
check_eq "NOTIFY 2: both contacts listed" 2 "$(contact_count "$b")"
check_contact w 2 "$p2" active registered
check_contact w 2 "$p1" active registered
check_contact_callid w 2 alice "$p1"
check_contact_callid w 2 alice "$p2"
check_range "NOTIFY 2: the new contact expires in ~600 s" 590 600 "$(contact_attr "$b" "$p2" expires)"
id1=$(contact_attr "$b" "$p1" id)
id2=$(contact_attr "$b" "$p2" id)
if [ -n "$id1" ] && [ -n "$id2" ] && [ "$id1" != "$id2" ]; then
	pass "NOTIFY 2: the contacts have distinct ids ($id1, $id2)"
else fail "NOTIFY 2: the contacts have distinct ids" "'$id1' '$id2'"; fi
check_eq "the first contact keeps its id across NOTIFYs" \
	"$(contact_attr "$(notify_body w 1)" "$p1" id)" "$id1"

check "alice re-registers her first contact :$p1" register_at alice "$p1" 600
check "a NOTIFY follows the refresh" wait_notifies w 3 10
check_notify w 3 2 sip:alice@ims.test
b=$(notify_body w 3)
check_eq "NOTIFY 3: both contacts listed" 2 "$(contact_count "$b")"
check_contact w 3 "$p1" active refreshed
check_contact w 3 "$p2" active registered
check_contact_callid w 3 alice "$p1"
check_contact_callid w 3 alice "$p2"

check "the watcher ends after 3 NOTIFYs, all answered 200" sipp_wait w
check_eq "no NOTIFY beyond the three" 3 "$(notify_count w)"
check_eq "reauth:notify_sent is 3" 3 "$(reauth_stat notify_sent)"
check_eq "reauth:active_subscriptions is 1" 1 "$(reauth_stat active_subscriptions)"

finish
