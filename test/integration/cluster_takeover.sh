#!/usr/bin/env bash
# A node that dies mid-procedure, and comes back (-A WITH_CLUSTER, two
# nodes on PostgreSQL). alice registers and watches her reg event through
# node A.
#  1 reauth.user on A; A's re-authentication NOTIFY reaches the watcher;
#    A is killed (kill -9, every process) before the re-REGISTER. Node B
#    sees A down (node_timeout) and takes the subscription and the
#    procedure over (epoch 1). alice re-registers through B: B completes
#    it, and B's NOTIFY of the refresh carries the next version and CSeq.
#    One outcome in the pool: B's.
#  2 A restarts: it rejoins, learns the current state (B's subscription
#    as a replica; its own stale rows, loaded from its database, dropped:
#    B says it carried them on) and sends no NOTIFY; alice's refresh
#    REGISTER through A is notified by B only, with the next version.
#  3 bob calls alice through A (A's dialog module holds the call). A
#    trigger on A runs on B (the owner of the subscription): B's NOTIFY;
#    then B is killed. A takes over and, at the deadline without a
#    re-REGISTER, de-registers alice: one de-registration NOTIFY (from A,
#    the next version), contacts gone from usrloc, both legs of the call
#    get a BYE from A. One outcome: A's.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"
. "$(dirname "$0")/pg_lib.sh"
. "$(dirname "$0")/cluster_lib.sh"

DEFS="SHORTENED_EXPIRES=300 REAUTH_TIMEOUT=12 REFER_FALLBACK=0"

# node_kill N: kill -9 node N's main process and every process it forked
# (ours, by PID), until none runs
node_kill() {
	local main kids p i alive
	eval "main=\$NODE_PID_$1"
	kids=$(pgrep -P "$main" 2>/dev/null | tr '\n' ' ')
	# shellcheck disable=SC2086
	kill -9 "$main" $kids 2>/dev/null
	for i in $(seq 1 50); do
		alive=0
		for p in $main $kids; do
			st=$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)
			[ -n "$st" ] && [ "$st" != Z ] && alive=1
		done
		[ $alive = 0 ] && break
		sleep 0.1
	done
	wait "$main" 2>/dev/null
	eval "NODE_PID_$1="
}
# wait_for_log N TEXT: node N's log has TEXT (5 s)
wait_for_log() {
	local i
	node_use "$1"
	for i in $(seq 1 50); do
		grep -qF -- "$2" "$KAM_LOG" && return 0
		sleep 0.1
	done
	echo "node $1's log has no '$2'"
	return 1
}
# wait_for_file_grep FILE REGEX: FILE has a line matching REGEX (10 s)
wait_for_file_grep() {
	local i
	for i in $(seq 1 100); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "no line matching '$2' in $1"
	return 1
}
# version_of / cseq_of NAME N: of the watcher's N-th NOTIFY
version_of() { reginfo_version "$(notify_body "$1" "$2")"; }
cseq_of() { hdr "$(notify_hdr_file "$1" "$2")" CSeq | awk '{print $1}'; }

cluster_init
# shellcheck disable=SC2086
node_start A $DEFS
# shellcheck disable=SC2086
node_start B $DEFS
check "node B has node A's hellos" wait_up B
check "node A has node B's hellos" wait_up A
ADDR_A="sip:$IP:$NODE_PORT_A"
ADDR_B="sip:$IP:$NODE_PORT_B"

watch_alice 6
check "node B lists a replica" wait_field B "$cid" replica 1 2

# ---- 1: A dies after its re-authentication NOTIFY; B completes
node_use A
check_contains "reauth.user on node A" "status: started" "$(reauth_start sip:alice@ims.test)"
check "the re-authentication NOTIFY (node A)" wait_notifies w 2 10
check_eq "... from node A" "$NODE_PORT_A" "$(via_port w 2)"
check "node B's replica of the procedure: notified" wait_proc B sip:alice@ims.test state awaiting-register 3
node_kill A
pass "node A killed (kill -9, every process)"
check "node B sees node A down and takes the procedure over" \
	wait_proc B sip:alice@ims.test owner self 8
check_eq "... at epoch 1" 1 "$(proc_of B sip:alice@ims.test epoch)"
check "... and the subscription" wait_field B "$cid" owner self 3
check_eq "counted: 1 subscription, 1 procedure taken over" "1 1" \
	"$(stat_of B takeover_subscriptions) $(stat_of B takeover_procedures)"
node_use B
check "alice re-registers through node B (digest)" register_at alice "$pa" 600
check "node B completes the procedure" wait_proc B sip:alice@ims.test outcome completed 5
check "the watcher gets the NOTIFY of the refresh" wait_notifies w 3 10
check_eq "... from node B" "$NODE_PORT_B" "$(via_port w 3)"
check_contains "... its Contact names node B (the watcher's refreshes go there)" \
	"$IP:$NODE_PORT_B" "$(hdr "$(notify_hdr_file w 3)" Contact)"
