#!/usr/bin/env bash
# Reg-event subscriptions survive a restart of Kamailio: they are loaded
# from the DB; the next NOTIFY (here for a new contact of alice) goes to
# the same watcher in the same dialog (Call-ID, tags, a higher CSeq) with
# the next version, listing the contact registered before the restart
# (usrloc DB) and the new one.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"

kam_start

p1=$(free_port)
p2=$(free_port)
check "alice registers :$p1" register_at alice "$p1" 600

# the watcher keeps running across the restart (waits up to 90 s)
sipp_bg w sub_long.xml "$(free_port)" -s alice -key watcher alice -au alice -ap alice-secret -key sub_expires 600
check "the initial NOTIFY arrives" wait_notifies w 1 10
check_subscribe_ok w 600
check_notify w 1 0 sip:alice@ims.test
check_eq "reauth.subscriptions lists it" 1 "$(subs_count)"
v_before=$(subs_field version)

kam_stop
log "kamailio stopped"
kam_launch

check_eq "after the restart reauth.subscriptions still lists it" 1 "$(subs_count)"
check_eq "same identity" sip:alice@ims.test "$(subs_field identity)"
check_eq "same watcher" sip:alice@ims.test "$(subs_field watcher)"
check_eq "same Call-ID" "$SUB_CALLID" "$(subs_field callid)"
check_eq "same version" "$v_before" "$(subs_field version)"
check_eq "reauth:active_subscriptions is 1" 1 "$(reauth_stat active_subscriptions)"
check_contains "alice's contact is back in usrloc" "sip:alice@$IP:$p1" "$(kamcmd_ ul.dump)"

check "alice registers a second contact :$p2" register_at alice "$p2" 600
check "a NOTIFY reaches the watcher after the restart" wait_notifies w 2 15
check_notify w 2 1 sip:alice@ims.test
b=$(notify_body w 2)
check_eq "NOTIFY 2: Subscription-State active" active \
	"$(first_token "$(hdr "$(notify_hdr_file w 2)" Subscription-State)")"
check_range "NOTIFY 2: the subscription's remaining time carried over" 500 600 \
	"$(param_of "$(hdr "$(notify_hdr_file w 2)" Subscription-State)" expires)"
check_eq "NOTIFY 2: both contacts" 2 "$(contact_count "$b")"
check_contact w 2 "$p2" active registered
check_contact w 2 "$p1" active registered
check "the watcher answered both NOTIFYs" sipp_wait w
check_eq "reauth:notify_sent counts the NOTIFY after the restart" 1 "$(reauth_stat notify_sent)"

finish
