#!/usr/bin/env bash
# Reg-event SUBSCRIBEs that cannot be accepted get their own answer:
# no or another Event -> 489 with Allow-Events: reg; an Accept without
# application/reginfo+xml -> 406; an identity of another domain -> 404;
# ours but not registered -> 480 (also for the trusted watcher); a watcher
# that may not watch the identity -> 403; Expires 1..59 -> 423 with
# Min-Expires: 60. None of them creates a subscription or sends a NOTIFY.
# The trusted watcher sip:pcscf@ims.test may subscribe to alice; its
# Expires 7200 is capped to 3600.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"

kam_start

pa=$(free_port)
check "alice registers :$pa" register_at alice "$pa" 600

# bad_sub NAME USER WATCHER EXPIRES HOST EVENT_HDR ACCEPT_HDR: one
# SUBSCRIBE; sets CODE and RESP (the .hdr of the final answer)
bad_sub() {
	local name=$1
	local cred=()
	case $3 in alice | bob | carol | dave) cred=(-au "$3" -ap "$3-secret") ;; esac
	sipp_run "$name" sub_expect_error.xml -s "$2" -key watcher "$3" "${cred[@]}" -key sub_expires "$4" \
		-key target_host "$5" -key event_hdr "$6" -key accept_hdr "$7" >/dev/null
	RESP=$(final_response "$name" "$(initial_sub_cseq "$name")")
	CODE=$(status_code "$RESP")
	[ -n "$CODE" ] || CODE="(no final answer)"
}
EV="Event: reg"
AC="Accept: application/reginfo+xml"

bad_sub no-event alice alice 600 "$DOMAIN" "X-Test: no Event header" "$AC"
check_eq "no Event header: 489 Bad Event" 489 "$CODE"
check_contains "no Event header: Allow-Events lists reg" "reg" "$(hdr "$RESP" Allow-Events)"

bad_sub other-event alice alice 600 "$DOMAIN" "Event: presence" "$AC"
check_eq "Event: presence: 489 Bad Event" 489 "$CODE"
check_contains "Event: presence: Allow-Events lists reg" "reg" "$(hdr "$RESP" Allow-Events)"

# the seed contribution's package name is taken with body_format "draft"
# only (reauth_draft.sh); 3gpp (the default) knows reg alone
bad_sub regstate-event alice alice 600 "$DOMAIN" "Event: registration-state" "$AC"
check_eq "Event: registration-state with body_format 3gpp: 489 Bad Event" 489 "$CODE"
check_eq "Event: registration-state with 3gpp: Allow-Events is reg alone" reg "$(hdr "$RESP" Allow-Events)"

bad_sub bad-accept alice alice 600 "$DOMAIN" "$EV" "Accept: application/pidf+xml"
check_eq "Accept: application/pidf+xml only: 406" 406 "$CODE"

bad_sub other-domain alice alice 600 other.example "$EV" "$AC"
check_eq "sip:alice@other.example (not served here): 404" 404 "$CODE"

bad_sub not-registered carol carol 600 "$DOMAIN" "$EV" "$AC"
check_eq "sip:carol@ims.test, never registered: 480" 480 "$CODE"

bad_sub unknown-user nobody bob 600 "$DOMAIN" "$EV" "$AC"
check_eq "sip:nobody@ims.test, no such subscriber (bob asks): 480" 480 "$CODE"
# a watcher without credentials is challenged before anything is looked up
bad_sub unknown-watcher nobody nobody 600 "$DOMAIN" "$EV" "$AC"
check_eq "a watcher that cannot authenticate (nobody): 407, whatever it watches" 407 "$CODE"

bad_sub not-allowed alice bob 600 "$DOMAIN" "$EV" "$AC"
check_eq "bob watching alice (not trusted): 403" 403 "$CODE"

bad_sub too-brief alice alice 30 "$DOMAIN" "$EV" "$AC"
check_eq "Expires: 30: 423 Interval Too Brief" 423 "$CODE"
check_eq "Expires: 30: Min-Expires: 60" 60 "$(hdr "$RESP" Min-Expires)"

bad_sub too-brief-59 alice alice 59 "$DOMAIN" "$EV" "$AC"
check_eq "Expires: 59: 423" 423 "$CODE"
check_eq "Expires: 59: Min-Expires: 60" 60 "$(hdr "$RESP" Min-Expires)"

from_pcscf bad_sub pcscf-carol carol pcscf 600 "$DOMAIN" "$EV" "$AC"
check_eq "the trusted watcher on unregistered carol: 480" 480 "$CODE"

check_eq "no subscription was created" 0 "$(subs_count)"
check_eq "no NOTIFY was sent" 0 "$(reauth_stat notify_sent)"
check_eq "reauth:active_subscriptions is 0" 0 "$(reauth_stat active_subscriptions)"

# the trusted watcher, asking for more than max_expires
check "sip:pcscf@ims.test subscribes to alice and gets the NOTIFY" \
	from_pcscf sipp_run pcscf sub_ue.xml -s alice -key watcher pcscf -key sub_expires 7200 -key notifies 1
check_subscribe_ok pcscf 3600
check_eq "Expires: 7200 is capped to max_expires 3600" 3600 "$SUB_EXPIRES"
notify_split pcscf >/dev/null
check_notify pcscf 1 0 sip:alice@ims.test
check_contact pcscf 1 "$pa" active registered
ss=$(hdr "$(notify_hdr_file pcscf 1)" Subscription-State)
check_range "Subscription-State expires within 3600" 3590 3600 "$(param_of "$ss" expires)"
check_eq "reauth.subscriptions: one, of alice" 1 "$(subs_count sip:alice@ims.test)"
check_eq "its watcher is sip:pcscf@ims.test" sip:pcscf@ims.test \
	"$(subs_field watcher sip:alice@ims.test)"

finish
