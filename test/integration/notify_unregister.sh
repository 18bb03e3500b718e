#!/usr/bin/env bash
# Reg-event: unregistering (REGISTER Expires: 0) one of two contacts gives
# a NOTIFY with that contact state="terminated" event="unregistered" and
# the registration still active; unregistering the last one gives the
# registration state "terminated" and Subscription-State:
# terminated;reason=noresource, and the subscription is gone.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"

kam_start

p1=$(free_port)
p2=$(free_port)
check "alice registers :$p1" register_at alice "$p1" 600
check "alice registers :$p2" register_at alice "$p2" 600

sipp_bg w sub_ue.xml "$(free_port)" -s alice -key watcher alice -au alice -ap alice-secret -key sub_expires 600 \
	-key notifies 3
check "the initial NOTIFY arrives" wait_notifies w 1 10
check_subscribe_ok w 600
check_notify w 1 0 sip:alice@ims.test
check_eq "initial NOTIFY: both contacts" 2 "$(contact_count "$(notify_body w 1)")"

check "alice unregisters :$p2" unregister_at alice "$p2"
check "a NOTIFY follows" wait_notifies w 2 10
check_notify w 2 1 sip:alice@ims.test
b=$(notify_body w 2)
check_contact w 2 "$p2" terminated unregistered
check_contact w 2 "$p1" active registered
check_eq "NOTIFY 2: the registration is still active" active \
	"$(reg_attr "$b" sip:alice@ims.test state)"
check_eq "NOTIFY 2: Subscription-State active" active \
	"$(first_token "$(hdr "$(notify_hdr_file w 2)" Subscription-State)")"

check "alice unregisters her last contact :$p1" unregister_at alice "$p1"
check "a NOTIFY follows" wait_notifies w 3 10
check_notify w 3 2 sip:alice@ims.test
b=$(notify_body w 3)
check_contact w 3 "$p1" terminated unregistered
check_eq "NOTIFY 3: the registration is terminated" terminated \
	"$(reg_attr "$b" sip:alice@ims.test state)"
check_eq "NOTIFY 3: no contact left active" 0 \
	"$(rx "$b" 'count(//*[local-name()="contact"][@state="active"])')"
ss=$(hdr "$(notify_hdr_file w 3)" Subscription-State)
check_eq "NOTIFY 3: Subscription-State terminated" terminated "$(first_token "$ss")"
check_eq "NOTIFY 3: reason=noresource" noresource "$(param_of "$ss" reason)"

check "the watcher received exactly its 3 NOTIFYs" sipp_wait w
check_eq "reauth.subscriptions is empty" 0 "$(subs_count)"
check_eq "reauth:active_subscriptions is 0" 0 "$(reauth_stat active_subscriptions)"
check_not_contains "alice is gone from usrloc" "AoR: alice@ims.test" "$(kamcmd_ ul.dump)"

sent=$(reauth_stat notify_sent)
check "alice registers again" register_at alice "$p1" 600
check_eq "reauth.subscriptions is still empty" 0 "$(subs_count)"
# marker: a new subscription's initial NOTIFY comes after anything the
# registration gave (one notifier process, in order)
check "a new subscription of alice gets its initial NOTIFY" \
	sipp_run w2 sub_ue.xml -s alice -key watcher alice -au alice -ap alice-secret -key sub_expires 600 -key notifies 1
check_eq "the ended subscription gets no NOTIFY (notify_sent $sent + the new initial one)" \
	"$((sent + 1))" "$(wait_stat reauth:notify_sent "$((sent + 1))" 5)"

finish
