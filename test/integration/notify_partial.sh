#!/usr/bin/env bash
# Reg-event partial state (RFC 3680 4.7.2), modparam notify_state
# "partial": the first NOTIFY of a subscription, a refresh and the final
# one stay full; a NOTIFY caused by a change carries state="partial" and
# only what changed (the registration with the changed contact alone);
# versions go on per subscription. The re-authentication NOTIFY carries
# just the shortened contacts of the set, expires 60 (TS 34.229-1); the
# de-registration NOTIFY after it just the set's deactivated contacts.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"

# the example cfg with notify_state partial (a copy in this test's folder)
mkdir -p "$WORK"
sed 's/^modparam("reauth", "dereg_event", DEREG_EVENT)$/&\nmodparam("reauth", "notify_state", "partial")/' \
	"$TOP/etc/kamailio.cfg" >"$WORK/partial.cfg"
check "the cfg copy sets notify_state partial" grep -q '"notify_state", "partial"' "$WORK/partial.cfg"
KAM_CFG="$WORK/partial.cfg" kam_start "REFER_FALLBACK=0" "REAUTH_TIMEOUT=5"

p1=$(free_port)
p2=$(free_port)
p3=$(free_port)
p4=$(free_port)
check "alice registers :$p1" register_at alice "$p1" 600
check "alice registers :$p2" register_at alice "$p2" 600

# subscribe, refresh, unsubscribe: every NOTIFY of it is full
sipp_bg r sub_refresh_unsub.xml "$(free_port)" -s alice -key watcher alice -au alice -ap alice-secret \
	-key sub_expires 600 -key refresh_expires 600
check "subscribe, refresh and unsubscribe: three NOTIFYs" wait_notifies r 3 15
check "... the watcher ends" sipp_wait r
check_eq "initial, refresh and final NOTIFY are full" "full full full" \
	"$(reginfo_state "$(notify_body r 1)") $(reginfo_state "$(notify_body r 2)") $(reginfo_state "$(notify_body r 3)")"
check_eq "... and list both contacts" "2 2" \
	"$(contact_count "$(notify_body r 1)") $(contact_count "$(notify_body r 2)")"

sipp_bg w sub_ue.xml "$(free_port)" -s alice -key watcher alice -au alice -ap alice-secret -key sub_expires 600 \
	-key notifies 7
check "the initial NOTIFY arrives" wait_notifies w 1 10
check_subscribe_ok w 600
b=$(notify_body w 1)
check_eq "NOTIFY 1 (initial): full, every identity, both contacts" "full 0 3 2" \
	"$(reginfo_state "$b") $(reginfo_version "$b") $(reg_count "$b") $(contact_count "$b")"

# partial_ok N VERSION WHAT: NOTIFY N is partial, of that version, valid
partial_ok() {
	local b out
	b=$(notify_body w "$1")
	check_eq "NOTIFY $1 ($3): state partial, version $2" "partial $2" \
		"$(reginfo_state "$b") $(reginfo_version "$b")"
	if out=$(validate_reginfo "$b" 2>&1); then pass "NOTIFY $1: validates against RFC 3680"
	else fail "NOTIFY $1: validates against RFC 3680" "$out"; fi
}

check "alice registers :$p3" register_at alice "$p3" 600
check "NOTIFY 2 arrives" wait_notifies w 2 10
partial_ok 2 1 "new contact"
b=$(notify_body w 2)
check_eq "NOTIFY 2: alice's registration alone, active, the new contact alone" \
	"1 sip:alice@ims.test active 1" \
	"$(reg_count "$b") $(rx "$b" 'string(//*[local-name()="registration"]/@aor)') $(reg_attr "$b" sip:alice@ims.test state) $(contact_count "$b")"
check_contact w 2 "$p3" active registered

check "alice refreshes :$p1" register_at alice "$p1" 600
check "NOTIFY 3 arrives" wait_notifies w 3 10
partial_ok 3 2 refresh
check_eq "NOTIFY 3: the refreshed contact alone" 1 "$(contact_count "$(notify_body w 3)")"
check_contact w 3 "$p1" active refreshed

check "alice2 registers :$p4" register_at alice2 "$p4" 600
check "NOTIFY 4 arrives" wait_notifies w 4 10
partial_ok 4 3 "another identity of the set"
b=$(notify_body w 4)
check_eq "NOTIFY 4: alice2's registration alone, with its contact" "1 active 1" \
	"$(reg_count "$b") $(reg_attr "$b" sip:alice2@ims.test state) $(contact_count "$b" sip:alice2@ims.test)"

check "alice unregisters :$p2" unregister_at alice "$p2"
check "NOTIFY 5 arrives" wait_notifies w 5 10
partial_ok 5 4 unregistration
b=$(notify_body w 5)
check_eq "NOTIFY 5: alice still active, the gone contact alone" "active 1" \
	"$(reg_attr "$b" sip:alice@ims.test state) $(contact_count "$b")"
check_contact w 5 "$p2" terminated unregistered

out=$(kamcmd_ reauth.user sip:alice@ims.test 2>&1)
check_contains "reauth.user starts" "status: started" "$out"
check "NOTIFY 6 (re-authentication) arrives" wait_notifies w 6 10
partial_ok 6 5 re-authentication
b=$(notify_body w 6)
check_eq "NOTIFY 6: alice and alice2 only (alicew is not re-authenticated)" \
	"sip:alice2@ims.test sip:alice@ims.test" "$(reg_aors "$b" | tr '\n' ' ' | sed 's/ $//')"
check_eq "NOTIFY 6: just the three shortened contacts" "3 3" \
	"$(contact_count "$b") $(rx "$b" 'count(//*[local-name()="contact"][@event="shortened"][@state="active"])')"
for p in "$p1" "$p3" "$p4"; do
	check_range "NOTIFY 6: contact :$p expires shortened to 60" 55 60 "$(contact_attr "$b" "$p" expires)"
done
# no re-REGISTER: de-registration, partial too: the set's contacts alone
check "NOTIFY 7 (de-registration) arrives" wait_notifies w 7 15
partial_ok 7 6 de-registration
b=$(notify_body w 7)
check_eq "NOTIFY 7: alice and alice2 only, terminated" \
	"sip:alice2@ims.test terminated sip:alice@ims.test terminated" \
	"$(for a in $(reg_aors "$b"); do echo "$a $(reg_attr "$b" "$a" state)"; done | tr '\n' ' ' | sed 's/ $//')"
check_eq "NOTIFY 7: the three contacts, deactivated" "3 3" \
	"$(contact_count "$b") $(rx "$b" 'count(//*[local-name()="contact"][@event="deactivated"][@state="terminated"])')"
check_eq "NOTIFY 7: Subscription-State terminated (nothing of alice is left)" terminated \
	"$(first_token "$(hdr "$(notify_hdr_file w 7)" Subscription-State)")"
check "the watcher answered its 7 NOTIFYs" sipp_wait w

finish
