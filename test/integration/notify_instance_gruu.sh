#!/usr/bin/env bash
# Reg-event contacts carry what RFC 5626/5628 ask for:
# - a contact registered with +sip.instance and reg-id lists them as
#   <unknown-param name="+sip.instance">"&lt;urn:uuid:...&gt;"</unknown-param>
#   and <unknown-param name="reg-id">1</unknown-param>; a contact without
#   them has none;
# - with registrar's gruu_enabled (its default), such a contact carries
#   <gr:pub-gruu uri/> and <gr:temp-gruu uri first-cseq/>, the very GRUUs
#   the registrar's 200 OK handed out, and the body validates against a
#   schema importing reginfo.xsd and gruuinfo.xsd; with gruu_enabled 0 the
#   GRUUs go, the instance stays.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"

# validate_gruu FILE: RFC 3680 + RFC 5628 (gr: elements checked, not lax)
validate_gruu() {
	XML_CATALOG_FILES="$SCHEMA_DIR/catalog.xml" xmllint --nonet --noout \
		--schema "$SCHEMA_DIR/reginfo-gruu.xsd" "$1"
}
# resp_param NAME PARAM: PARAM="..." of the Contact of the last 200 NAME got
resp_param() {
	perl -ne 'if (/^SIP\/2.0 200/) { $in = 1; $v = "" } elsif (/^\S+ sip:\S+ SIP\/2.0/) { $in = 0 }
		$v = $1 if $in && /^Contact:.*;\Q'"$2"'\E="([^"]*)"/i; END { print $v }' "$WORK/$1.msg"
}
gr_attr() { rx "$1" "string(//*[local-name()=\"contact\"]$(_cpred "$2")/*[local-name()=\"$3\"]/@$4)"; }
uparam() {
	rx "$1" "string(//*[local-name()=\"contact\"]$(_cpred "$2")/*[local-name()=\"unknown-param\"][@name=\"$3\"])"
}

kam_start

uuid=f81d4fae-7dec-11d0-a765-00a0c91e6bf6
p1=$(free_port)
p2=$(free_port)
check "alice registers :$p1 with +sip.instance and reg-id 1, Supported: gruu" \
	sipp_run_at reg-inst "$p1" ue_register_instance.xml -s alice -au alice -ap alice-secret \
	-key expires 600 -key instance "$uuid" -key reg_id 1
pub=$(resp_param reg-inst pub-gruu)
temp=$(resp_param reg-inst temp-gruu)
check_eq "the registrar's 200 OK handed out a pub-gruu" "sip:alice@ims.test;gr=urn:uuid:$uuid" "$pub"
case "$temp" in
sip:*@ims.test\;gr) pass "the registrar's 200 OK handed out a temp-gruu ($temp)" ;;
*) fail "the registrar's 200 OK handed out a temp-gruu" "got '$temp'" ;;
esac
check "alice registers :$p2 without them" register_at alice "$p2" 600

sipp_bg w sub_ue.xml "$(free_port)" -s alice -key watcher alice -au alice -ap alice-secret -key sub_expires 600 \
	-key notifies 2
check "the initial NOTIFY arrives" wait_notifies w 1 10
check_subscribe_ok w 600
check_notify w 1 0 sip:alice@ims.test
b=$(notify_body w 1)
if out=$(validate_gruu "$b" 2>&1); then pass "NOTIFY 1 validates against reginfo.xsd + gruuinfo.xsd"
else fail "NOTIFY 1 validates against reginfo.xsd + gruuinfo.xsd" "$out"; fi
check_eq "contact :$p1: +sip.instance as the Contact carried it" "\"<urn:uuid:$uuid>\"" \
	"$(uparam "$b" "$p1" +sip.instance)"
check_eq "contact :$p1: reg-id 1" 1 "$(uparam "$b" "$p1" reg-id)"
check_eq "contact :$p1: gr:pub-gruu is the registrar's" "$pub" "$(gr_attr "$b" "$p1" pub-gruu uri)"
check_eq "contact :$p1: gr:temp-gruu is the registrar's" "$temp" "$(gr_attr "$b" "$p1" temp-gruu uri)"
check_eq "contact :$p1: temp-gruu first-cseq is the REGISTER's CSeq" 2 \
	"$(gr_attr "$b" "$p1" temp-gruu first-cseq)"
check_eq "the gr: elements are in the RFC 5628 namespace" "urn:ietf:params:xml:ns:gruuinfo urn:ietf:params:xml:ns:gruuinfo" \
	"$(rx "$b" "namespace-uri(//*[local-name()=\"pub-gruu\"])") $(rx "$b" "namespace-uri(//*[local-name()=\"temp-gruu\"])")"
check_eq "contact :$p2: no unknown-param, no GRUU" "0 0" \
	"$(rx "$b" "count(//*[local-name()=\"contact\"]$(_cpred "$p2")/*[local-name()=\"unknown-param\"])") $(rx "$b" "count(//*[local-name()=\"contact\"]$(_cpred "$p2")/*[local-name()=\"pub-gruu\" or local-name()=\"temp-gruu\"])")"

# gruu_enabled 0: a copy of the example cfg with that one line added
kam_stop
sed 's/^modparam("registrar", "use_path", 1)$/&\nmodparam("registrar", "gruu_enabled", 0)/' "$TOP/etc/kamailio.cfg" >"$WORK/nogruu.cfg"
check "the cfg copy sets gruu_enabled 0" grep -q '"gruu_enabled", 0' "$WORK/nogruu.cfg"
KAM_CFG="$WORK/nogruu.cfg" kam_launch
check "alice refreshes :$p1 (gruu_enabled 0)" \
	sipp_run_at reg-inst2 "$p1" ue_register_instance.xml -s alice -au alice -ap alice-secret \
	-key expires 600 -key instance "$uuid" -key reg_id 1
check "a NOTIFY follows" wait_notifies w 2 15
b=$(notify_body w 2)
check_notify w 2 1 sip:alice@ims.test
check_eq "gruu_enabled 0: the registrar's 200 OK has no pub-gruu" "" "$(resp_param reg-inst2 pub-gruu)"
check_eq "gruu_enabled 0: no GRUU in the NOTIFY" 0 \
	"$(rx "$b" 'count(//*[local-name()="pub-gruu" or local-name()="temp-gruu"])')"
check_eq "gruu_enabled 0: +sip.instance and reg-id stay" "\"<urn:uuid:$uuid>\" 1" \
	"$(uparam "$b" "$p1" +sip.instance) $(uparam "$b" "$p1" reg-id)"
check "the watcher answered both NOTIFYs" sipp_wait w

finish
