#!/usr/bin/env bash
# A reg-event consumer we do not control: a second Kamailio running
# pua_reginfo (test/kamailio-pua-reginfo.cfg, on the P-CSCF's address,
# trusted by the S-CSCF) subscribes to alice's registration state and
# keeps what the NOTIFYs say in its own usrloc. It skips the contact
# events it does not know (the re-authentication's "shortened", in 5.6)
# and acts on the de-registration: registration and contacts terminated,
# a contact event it knows ("deactivated"), Subscription-State:
# terminated. After it, its usrloc no longer has alice (kamcmd ul.dump).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"

# the S-CSCF: no REFER (the procedure ends in the de-registration at once
# when no UE subscription accepts); the consumer may watch anyone
KAM_PORT=$(free_port)
BPORT=$(free_port)
kam_start "REFER_FALLBACK=0" "TRUSTED_WATCHER=\"sip:pcscf@$PCSCF_IP:$BPORT\""

pa=$(free_port)
check "alice registers at :$pa" register_at alice "$pa" 600

# the consumer
B_DB="$WORK/consumer.sqlite"
B_CTL="unix:$WORK/consumer.sock"
B_LOG="$WORK/consumer.log"
cat /usr/share/kamailio/db_sqlite/standard-create.sql \
	/usr/share/kamailio/db_sqlite/presence-create.sql | sqlite3 "$B_DB"
mkdir -p "$WORK/consumer"
kamailio -DD -E -f "$TOP/test/kamailio-pua-reginfo.cfg" -L "$KAM_MODULES" \
	-Y "$WORK/consumer" -m 32 -M 8 -A "LISTEN=udp:$PCSCF_IP:$BPORT" \
	-A "CTL_SOCKET=\"$B_CTL\"" -A "PUA_DBURL=\"sqlite://$B_DB\"" \
	-A "SELF=\"sip:pcscf@$PCSCF_IP:$BPORT\"" -A "SCSCF=\"sip:$IP:$KAM_PORT\"" \
	-A "WATCH=\"sip:alice@$DOMAIN\"" >>"$B_LOG" 2>&1 &
B_PID=$!
BG_PIDS="$BG_PIDS $B_PID"
b_cmd() { kamcmd -s "$B_CTL" "$@"; }
for i in $(seq 1 100); do
	b_cmd core.version >/dev/null 2>&1 && break
	sleep 0.1
done
check "the consumer Kamailio (pua_reginfo) answers kamcmd" b_cmd core.version
# b_has TEXT [SECONDS]: until the consumer's ul.dump has (or, with !, has
# not) TEXT
b_wait_dump() {
	local want=$1 text=$2 i out
	for i in $(seq 1 $((${3:-10} * 10))); do
		out=$(b_cmd ul.dump 2>&1)
		if printf '%s' "$out" | grep -qF -- "$text"; then
			[ "$want" = has ] && return 0
		else
			[ "$want" = lacks ] && return 0
		fi
		sleep 0.1
	done
	echo "consumer ul.dump, waited for it to $want '$text':"
	printf '%s\n' "$out" | head -20
	return 1
}

# an OPTIONS makes it subscribe (reginfo_subscribe, through the S-CSCF)
SIPP_REMOTE="$PCSCF_IP:$BPORT" sipp_run trigger options.xml >/dev/null
check "pua_reginfo subscribed to alice" wait_subs 1 sip:alice@ims.test
# a P-CSCF-like sipp watcher next to it: what went on the wire
pw=$(free_port)
from_pcscf sipp_bg wire sub_ue.xml "$pw" -s alice -key watcher pcscf -key sub_expires 600 -key notifies 3
check "the sipp watcher subscribed too" wait_subs 2 sip:alice@ims.test
check_eq "both subscriptions are watchers', not the UE's" "other other" "$(subs_field kind sip:alice@ims.test | xargs)"
check "the consumer's usrloc has alice's contact (initial NOTIFY)" \
	b_wait_dump has "sip:alice@$IP:$pa;transport=udp"

check_contains "reauth.user starts the procedure" "status: started" \
	"$(reauth_start sip:alice@ims.test)"
check "the S-CSCF de-registers alice (no UE subscription, no REFER)" \
	wait_outcome sip:alice@ims.test deregistered 20
check "the consumer's usrloc no longer has alice" b_wait_dump lacks "alice@" 10
check_eq "the S-CSCF's usrloc no longer has alice either" "" \
	"$(kamcmd_ ul.lookup location alice@ims.test 2>/dev/null | grep 'Address:')"
check_contains "the consumer saw Subscription-State: terminated" \
	"NOTIFY reg terminated" "$(cat "$B_LOG")"
check_contains "the consumer skipped the re-authentication's 'shortened' (5.6)" \
	"Unknown Event shortened" "$(cat "$B_LOG")"
check_not_contains "the consumer knew the de-registration's contact event" \
	"Unknown Event deactivated" "$(cat "$B_LOG")"
# the de-registration NOTIFY, against both parsers (see the module docs,
# "Reg Event Consumers of Kamailio")
check_sipp "the sipp watcher got its three NOTIFYs" wire
check_eq "three NOTIFYs: initial, re-authentication, de-registration" 3 "$(notify_split wire)"
h=$(notify_hdr_file wire 3)
b=$(notify_body wire 3)
check_contains "Subscription-State: terminated" "terminated" "$(hdr "$h" Subscription-State)"
check_eq "alice's registration is terminated (pua_reginfo drops the AoR)" 1 \
	"$(rx "$b" 'count(//*[local-name()="registration"][@aor="sip:alice@ims.test"][@state="terminated"])')"
check_eq "its contacts are terminated (ims_registrar_pcscf removes them)" 0 \
	"$(rx "$b" 'count(//*[local-name()="registration"][@state="terminated"]/*[local-name()="contact"][@state!="terminated"])')"
check_eq "with an event both parsers know (deactivated, expired...)" 0 \
	"$(rx "$b" 'count(//*[local-name()="registration"][@state="terminated"]/*[local-name()="contact"][not(@event="registered" or @event="created" or @event="refreshed" or @event="expired" or @event="deactivated" or @event="unregistered")])')"
check_eq "the contact event is dereg_event (deactivated)" deactivated \
	"$(rx "$b" 'string(//*[local-name()="registration"][@aor="sip:alice@ims.test"]/*[local-name()="contact"]/@event)')"
check_not_contains "nothing crashed in the consumer" "CRITICAL" "$(cat "$B_LOG")"

kill "$B_PID" 2>/dev/null
finish
