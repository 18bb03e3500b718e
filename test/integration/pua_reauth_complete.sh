#!/usr/bin/env bash
# reg_event_mode pua, the way it should go: Kamailio's presence server
# (presence + presence_reginfo) keeps the UE's reg event subscription and
# the module publishes through pua. The registration state reaches the
# watcher through presence; reauth.user publishes the shortened contacts
# (alice and alice2 of its implicit set, alicew listed as it is), the
# presence server notifies them, the UE registers again with digest, and
# the procedure completes before publish_wait passes (no REFER).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"
. "$(dirname "$0")/pua_lib.sh"

pua_kam_start "SHORTENED_EXPIRES=30" "PUBLISH_WAIT=20"
check "the module runs in reg_event_mode pua" log_has "reg_event_mode pua"

p2=$(free_port)
check "alice2 (same implicit set) registers at :$p2" register_at alice2 "$p2" 600
# alice2's change is published for each identity of the user
check "its registration state is published (alice, alice2, alicew)" wait_published 3
pa=$(free_port)
sipp_bg ue ue_reauth_pua.xml "$pa" -s alice -au alice -ap alice-secret -key expires 600
check "the UE's registration is published too" wait_published 6
# (before the module published alice's state the first NOTIFY has no body)
for i in $(seq 1 100); do
	notify_with ue "$(contact_uri alice "$pa")" >/dev/null && break
	sleep 0.1
done
k=$(notify_with ue "$(contact_uri alice "$pa")")
check "the UE's subscription through presence gets the UE's registration" test -n "$k"
check_contact ue "${k:-0}" "$pa" active registered
check_eq "that NOTIFY lists alice's three identities" 3 "$(reg_count "$(notify_body ue "${k:-0}")")"
check_eq "reauth_subscribe() is not used: the module has no subscription" 0 \
	"$(subs_count)"

out=$(reauth_start sip:alice@ims.test)
check_contains "reauth.user starts the procedure" "status: started" "$out"

check_sipp "the UE got the shortened contacts and registered again" ue
check "the procedure completes" wait_outcome sip:alice@ims.test completed 10
check_eq "its reason" re-registered "$(proc_field sip:alice@ims.test reason)"

k=$(notify_with ue 'event="shortened"')
check "a NOTIFY of the presence server shows the shortened contacts" test -n "$k"
b=$(notify_body ue "${k:-0}")
h=$(notify_hdr_file ue "${k:-0}")
check_eq "that NOTIFY: Event: reg" reg "$(first_token "$(hdr "$h" Event)")"
check_eq "that NOTIFY: application/reginfo+xml" application/reginfo+xml \
	"$(first_token "$(hdr "$h" Content-Type)")"
if out=$(validate_reginfo "$b" 2>&1); then pass "that NOTIFY: body validates against RFC 3680"
else fail "that NOTIFY: body validates against RFC 3680" "$out"; fi
check_eq "that NOTIFY: full state (presence hands the last document to new watchers)" \
	full "$(reginfo_state "$b")"
check_contact ue "${k:-0}" "$pa" active shortened
check_range "alice's contact: expires shortened to 30" 20 30 "$(contact_attr "$b" "$pa" expires)"
check_contact ue "${k:-0}" "$p2" active shortened
check_eq "alicew (another set of alice) is listed, not re-authenticated" "init 0" \
	"$(reg_attr "$b" sip:alicew@ims.test state) $(contact_count "$b" sip:alicew@ims.test)"
check "the versions of the UE's NOTIFYs grow" versions_grow ue
requests_sent ue REGISTER >/dev/null
responses_split ue >/dev/null
check_contains "the re-REGISTER was challenged" "401" \
	"$(grep -l 'CSeq: 3 REGISTER' "$WORK"/ue.resp.*.hdr | xargs head -qn1)"

check_eq "statistics: started" 1 "$(reauth_stat reauth_started)"
check_eq "statistics: one publication per identity" 3 "$(reauth_stat reauth_notify_sent)"
check_eq "statistics: completed" 1 "$(reauth_stat reauth_completed)"
check_eq "statistics: no REFER" 0 "$(reauth_stat refer_sent)"
check_eq "statistics: no PUBLISH failed" 0 "$(reauth_stat publish_failed)"
check "event_route[reauth:completed] ran" \
	log_has "reauth 1 of sip:alice@ims.test: completed (re-registered)"
check_range "usrloc: alice's contact is back to the registered expires" 590 600 \
	"$(ul_expires alice@ims.test "$pa")"
check "the refresh is published too" wait_published 12
check_eq "no PUBLISH left open (the table of open ones is empty)" 0 \
	"$(reauth_stat publish_open)"
pr=$(presentities alice)
check_eq "the presence server holds one document of alice (one ETag, one publisher)" 1 \
	"$(printf '%s\n' "$pr" | grep -c 'event: reg')"
check_contains "... with alice's refreshed contact" 'event="refreshed"' "$pr"

finish