check_eq "... with the next version" "$(($(version_of w 2) + 1))" "$(version_of w 3)"
check_range "... and a higher CSeq" "$(($(cseq_of w 2) + 1))" "$(($(cseq_of w 2) + 2))" "$(cseq_of w 3)"
check_eq "one outcome: node B's (completed 1, deregistered 0)" "1 0" \
	"$(stat_of B reauth_completed) $(stat_of B reauth_deregistered)"

# ---- 2: A restarts, rejoins, learns, sends nothing twice
# shellcheck disable=SC2086
node_start A $DEFS
check "node A is back: node B hears it" wait_proc B sip:alice@ims.test outcome completed 1
check "node A lists the subscription as node B's replica" wait_field A "$cid" owner "$ADDR_B" 5
check_eq "... at epoch 1" 1 "$(field_of A "$cid" epoch)"
check "node A dropped its stale procedure (node B carried it on)" \
	wait_for_log A "procedures loaded from the DB dropped"
check_eq "... no procedure of alice pending on node A" "" \
	"$(node_use A; kamcmd_ reauth.list 2>&1 | grep -A3 'identity: sip:alice@ims.test' | grep 'state: notified')"
check_eq "... nor on node B" "" \
	"$(node_use B; kamcmd_ reauth.list 2>&1 | grep -A3 'identity: sip:alice@ims.test' | grep 'state: notified')"
check_eq "node A sent no NOTIFY since its restart" 0 "$(stat_of A notify_sent)"
check_eq "its database no longer has the subscription (node B's now)" 0 \
	"$(KAM_DBURL=$NODE_RDB_A wait_pg "SELECT count(*) FROM reauth_subscription WHERE callid = '$cid'" 0 5)"
node_use A
check "alice refreshes her registration through node A" register_at alice "$pa" 600
check "the watcher gets its NOTIFY" wait_notifies w 4 10
check_eq "... from node B" "$NODE_PORT_B" "$(via_port w 4)"
check_eq "... with the next version" "$(($(version_of w 3) + 1))" "$(version_of w 4)"
sleep 1
check_eq "node A still sent none" 0 "$(stat_of A notify_sent)"

# ---- 3: a call through A; B dies after its NOTIFY; A de-registers
pb=$(free_port)
node_use A
check "bob registers through node A" register_at bob "$pb" 600
sipp_bg callee uas_call.xml "$pa" -m 1
sleep 0.3
sipp_bg caller uac_call.xml "$(free_port)" -s bob -key callee alice -m 1
for i in $(seq 1 50); do
	[ "$(kamcmd_ dlg.list 2>/dev/null | grep -c 'state: 4')" = 1 ] && break
	sleep 0.1
done
check_eq "bob calls alice through node A: a confirmed dialog on A" 1 \
	"$(kamcmd_ dlg.list 2>/dev/null | grep -c 'state: 4')"
node_use A
out=$(reauth_start sip:alice@ims.test)
check_contains "reauth.user on node A runs on node B (the subscription's owner)" \
	"node of the user's subscriptions" "$out"
check "the re-authentication NOTIFY (node B)" wait_notifies w 5 10
check_eq "... from node B" "$NODE_PORT_B" "$(via_port w 5)"
check_eq "... with the next version" "$(($(version_of w 4) + 1))" "$(version_of w 5)"
check "node A's replica: notified" wait_proc A sip:alice@ims.test state awaiting-register 3
node_kill B
pass "node B killed (kill -9, every process)"
check "node A takes the procedure over" wait_proc A sip:alice@ims.test owner self 8
check "... and de-registers alice at the deadline" \
	wait_proc A sip:alice@ims.test outcome deregistered 20
check "the watcher gets the de-registration NOTIFY" wait_notifies w 6 10
check_eq "... from node A" "$NODE_PORT_A" "$(via_port w 6)"
check_eq "... with the next version" "$(($(version_of w 5) + 1))" "$(version_of w 6)"
check_eq "... alice's registration terminated" terminated \
	"$(reg_attr "$(notify_body w 6)" sip:alice@ims.test state)"
node_use A
check_eq "usrloc on node A: alice has no contact" "" \
	"$(kamcmd_ ul.lookup location alice@ims.test 2>&1 | grep -i 'contact:')"
check "the caller (bob) gets a BYE" wait_for_file_grep "$WORK/caller.msg" '^BYE '
check "the callee (alice) gets a BYE" wait_for_file_grep "$WORK/callee.msg" '^BYE '
check_eq "one outcome: node A's (deregistered 1, sessions_ended 1)" "1 1" \
	"$(stat_of A reauth_deregistered) $(wait_stat reauth:sessions_ended 1 3)"
check_sipp "the watcher got its 6 NOTIFYs" w
notify_split w >/dev/null
vs=""
for i in 1 2 3 4 5 6; do vs="$vs $(version_of w $i)"; done
check_eq "versions 0 to 5, each once, whoever sent them" " 0 1 2 3 4 5" "$vs"
cluster_finish
