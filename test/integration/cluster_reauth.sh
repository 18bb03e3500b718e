#!/usr/bin/env bash
# Triggers anywhere in a pool of two nodes (-A WITH_CLUSTER): alice
# registers and watches her reg event through node A. reauth.user on node
# B is handed to node A, which holds her subscription (proc.start): A
# sends the re-authentication NOTIFY in the dialog, with the next CSeq and
# version; both nodes list the one procedure (B a replica owned by A);
# a second trigger on either node is refused 409. Her re-REGISTER through
# node B (digest) completes the procedure on A (proc.event): one outcome,
# on A, its event route on A only; B's replica ends with it (proc.done).
# A second round, triggered on A, completes with a re-REGISTER through A,
# and node B refuses a trigger meanwhile. The watcher's refresh SUBSCRIBE
# reaching node B is answered by B and notified by A (sub.refresh). Round 3: bob (no subscription)
# is de-registered on node A while his call to carol went through node
# B: B's dialog module ends it (proc.sessions), both legs get a BYE.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"
. "$(dirname "$0")/pg_lib.sh"
. "$(dirname "$0")/cluster_lib.sh"

# wait_msg NAME REGEX: sipp NAME received a line matching REGEX (5 s)
wait_msg() {
	local i
	for i in $(seq 1 50); do
		grep -q -- "$2" "$WORK/$1.msg" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "sipp $1 received no '$2'"
	return 1
}

# in_dialog_subscribe PORT RURI EXPIRES: the watcher's refresh of its
# subscription (the dialog of sub_dialog w), sent to PORT; prints the
# final answer's status line
in_dialog_subscribe() {
	perl -MIO::Socket::INET -e '
		my ($ip, $port, $dport, $ruri, $exp, $cid, $ltag, $rtag, $wport) = @ARGV;
		my $s = IO::Socket::INET->new(LocalAddr => $ip, LocalPort => $port,
			PeerAddr => $ip, PeerPort => $dport, Proto => "udp") or die "socket: $!";
		my $m = "SUBSCRIBE $ruri SIP/2.0\r\n"
			. "Via: SIP/2.0/UDP $ip:$port;branch=z9hG4bK" . int(rand(1e9)) . "\r\n"
			. "From: <sip:alice\@ims.test>;tag=$ltag\r\nTo: <sip:alice\@ims.test>;tag=$rtag\r\n"
			. "Call-ID: $cid\r\nCSeq: 20 SUBSCRIBE\r\nMax-Forwards: 70\r\n"
			. "Contact: <sip:alice\@$ip:$wport>\r\nEvent: reg\r\nExpires: $exp\r\n"
			. "Content-Length: 0\r\n\r\n";
		$s->send($m);
		my $buf;
		for (1 .. 20) {
			my $rin = ""; vec($rin, fileno($s), 1) = 1;
			last unless select($rin, undef, undef, 2);
			$s->recv($buf, 65535);
			my ($l) = split /\r\n/, $buf;
			if ($l !~ / 1\d\d /) { print "$l\n"; last }
		}' "$IP" "$(free_port)" "$1" "$2" "$3" "$SUB_CALLID" "$SUB_LTAG" "$SUB_RTAG" \
		"$(echo "$SUB_LCONTACT" | sed -n 's/.*:\([0-9]*\).*/\1/p')"
}

cluster_init
node_start A "SHORTENED_EXPIRES=30" "REAUTH_TIMEOUT=60" REFER_FALLBACK=0
node_start B "SHORTENED_EXPIRES=30" "REAUTH_TIMEOUT=60" REFER_FALLBACK=0
check "node B has node A's hellos" wait_up B
check "node A has node B's hellos" wait_up A
ADDR_A="sip:$IP:$NODE_PORT_A"

watch_alice 6
check "node B lists a replica of the subscription" wait_field B "$cid" replica 1 2
cseq1=$(hdr "$(notify_hdr_file w 1)" CSeq | awk '{print $1}')

# ---- round 1: the trigger on node B runs on node A
node_use B
out=$(reauth_start sip:alice@ims.test)
check_contains "reauth.user on node B: started" "started" "$out"
check_contains "... on the node of alice's subscription" "node of the user's subscriptions" "$out"
id1=$(echo "$out" | sed -n 's/^[[:space:]]*id:[[:space:]]*//p')
check "... with an id" test -n "$id1"
check "the watcher gets the re-authentication NOTIFY" wait_notifies w 2 10
h=$(notify_hdr_file w 2)
b=$(notify_body w 2)
check_eq "... from node A (Via)" "$NODE_PORT_A" "$(via_port w 2)"
check_eq "... in the subscription's dialog" "$cid" "$(hdr "$h" Call-ID)"
check_eq "... with the next CSeq" "$((cseq1 + 1))" "$(hdr "$h" CSeq | awk '{print $1}')"
check_eq "... and the next version" 1 "$(reginfo_version "$b")"
check_contact w 2 "$pa" active shortened
if out=$(validate_reginfo "$b" 2>&1); then pass "... the body validates against RFC 3680"
else fail "... the body validates against RFC 3680" "$out"; fi
check_eq "node A runs the procedure with the id node B gave" "$id1 self" \
	"$(proc_of A sip:alice@ims.test id) $(proc_of A sip:alice@ims.test owner)"
check "node B lists it as a replica owned by node A" wait_proc B sip:alice@ims.test owner "$ADDR_A" 3
check_eq "... the same id" "$id1" "$(proc_of B sip:alice@ims.test id)"
check "... in the state node A put (notified)" wait_proc B sip:alice@ims.test state "$(proc_of A sip:alice@ims.test state)" 3
node_use B
check_contains "a second trigger on node B: 409" "409" "$(reauth_start sip:alice@ims.test)"
node_use A
check_contains "a second trigger on node A: 409" "409" "$(reauth_start sip:alice@ims.test)"
node_use B
check_contains "reauth.cancel on node B: it runs on node A (409)" "409" \
	"$(kamcmd_ reauth.cancel sip:alice@ims.test 2>&1)"

