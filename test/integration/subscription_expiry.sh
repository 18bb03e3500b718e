#!/usr/bin/env bash
# Reg-event: a subscription that is not refreshed ends when its Expires
# runs out (60 s, min_expires): a NOTIFY with Subscription-State:
# terminated;reason=timeout, then it is gone from reauth.subscriptions.
# (Waits about a minute.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"

kam_start

p1=$(free_port)
check "alice registers :$p1" register_at alice "$p1" 3600

sipp_bg w sub_long.xml "$(free_port)" -s alice -key watcher alice -key sub_expires 60
check "the initial NOTIFY arrives" wait_notifies w 1 10
check_subscribe_ok w 60
check_eq "Expires: 60 (min_expires) is granted as is" 60 "$SUB_EXPIRES"
check_notify w 1 0 sip:alice@ims.test
ss=$(hdr "$(notify_hdr_file w 1)" Subscription-State)
check_range "NOTIFY 1: Subscription-State active;expires <= 60" 50 60 "$(param_of "$ss" expires)"
check_eq "reauth.subscriptions lists it" 1 "$(subs_count sip:alice@ims.test)"

check "a NOTIFY comes when the subscription expires" wait_notifies w 2 80
b=$(notify_body w 2)
if [ -s "$b" ]; then check_notify w 2 1 sip:alice@ims.test
else check_notify w 2 - sip:alice@ims.test; fi
ss=$(hdr "$(notify_hdr_file w 2)" Subscription-State)
check_eq "NOTIFY 2: Subscription-State terminated" terminated "$(first_token "$ss")"
check_eq "NOTIFY 2: reason=timeout" timeout "$(param_of "$ss" reason)"
if [ -f "$WORK/w.notify.2.time" ]; then
	dt=$(($(notify_epoch w 2) - $(notify_epoch w 1)))
	check_range "it came when the 60 s ran out (${dt}s after the first)" 58 66 "$dt"
fi
check "the watcher answered both NOTIFYs" sipp_wait w
check_eq "reauth.subscriptions is empty" 0 "$(subs_count)"
check_eq "reauth:active_subscriptions is 0" 0 "$(reauth_stat active_subscriptions)"
check_eq "reauth:notify_sent is 2" 2 "$(reauth_stat notify_sent)"

finish
