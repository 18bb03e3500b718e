#!/usr/bin/env bash
# Reg-event: a subscription that is not refreshed ends when its Expires
# runs out: a NOTIFY with Subscription-State: terminated;reason=timeout,
# not before the granted Expires and not much later (the notifier checks
# once a second), then it is gone from reauth.subscriptions. Kamailio runs
# with min_expires 5 (SUB_MIN_EXPIRES) so that a 6 s subscription is granted.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"

kam_start SUB_MIN_EXPIRES=5
E=6

p1=$(free_port)
check "alice registers :$p1" register_at alice "$p1" 3600

sipp_bg w sub_long.xml "$(free_port)" -s alice -key watcher alice -au alice -ap alice-secret -key sub_expires "$E"
check "the initial NOTIFY arrives" wait_notifies w 1 10
check_subscribe_ok w "$E"
check_eq "Expires: $E (above min_expires 5) is granted as is" "$E" "$SUB_EXPIRES"
check_notify w 1 0 sip:alice@ims.test
ss=$(hdr "$(notify_hdr_file w 1)" Subscription-State)
check_range "NOTIFY 1: Subscription-State active;expires <= $E" $((E - 2)) "$E" "$(param_of "$ss" expires)"
check_eq "reauth.subscriptions lists it" 1 "$(subs_count sip:alice@ims.test)"

check "a NOTIFY comes when the subscription expires" wait_notifies w 2 $((E + 10))
b=$(notify_body w 2)
if [ -s "$b" ]; then check_notify w 2 1 sip:alice@ims.test
else check_notify w 2 - sip:alice@ims.test; fi
ss=$(hdr "$(notify_hdr_file w 2)" Subscription-State)
check_eq "NOTIFY 2: Subscription-State terminated" terminated "$(first_token "$ss")"
check_eq "NOTIFY 2: reason=timeout" timeout "$(param_of "$ss" reason)"
if [ -f "$WORK/w.notify.2.time" ]; then
	# milliseconds between the two NOTIFYs (sipp's trace times): the
	# expiry is checked once a second against a whole-second deadline
	ms() { date -d "$(cat "$WORK/w.notify.$1.time")" +%s%3N; }
	dt=$(($(ms 2) - $(ms 1)))
	check_range "it came when the $E s ran out (${dt} ms after the first)" \
		$(((E - 1) * 1000)) $(((E + 3) * 1000)) "$dt"
fi
check "the watcher answered both NOTIFYs" sipp_wait w
check_eq "reauth.subscriptions is empty" 0 "$(subs_count)"
check_eq "reauth:active_subscriptions is 0" 0 "$(reauth_stat active_subscriptions)"
check_eq "reauth:notify_sent is 2" 2 "$(reauth_stat notify_sent)"

finish