node_use B
check "alice re-registers through node B (digest)" register_at alice "$pa" 600
check "node A completes the procedure" wait_proc A sip:alice@ims.test outcome completed 5
check_eq "... re-registered" re-registered "$(proc_of A sip:alice@ims.test reason)"
check "node B's replica ends with it (proc.done)" wait_proc B sip:alice@ims.test outcome completed 3
check "the watcher gets the NOTIFY of the re-registration (node A)" wait_notifies w 3 10
check_eq "... version 2" 2 "$(reginfo_version "$(notify_body w 3)")"
check_eq "... CSeq + 2" "$((cseq1 + 2))" "$(hdr "$(notify_hdr_file w 3)" CSeq | awk '{print $1}')"
check_eq "one outcome: node A completed 1" 1 "$(stat_of A reauth_completed)"
check_eq "... node B none (started 0, completed 0, deregistered 0)" "0 0 0" \
	"$(stat_of B reauth_started) $(stat_of B reauth_completed) $(stat_of B reauth_deregistered)"
node_use A
check "event_route[reauth:completed] ran on node A" log_has "reauth $id1 of sip:alice@ims.test: completed"
node_use B
check "... not on node B" eval '! log_has "of sip:alice@ims.test: completed"'

# ---- round 2: triggered on A, completed by a re-REGISTER through A
node_use A
out=$(reauth_start sip:alice@ims.test)
check_contains "after the outcome, reauth.user on node A starts again" "status: started" "$out"
id2=$(echo "$out" | sed -n 's/^[[:space:]]*id:[[:space:]]*//p')
check "the watcher gets the second re-authentication NOTIFY" wait_notifies w 4 10
check "node B lists the new procedure" wait_proc B sip:alice@ims.test id "$id2" 3
node_use B
check_contains "a trigger on node B meanwhile: 409" "409" "$(reauth_start sip:alice@ims.test)"
node_use A
check "alice re-registers through node A" register_at alice "$pa" 600
check "node A completes it" wait_proc A sip:alice@ims.test outcome completed 5
check "node B's replica too" wait_proc B sip:alice@ims.test outcome completed 3
check_eq "node A: 2 completed; node B: none" "2 0" \
	"$(stat_of A reauth_completed) $(stat_of B reauth_completed)"

# ---- the watcher's refresh reaches node B (a pool name, a P-CSCF's
# route): B answers, node A (the owner) refreshes and notifies
node_use A
e0=$(field_of A "$cid" expires)
rsub=$(echo "$SUB_RCONTACT" | sed -n 's/.*\(;rsub=[0-9a-fA-F.]*\).*/\1/p')
check "the subscription's Contact carries rsub" test -n "$rsub"
out=$(in_dialog_subscribe "$NODE_PORT_B" "sip:$IP:$NODE_PORT_B$rsub" 300)
check_contains "an in-dialog SUBSCRIBE (Expires: 300) to node B: 200" "SIP/2.0 200" "$out"
check "the watcher gets the NOTIFY of the refresh" wait_notifies w 6 10
check_eq "... from node A (the owner)" "$NODE_PORT_A" \
	"$(via_port w 6)"
check_eq "... version 5" 5 "$(reginfo_version "$(notify_body w 6)")"
check_range "node A's subscription now expires in about 300 s (was $e0)" 290 300 \
	"$(field_of A "$cid" expires)"
check_sipp "the watcher got its 6 NOTIFYs, in order" w
check_eq "every NOTIFY came from node A's port" "$NODE_PORT_A" \
	"$(via_ports w)"
notify_split w >/dev/null
vs=""
for i in 1 2 3 4 5 6; do vs="$vs $(reginfo_version "$(notify_body w $i)")"; done
check_eq "versions 0 to 5, each once" " 0 1 2 3 4 5" "$vs"

# ---- round 3: a de-registration on node A ends a call held by node B
pb=$(free_port)
pc=$(free_port)
node_use A
check "bob registers through node A (no subscription)" register_at bob "$pb" 600
node_use B
check "carol registers through node B" register_at carol "$pc" 600
sipp_bg callee uas_call.xml "$pc" -m 1
sleep 0.3
sipp_bg caller uac_call.xml "$pb" -s bob -key callee carol -m 1
for i in $(seq 1 50); do
	[ "$(kamcmd_ dlg.list 2>/dev/null | grep -c 'state: 4')" = 1 ] && break
	sleep 0.1
done
check_eq "bob calls carol through node B: B's dialog module holds it" 1 \
	"$(kamcmd_ dlg.list 2>/dev/null | grep -c 'state: 4')"
node_use A
check_contains "reauth.user sip:bob on node A (no subscription, no REFER)" \
	"status: started" "$(reauth_start sip:bob@ims.test)"
check "node A de-registers bob at once" wait_proc A sip:bob@ims.test outcome deregistered 5
node_use B
check_eq "node B ends the call (proc.sessions): sessions_ended 1" 1 \
	"$(wait_stat reauth:sessions_ended 1 5)"
check "the caller (bob) gets a BYE from node B" wait_msg caller '^BYE '
check "the callee (carol) gets a BYE from node B" wait_msg callee '^BYE '
check_eq "no dialog left on node B" "" "$(kamcmd_ dlg.list 2>&1)"
check_eq "node A ended none itself" 0 "$(stat_of A sessions_ended)"
cluster_finish
