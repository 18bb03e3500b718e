#!/usr/bin/env bash
# body_format "draft": the re-authentication NOTIFY in the seed
# contribution's notation (../shared/seed/, doc: "Body Formats"), each
# point of its text read on the wire:
#  - Event: the seed's "registration-state" for a watcher that subscribed
#    to that package (accepted with draft, stored with the dialog), "reg"
#    on a reg subscription: a NOTIFY names its subscription's package
#    (RFC 6665), after a restart too (DB column event, reauth.subscriptions
#    shows it); a refresh naming the other package is refused (489);
#  - the example's elements and nesting, and nothing else:
#    <tuple name=AOR><status><value>..</value></status>[<detail>]</tuple>
#    one per public identity, under the reg package's <reginfo>;
#  - "re-authenticate" for the set's identities, and
#    <detail>automatically by sip:alice@ims.test</detail> for the one
#    the trigger covers;
#  - the current state of every other identity of the user (alicew,
#    another set: active).
# The body is well-formed XML, not held to RFC 3680; the NOTIFYs around
# it (initial, after the re-REGISTER) are RFC 3680 bodies.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"

# outline FILE: element names and nesting of an XML body, e.g.
# reginfo(tuple(status(value))tuple(status(value)detail)); attributes and
# text are left out, an element with no child element is its bare name
outline() {
	xmllint --nonet --noblanks "$1" 2>/dev/null | perl -0ne '
		s/<\?.*?\?>//s;
		my $o = "";
		while (/<(\/?)([A-Za-z][\w.-]*)[^>]*?(\/?)>/g) {
			if ($1) { $o .= ")" } else { $o .= $2; $o .= "(" unless $3 }
		}
		$o =~ s/\(\)//g;
		print $o'
}
# tuple_value FILE AOR / tuple_detail FILE AOR
tuple_value() {
	rx "$1" "string(/*[local-name()=\"reginfo\"]/*[local-name()=\"tuple\"][@name=\"$2\"]/*[local-name()=\"status\"]/*[local-name()=\"value\"])"
}
tuple_detail() {
	rx "$1" "string(/*[local-name()=\"reginfo\"]/*[local-name()=\"tuple\"][@name=\"$2\"]/*[local-name()=\"detail\"])"
}

kam_start 'BODY_FORMAT="draft"'

p2=$(free_port)
check "alice2 (same implicit set) registers at :$p2" register_at alice2 "$p2" 600
pw=$(free_port)
check "alicew (alice's other set) registers at :$pw" register_at alicew "$pw" 600

# a watcher of the seed's package: sub_long.xml with its Event changed;
# it ends after the re-authentication NOTIFY, and the NOTIFY of the UE's
# re-registration may follow at once: taken for 1 s instead of aborting
sed -e 's/^\([[:space:]]*\)Event: reg[[:space:]]*$/\1Event: registration-state/' \
	-e 's|^\([[:space:]]*\)<nop/>|\1<recv request="NOTIFY" timeout="1000" ontimeout="end"/>\n\1<label id="end"/>\n\1<nop/>|' \
	"$SIPP_DIR/sub_long.xml" >"$WORK/sub_regstate.xml"
check_eq "the registration-state watcher scenario names that package" 2 \
	"$(grep -c 'Event: registration-state' "$WORK/sub_regstate.xml")"
pa=$(free_port)
sipp_bg ue ue_reauth.xml "$pa" -s alice -au alice -ap alice-secret -key expires 600
check "the UE registered and subscribed (Event: reg)" wait_subs 1 sip:alice@ims.test
SIPP_DIR=$WORK sipp_bg wrs sub_regstate.xml "$(free_port)" -s alice -key watcher alice \
	-au alice -ap alice-secret -key sub_expires 600
check "the watcher subscribed (Event: registration-state)" wait_subs 2 sip:alice@ims.test
check_eq "the DB keeps each subscription's package" "reg registration-state" \
	"$(wait_sql "$KAM_RDB" "select group_concat(event, ' ') from (select event from reauth_subscription where identity='sip:alice@ims.test' order by event)" "reg registration-state" 15)"
# a restart: the package comes back from the DB, the NOTIFYs below are
# sent from the loaded subscriptions
kam_stop
kam_launch 'BODY_FORMAT="draft"'
check "both subscriptions are back after a restart" wait_subs 2 sip:alice@ims.test
check_eq "reauth.subscriptions shows each one's package" "reg registration-state" \
	"$(subs_rpc sip:alice@ims.test | sed -n 's/^[[:space:]]*event: //p' | sort | tr '\n' ' ' | sed 's/ $//')"
check_contains "reauth.user starts the procedure" "status: started" "$(reauth_start sip:alice@ims.test)"
check_sipp "the UE got the NOTIFY, answered 200 and registered again" ue
check_sipp "the registration-state watcher got its initial and its re-authentication NOTIFY" wrs
check "the procedure completes" wait_outcome sip:alice@ims.test completed 5

# --- the UE's subscription (Event: reg) ---
notify_split ue >/dev/null
h=$(notify_hdr_file ue 2)
b=$(notify_body ue 2)
check_eq "UE: the NOTIFYs of a reg subscription say Event: reg" "reg reg" \
	"$(hdr "$(notify_hdr_file ue 1)" Event) $(hdr "$h" Event)"
