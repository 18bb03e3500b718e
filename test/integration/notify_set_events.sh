#!/usr/bin/env bash
# Reg-event, what every NOTIFY lists and which contact events it shows.
# - TS 24.229 5.4.2.1.2: every NOTIFY lists every public identity of the
#   watched user (alice, alice2 of her implicit set, alicew of her other
#   set), each with its own state and contacts: the registrations of the
#   full documents do not change from one NOTIFY to the next, and a
#   change of alice2 reaches alice's watcher.
# - RFC 3680 5.2: a contact a REGISTER adds is event="registered" (never
#   "created"); the NOTIFY that a refresh causes shows "refreshed"; later
#   full NOTIFYs show the event that brought the contact into "active"
#   ("registered"), not the last refresh: the same after a restart.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"

kam_start

p1=$(free_port)
p2=$(free_port)
check "alice registers :$p1" register_at alice "$p1" 600

sipp_bg w sub_ue.xml "$(free_port)" -s alice -key watcher alice -au alice -ap alice-secret -key sub_expires 600 \
	-key notifies 4
check "the initial NOTIFY arrives" wait_notifies w 1 10
check_subscribe_ok w 600
check_notify w 1 0 sip:alice@ims.test
b=$(notify_body w 1)
check_eq "NOTIFY 1: every identity of alice" \
	"sip:alice2@ims.test sip:alice@ims.test sip:alicew@ims.test" "$(reg_aors "$b" | tr '\n' ' ' | sed 's/ $//')"
check_eq "NOTIFY 1: alice active, alice2 and alicew init" "active init init" \
	"$(reg_attr "$b" sip:alice@ims.test state) $(reg_attr "$b" sip:alice2@ims.test state) $(reg_attr "$b" sip:alicew@ims.test state)"
check_contact w 1 "$p1" active registered
check_eq "NOTIFY 1: no event=\"created\" (nothing was registered implicitly)" 0 \
	"$(rx "$b" 'count(//*[local-name()="contact"][@event="created"])')"

check "alice2 (alice's implicit set) registers :$p2" register_at alice2 "$p2" 600
check "alice's watcher gets a NOTIFY for alice2's new contact" wait_notifies w 2 10
check_notify w 2 1 sip:alice@ims.test
b=$(notify_body w 2)
check_eq "NOTIFY 2: alice2 is active with its contact" "active 1" \
	"$(reg_attr "$b" sip:alice2@ims.test state) $(contact_count "$b" sip:alice2@ims.test)"
check_contact w 2 "$p2" active registered
check_contact w 2 "$p1" active registered

check "alice refreshes :$p1" register_at alice "$p1" 600
check "a NOTIFY follows the refresh" wait_notifies w 3 10
check_notify w 3 2 sip:alice@ims.test
check_contact w 3 "$p1" active refreshed
check_contact w 3 "$p2" active registered

check "alice2 refreshes :$p2" register_at alice2 "$p2" 600
check "a NOTIFY follows alice2's refresh" wait_notifies w 4 10
check_notify w 4 3 sip:alice@ims.test
check_contact w 4 "$p2" active refreshed
check_contact w 4 "$p1" active registered
check "the watcher answered its 4 NOTIFYs" sipp_wait w

# after a restart the subscription's next NOTIFY shows the same events
kam_stop
kam_launch
p3=$(free_port)
sipp_bg w2 sub_ue.xml "$(free_port)" -s alice2 -key watcher alice2 -au alice2 -ap alice2-secret -key sub_expires 600 \
	-key notifies 1
check "after a restart, a watcher of alice2 gets its initial NOTIFY" wait_notifies w2 1 10
check_subscribe_ok w2 600
check_notify w2 1 0 sip:alice2@ims.test
b=$(notify_body w2 1)
check_eq "its NOTIFY lists the same identities as alice's" "$(reg_aors "$(notify_body w 1)")" "$(reg_aors "$b")"
check_contact w2 1 "$p1" active registered
check_contact w2 1 "$p2" active registered
check "the second watcher ends" sipp_wait w2

finish
