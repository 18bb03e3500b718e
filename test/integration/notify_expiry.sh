#!/usr/bin/env bash
# Reg-event: a contact that is not refreshed expires (usrloc timer, 10 s
# here) and is notified state="terminated" event="expired". Alice keeps a
# second contact: her registration stays active. Bob's only contact
# expires: his registration is terminated and the NOTIFY ends the
# subscription (Subscription-State: terminated;reason=noresource).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"

kam_start

p1=$(free_port)
p2=$(free_port)
pb=$(free_port)
check "alice registers :$p1 for 600 s" register_at alice "$p1" 600
t0=$(date +%s)
check "alice registers :$p2 for 12 s" register_at alice "$p2" 12
check "bob registers :$pb for 12 s" register_at bob "$pb" 12

sipp_bg wa sub_ue.xml "$(free_port)" -s alice -key watcher alice -au alice -ap alice-secret -key sub_expires 600 \
	-key notifies 2
sipp_bg wb sub_ue.xml "$(free_port)" -s bob -key watcher bob -au bob -ap bob-secret -key sub_expires 600 \
	-key notifies 2
check "alice's initial NOTIFY arrives" wait_notifies wa 1 10
check "bob's initial NOTIFY arrives" wait_notifies wb 1 10
check_subscribe_ok wa 600
check_notify wa 1 0 sip:alice@ims.test
check_contact wa 1 "$p2" active registered
check_range "the short contact's expires is at most 12" 1 12 \
	"$(contact_attr "$(notify_body wa 1)" "$p2" expires)"

# expiry: 12 s, seen by the next usrloc timer run (every 10 s)
check "alice's next NOTIFY arrives when :$p2 expires" wait_notifies wa 2 35
check_notify wa 2 1 sip:alice@ims.test
b=$(notify_body wa 2)
check_contact wa 2 "$p2" terminated expired
check_contact wa 2 "$p1" active registered
check_contact_callid wa 2 alice "$p1"
check_contact_callid wa 2 alice "$p2"
check_eq "alice's registration stays active" active "$(reg_attr "$b" sip:alice@ims.test state)"
check_eq "alice's subscription stays active" active \
	"$(first_token "$(hdr "$(notify_hdr_file wa 2)" Subscription-State)")"
if [ -f "$WORK/wa.notify.2.time" ]; then
	dt=$(($(notify_epoch wa 2) - t0))
	check_range "the expiry NOTIFY came after the contact's 12 s (${dt}s)" 11 35 "$dt"
fi

check "bob's next NOTIFY arrives when his contact expires" wait_notifies wb 2 15
sub_dialog wb
check_notify wb 2 1 sip:bob@ims.test
b=$(notify_body wb 2)
check_contact wb 2 "$pb" terminated expired
check_contact_callid wb 2 bob "$pb"
check_eq "bob's registration is terminated" terminated "$(reg_attr "$b" sip:bob@ims.test state)"
ss=$(hdr "$(notify_hdr_file wb 2)" Subscription-State)
check_eq "bob's NOTIFY: Subscription-State terminated" terminated "$(first_token "$ss")"
check_eq "bob's NOTIFY: reason=noresource" noresource "$(param_of "$ss" reason)"

check "alice's watcher got its 2 NOTIFYs" sipp_wait wa
check "bob's watcher got its 2 NOTIFYs" sipp_wait wb
check_eq "alice's subscription remains" 1 "$(subs_count sip:alice@ims.test)"
check_eq "bob's subscription is gone" 0 "$(subs_count sip:bob@ims.test)"
check_eq "reauth:active_subscriptions is 1" 1 "$(reauth_stat active_subscriptions)"

finish
