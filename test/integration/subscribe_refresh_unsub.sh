#!/usr/bin/env bash
# Reg-event subscription lifetime: an in-dialog SUBSCRIBE refreshes the
# subscription (200 with the new Expires, NOTIFY with the next version),
# an in-dialog SUBSCRIBE with Expires: 0 ends it (200, final NOTIFY with
# Subscription-State: terminated), after which kamcmd
# reauth.subscriptions no longer lists it. Versions grow by one per NOTIFY.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"

kam_start

p1=$(free_port)
check "alice registers :$p1" register_at alice "$p1" 600

sipp_bg w sub_refresh_unsub.xml "$(free_port)" -s alice -key watcher alice -au alice -ap alice-secret \
	-key sub_expires 600 -key refresh_expires 900
check "the initial NOTIFY arrives" wait_notifies w 1 10
check_subscribe_ok w 600
rtag=$SUB_RTAG
check_notify w 1 0 sip:alice@ims.test
check_contact w 1 "$p1" active registered
# the watcher pauses 2 s here
check_eq "reauth.subscriptions lists the subscription" 1 "$(subs_count sip:alice@ims.test)"
check_eq "with the SUBSCRIBE's Call-ID" "$SUB_CALLID" "$(subs_field callid sip:alice@ims.test)"
v0=$(subs_field version sip:alice@ims.test)
e0=$(subs_field expires sip:alice@ims.test)

# refresh (CSeq 2, or 3 when the first SUBSCRIBE was challenged)
c0=$(initial_sub_cseq w)
check "the refresh is answered" wait_final_response w $((c0 + 1)) 10
f=$(final_response w $((c0 + 1)))
check_eq "refresh (CSeq $((c0 + 1))): 200" 200 "$(status_code "$f")"
check_eq "refresh: Expires: 900 granted" 900 "$(hdr "$f" Expires)"
check_eq "refresh: same To-tag as the first 200" "$rtag" "$(tag_of "$(hdr "$f" To)")"
requests_sent w SUBSCRIBE >/dev/null
check_eq "the refresh was sent to the 200's Contact" "$SUB_RCONTACT" \
	"$(request_uri "$WORK/w.sent-SUBSCRIBE.$((c0 + 1)).hdr")"
check "a NOTIFY follows the refresh" wait_notifies w 2 10
check_notify w 2 1 sip:alice@ims.test
ss=$(hdr "$(notify_hdr_file w 2)" Subscription-State)
check_eq "NOTIFY 2: Subscription-State active" active "$(first_token "$ss")"
check_range "NOTIFY 2: expires is the refreshed 900 s" 890 900 "$(param_of "$ss" expires)"
check_contact w 2 "$p1" active registered
check_eq "still one subscription" 1 "$(subs_count sip:alice@ims.test)"
v1=$(subs_field version sip:alice@ims.test)
check_eq "reauth.subscriptions: version grew by one" "$((v0 + 1))" "$v1"
e1=$(subs_field expires sip:alice@ims.test)
if [ -n "$e1" ] && [ "$e1" != "$e0" ]; then pass "reauth.subscriptions: expires changed ($e0 -> $e1)"
else fail "reauth.subscriptions: expires changed by the refresh" "before '$e0', after '$e1'"; fi

# unsubscribe
check "the unsubscribe is answered" wait_final_response w $((c0 + 2)) 10
f=$(final_response w $((c0 + 2)))
check_eq "unsubscribe (CSeq $((c0 + 2)), Expires: 0): 200" 200 "$(status_code "$f")"
check_eq "unsubscribe: Expires: 0 in the 200" 0 "$(hdr "$f" Expires)"
check "a final NOTIFY follows" wait_notifies w 3 10
b=$(notify_body w 3)
if [ -s "$b" ]; then check_notify w 3 2 sip:alice@ims.test
else check_notify w 3 - sip:alice@ims.test; fi
ss=$(hdr "$(notify_hdr_file w 3)" Subscription-State)
check_eq "NOTIFY 3: Subscription-State terminated" terminated "$(first_token "$ss")"
check "the watcher saw exactly its 3 answers and 3 NOTIFYs" sipp_wait w
check_eq "no more NOTIFY" 3 "$(notify_count w)"
check_eq "reauth.subscriptions is empty" 0 "$(subs_count)"
check_eq "reauth:active_subscriptions is 0" 0 "$(reauth_stat active_subscriptions)"
check_eq "reauth:notify_sent is 3" 3 "$(reauth_stat notify_sent)"
check_eq "reauth:notify_failed is 0" 0 "$(reauth_stat notify_failed)"

sent=$(reauth_stat notify_sent)
check "alice registers a second contact" register_at alice "$(free_port)" 600
# marker: a new subscription's initial NOTIFY comes after anything the
# registration gave (one notifier process, in order)
check "a new subscription of alice gets its initial NOTIFY" \
	sipp_run w2 sub_ue.xml -s alice -key watcher alice -au alice -ap alice-secret -key sub_expires 600 -key notifies 1
check_eq "the ended subscription gets no NOTIFY (notify_sent $sent + the new initial one)" \
	"$((sent + 1))" "$(wait_stat reauth:notify_sent "$((sent + 1))" 5)"

finish