check_eq "UE: Content-Type of the draft body" application/reginfo+xml "$(hdr "$h" Content-Type)"
check "UE: the draft body is well-formed XML" xmllint --nonet --noout "$b"
check_eq "UE: the seed's elements and nesting, one tuple per identity, nothing else" \
	"reginfo(tuple(status(value))tuple(status(value)detail)tuple(status(value)))" "$(outline "$b")"
check_eq "UE: tuples named by the identities, in the user's order" \
	"sip:alice@ims.test sip:alice2@ims.test sip:alicew@ims.test" \
	"$(rx "$b" '//*[local-name()="tuple"]/@name' | sed 's/^ *name="\(.*\)"$/\1/' | tr '\n' ' ' | sed 's/ $//')"
check_eq "UE: a tuple's only attribute is its name" 3 \
	"$(rx "$b" 'count(//*[local-name()="tuple"]/@*)')"
check_eq "UE: sip:alice@ims.test (triggered): re-authenticate" re-authenticate \
	"$(tuple_value "$b" sip:alice@ims.test)"
check_eq "UE: sip:alice@ims.test: no detail (it is the one re-authenticated)" "" \
	"$(tuple_detail "$b" sip:alice@ims.test)"
check_eq "UE: sip:alice2@ims.test (same set): re-authenticate" re-authenticate \
	"$(tuple_value "$b" sip:alice2@ims.test)"
check_eq "UE: sip:alice2@ims.test: <detail>automatically by sip:alice@ims.test</detail>" \
	"automatically by sip:alice@ims.test" "$(tuple_detail "$b" sip:alice2@ims.test)"
check_eq "UE: the detail follows </status> inside the tuple" 1 \
	"$(rx "$b" 'count(//*[local-name()="tuple"][@name="sip:alice2@ims.test"]/*[2][local-name()="detail"][preceding-sibling::*[local-name()="status"]])')"
check_eq "UE: sip:alicew@ims.test (other set): its current state, active" active \
	"$(tuple_value "$b" sip:alicew@ims.test)"
check_eq "UE: the draft body carries no contact" 0 "$(rx "$b" 'count(//*[local-name()="contact"])')"
check "UE: the initial NOTIFY is an RFC 3680 body" validate_reginfo "$(notify_body ue 1)"

# --- the watcher's subscription (Event: registration-state) ---
notify_split wrs >/dev/null
wb=$(notify_body wrs 2)
check_eq "watcher: its NOTIFYs say the seed's Event: registration-state (the second after the restart)" \
	"registration-state registration-state" \
	"$(hdr "$(notify_hdr_file wrs 1)" Event) $(hdr "$(notify_hdr_file wrs 2)" Event)"
check_eq "watcher: the same draft body" \
	"reginfo(tuple(status(value))tuple(status(value)detail)tuple(status(value)))" "$(outline "$wb")"
check_eq "watcher: re-authenticate, automatically by, active" \
	"re-authenticate|re-authenticate|automatically by sip:alice@ims.test|active" \
	"$(tuple_value "$wb" sip:alice@ims.test)|$(tuple_value "$wb" sip:alice2@ims.test)|$(tuple_detail "$wb" sip:alice2@ims.test)|$(tuple_value "$wb" sip:alicew@ims.test)"
check "watcher: its initial NOTIFY is an RFC 3680 body" validate_reginfo "$(notify_body wrs 1)"

# the contacts of the set were shortened all the same (usrloc)
check_range "the re-authenticated set's other contact (:$p2) was shortened" 1 60 \
	"$(ul_expires alice2@ims.test "$p2")"

# with draft, Allow-Events names both packages
sipp_run bad-event sub_expect_error.xml -s alice -key watcher alice -au alice -ap alice-secret \
	-key sub_expires 600 -key target_host "$DOMAIN" -key event_hdr "Event: presence" \
	-key accept_hdr "Accept: application/reginfo+xml" >/dev/null
r=$(final_response bad-event "$(initial_sub_cseq bad-event)")
check_eq "Event: presence: 489" 489 "$(status_code "$r")"
check_eq "Allow-Events: reg, registration-state" "reg, registration-state" "$(hdr "$r" Allow-Events)"

# a refresh names the package of its subscription (RFC 6665): a
# registration-state dialog refreshed with Event: reg is refused
awk '/^[[:space:]]*Event: reg[[:space:]]*$/ && n < 2 { sub(/Event: reg/, "Event: registration-state"); n++ } { print }' \
	"$SIPP_DIR/sub_refresh_unsub.xml" >"$WORK/sub_regstate_refresh.xml"
SIPP_DIR=$WORK sipp_run mixed sub_regstate_refresh.xml -s alice -key watcher alice -au alice \
	-ap alice-secret -key sub_expires 600 -key refresh_expires 900 >/dev/null
c0=$(initial_sub_cseq mixed)
check_eq "the registration-state subscription is taken" 200 "$(status_code "$(final_response mixed "$c0")")"
r=$(final_response mixed $((c0 + 1)))
check_eq "its refresh with Event: reg: 489" 489 "$(status_code "$r")"

finish
