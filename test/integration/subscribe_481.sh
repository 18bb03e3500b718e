#!/usr/bin/env bash
# Reg-event: a watcher answering a NOTIFY with 481 has no subscription any
# more: the module removes it (kamcmd reauth.subscriptions, statistics)
# and sends it nothing after a registration change. A new subscription
# of the same identity works as before.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"

kam_start

p1=$(free_port)
check "alice registers :$p1" register_at alice "$p1" 600

sipp_bg w sub_481.xml "$(free_port)" -s alice -key watcher alice -au alice -ap alice-secret -key sub_expires 600
check "the initial NOTIFY arrives" wait_notifies w 1 10
check_subscribe_ok w 600
check_notify w 1 0 sip:alice@ims.test
check_eq "reauth:active_subscriptions drops to 0 after the 481" 0 \
	"$(wait_stat reauth:active_subscriptions 0 5)"
check_eq "after the 481 reauth.subscriptions is empty" 0 "$(subs_count)"
check_eq "reauth:notify_sent is 1" 1 "$(reauth_stat notify_sent)"
# a NOTIFY transaction that ends with 481 did not succeed
check_eq "reauth:notify_failed is 1 (the NOTIFY answered 481)" 1 "$(reauth_stat notify_failed)"

check "alice registers a second contact" register_at alice "$(free_port)" 600
# the new subscription's initial NOTIFY comes after anything the
# registration gave (one notifier process, in order)
check "a new subscription of alice gets its initial NOTIFY" \
	sipp_run w2 sub_ue.xml -s alice -key watcher alice -au alice -ap alice-secret -key sub_expires 600 -key notifies 1
check_eq "reauth:notify_sent is 2: the registration notified nobody, then the new initial NOTIFY" \
	2 "$(wait_stat reauth:notify_sent 2 5)"
check_eq "the 481 watcher received one NOTIFY only" 1 "$(notify_count w)"
check "the 481 watcher ends well (no NOTIFY in its 8 s)" sipp_wait w
check_subscribe_ok w2 600
notify_split w2 >/dev/null
check_notify w2 1 0 sip:alice@ims.test
check_eq "it lists both contacts" 2 "$(contact_count "$(notify_body w2 1)")"
check_eq "reauth.subscriptions lists it" 1 "$(subs_count)"
check_eq "with the new Call-ID" "$SUB_CALLID" "$(subs_field callid)"

finish
