#!/usr/bin/env bash
# Bounds (issue 9): a flood of SUBSCRIBEs cannot fill shared memory. At
# most max_subscriptions_per_identity per identity and max_subscriptions
# in all; past them a SUBSCRIBE gets 503 with Retry-After, and the server
# keeps answering. A NOTIFY fan-out never has more than
# max_notify_inflight transactions open. RPC listings come a page at a
# time; RPC faults stay short whatever the input.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"

shm_used() { kamcmd_ core.shmmem 2>/dev/null | awk '$1 == "used:" { print $2 }'; }

# flood NAME USER N: N SUBSCRIBEs to USER from the P-CSCF's address (a
# trusted watcher: no challenge), 400 per second, each its own dialog
flood() {
	from_pcscf sipp_run "$1" sub_probe.xml -key ruri "sip:$2@ims.test" \
		-key from_uri sip:pcscf@ims.test -key extra_hdr "X-Probe: flood" \
		-key sub_expires 600 -m "$3" -r 400 -l 200 >/dev/null
}
# count_answers NAME CODE: how many CODE answers NAME received (each once)
count_answers() { sipp_extract "$WORK/$1.msg" received "^SIP/2\\.0 $2 " "$WORK/$1.ans$2" body; }

kam_start MAX_SUBSCRIPTIONS_PER_IDENTITY=16 MAX_SUBSCRIPTIONS=40 MAX_NOTIFY_INFLIGHT=8
pa=$(free_port) pb=$(free_port) pc=$(free_port)
check "alice registers" register_at alice "$pa" 600
check "bob registers" register_at bob "$pb" 600
check "carol registers" register_at carol "$pc" 600
check "the server answers OPTIONS" sipp_run ping0 options.xml

# ---- per identity
flood fa alice 1000
check_eq "alice: 16 subscriptions, not 1000" 16 "$(subs_count sip:alice@ims.test)"
check_eq "alice: 16 answered 200" 16 "$(count_answers fa 200)"
check_eq "alice: 984 answered 503" 984 "$(count_answers fa 503)"
r=$(grep -A20 "^SIP/2.0 503 " "$WORK/fa.msg" | sed -n 's/^Retry-After: *//p' | head -1 | tr -d '\r')
check_range "503 has Retry-After: when alice's oldest ends (<= 600 s)" 1 600 "$r"
check_eq "statistics: subscribe_refused_full 984" 984 "$(reauth_stat subscribe_refused_full)"
check "the log says why" log_has "subscription table full (max_subscriptions 40, per identity 16): 503"

# ---- in all
flood fb bob 20
check_eq "bob: 16 subscriptions" 16 "$(subs_count sip:bob@ims.test)"
flood fc carol 20
check_eq "carol: 8, the table is full at 40" 8 "$(subs_count sip:carol@ims.test)"
check_eq "reauth:active_subscriptions is 40" 40 "$(reauth_stat active_subscriptions)"
r=$(grep -A20 "^SIP/2.0 503 " "$WORK/fc.msg" | sed -n 's/^Retry-After: *//p' | head -1 | tr -d '\r')
check_eq "a full table answers Retry-After: 60" 60 "$r"
check "the server still answers OPTIONS" sipp_run ping1 options.xml

# a flood at a full table costs no shared memory (2000 subscriptions
# would take more than 1.2 MB): measured once tm has freed the initial
# NOTIFYs' transactions (its wait timer, 5 s)
check "tm has no transaction left" tm_idle 15
shm1=$(shm_used)
flood fd alice 2000
check_eq "another 2000 for alice: all 503" 2000 "$(count_answers fd 503)"
shm2=$(shm_used)
grow=$(( (shm2 - shm1) / 1024 ))
check_range "shared memory grew by at most 64 KB (grew $grow KB)" -100000 64 "$grow"
check_eq "reauth:active_subscriptions is still 40" 40 "$(reauth_stat active_subscriptions)"

# ---- RPC pages
check_eq "reauth.subscriptions lists 40 (a page of 50)" 40 "$(subs_count)"
check_not_contains "... with no next_offset" next_offset "$(subs_rpc)"
page=$(kamcmd_ reauth.subscriptions '*' 0 15 2>&1)
check_eq "a page of 15" 15 "$(printf '%s\n' "$page" | grep -c 'identity:')"
check_contains "... says where the next starts" "next_offset: 15" "$page"
ids=""
for off in 0 15 30; do
	ids="$ids $(kamcmd_ reauth.subscriptions '*' "$off" 15 2>&1 | sed -n 's/^[[:space:]]*id: //p')"
done
check_eq "three pages hold the 40, each once" 40 "$(printf '%s\n' $ids | sort -u | wc -l)"
check_eq "the last page says nothing follows" 0 \
	"$(kamcmd_ reauth.subscriptions '*' 30 15 2>&1 | grep -c next_offset)"
check_eq "one identity's page" 5 "$(subs_count sip:alice@ims.test 0 5)"
check_contains "a bad limit is a 400" "400 - offset must be >= 0, limit 1..500" \
	"$(kamcmd_ reauth.subscriptions '*' 0 100000 2>&1)"

# ---- short RPC faults whatever the input
long="sip:$(head -c 2048 /dev/zero | tr '\0' a)@ims.test"
for cmd in reauth.user reauth.show reauth.cancel reauth.subscriptions; do
	out=$(kamcmd_ $cmd "$long" 2>&1)
	check_contains "$cmd <2 KB identity>: a 400/404 with its reason" "error: 40" "$out"
	check_contains "$cmd <2 KB identity>: ... naming the identity" "identity" "$out"
	check_contains "$cmd <2 KB identity>: the identity is cut" "aaaa..." "$out"
	check_range "$cmd <2 KB identity>: the reply stays short (${#out} bytes)" 20 200 "${#out}"
done

# ---- NOTIFY fan-out paced: 16 watchers of alice that no longer answer
# (the flood's UAs are gone), 8 transactions open at most
n0=$(reauth_stat notify_sent)
check "alice registers again (16 NOTIFYs to send)" register_at alice "$pa" 600
max=0
for i in $(seq 1 150); do
	v=$(reauth_stat notify_inflight)
	[ "${v:-0}" -gt "$max" ] && max=$v
	[ "$(reauth_stat notify_sent)" -ge $((n0 + 16)) ] && break
	sleep 0.1
done
check_range "never more than 8 NOTIFY transactions open (saw $max)" 1 8 "$max"
check_eq "all 16 NOTIFYs went out, after the first 8 were answered or timed out" \
	$((n0 + 16)) "$(wait_stat reauth:notify_sent $((n0 + 16)) 15)"
check_range "statistics: notify_paced counts the waits" 1 16 "$(reauth_stat notify_paced)"
check "the server still answers OPTIONS" sipp_run ping2 options.xml

finish
