#!/usr/bin/env bash
# The module's own view of the pool (modparam reauth dmq 1, -A
# WITH_CLUSTER): each node broadcasts a hello on the DMQ peer "reauth"
# every hello_interval (1 s) and lists the nodes it hears in reauth.nodes.
# Both nodes see each other up; node A killed with SIGKILL (no goodbye)
# is reported down by node B within node_timeout (3 s) and a margin: a log
# line, the statistics, the RPC. A restarted: up again on B. KDMQ messages
# for "reauth" that are not JSON, or not a valid hello, are answered 4xx
# and logged, B keeps running; KDMQ from outside the pool's addresses is
# refused by the script (permissions) before the module sees it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/pg_lib.sh"
. "$(dirname "$0")/cluster_lib.sh"

NODE_TIMEOUT=3000
MARGIN=2500

# nodes_of N: node N's reauth.nodes as "address state" lines
nodes_of() {
	node_use "$1"
	kamcmd_ reauth.nodes 2>&1 | awk '
		$1 == "address:" { a = $2 } $1 == "state:" { print a, $2 }'
}
# wait_node_state N ADDRESS STATE [SECONDS]: until node N lists ADDRESS
# in STATE
wait_node_state() {
	local i
	for i in $(seq 1 $((${4:-10} * 10))); do
		nodes_of "$1" | grep -qxF "$2 $3" && return 0
		sleep 0.1
	done
	echo "node $1's reauth.nodes:"
	node_use "$1"
	kamcmd_ reauth.nodes 2>&1
	return 1
}
stat_of() {
	node_use "$1"
	kamcmd_ stats.get_statistics reauth: 2>&1 | sed -n "s/^reauth:$2 = //p"
}
now_ms() { date +%s%3N; }
# owners N: "key owner" for 20 keys, as node N's reauth.owner hashes them
KEYS=$(seq -f "sip:user%g@ims.test" 1 20)
owners() {
	local k
	node_use "$1"
	for k in $KEYS; do
		echo "$k $(kamcmd_ reauth.owner "$k" 2>&1 | awk '$1 == "owner:" { print $2 }')"
	done
}
# children_of PID: the processes PID forked (from /proc: no procps needed)
children_of() {
	local f pid comm state ppid rest
	for f in /proc/[0-9]*/stat; do
		read -r pid comm state ppid rest <"$f" 2>/dev/null || continue
		[ "$ppid" = "$1" ] && echo "$pid"
	done
}
# node_kill9 N: SIGKILL to node N's main process and every child of it at
# once, as a crash or a power cut: no process says goodbye
node_kill9() {
	local main kids
	eval "main=\$NODE_PID_$1"
	kids=$(children_of "$main")
	kill -9 "$main" $kids
	wait "$main" 2>/dev/null
	eval "NODE_PID_$1="
}
# kdmq SRC_IP BODY...: KDMQ sip:reauth@node B from SRC_IP (raw UDP, perl
# as lib.sh uses it), one request per BODY, each sent when the previous
# one is answered; prints each final answer's status line
kdmq() {
	local src=$1 port
	shift
	port=$(free_port)
	perl -MIO::Socket::INET -e '
		my ($src, $port, $dst, $dport, @bodies) = @ARGV;
		my $s = IO::Socket::INET->new(LocalAddr => $src, LocalPort => $port,
			PeerAddr => $dst, PeerPort => $dport, Proto => "udp") or die "socket: $!";
		my $n = 0;
		BODY: for my $body (@bodies) {
			my $id = "$$-" . $n++;
			my $m = "KDMQ sip:reauth\@$dst:$dport SIP/2.0\r\n"
				. "Via: SIP/2.0/UDP $src:$port;branch=z9hG4bK-$id;rport\r\n"
				. "Max-Forwards: 1\r\nFrom: <sip:$src:$port>;tag=$id\r\n"
				. "To: <sip:reauth\@$dst:$dport>\r\nCall-ID: $id\@$src\r\n"
				. "CSeq: 1 KDMQ\r\nContent-Type: application/json\r\n"
				. "Content-Length: " . length($body) . "\r\n\r\n$body";
			$s->send($m) or die "send: $!";
			my $rin = ""; vec($rin, fileno($s), 1) = 1;
			while (select(my $r = $rin, undef, undef, 5)) {
				my $buf; $s->recv($buf, 65535);
				next unless $buf =~ /^Call-ID: \Q$id\E\@/mi;
				my ($line) = split /\r\n/, $buf;
				next if $line =~ m{^SIP/2\.0 1};
				print "$line\n"; next BODY;
			}
			print "no answer within 5 s\n";
		}' "$src" "$port" "$IP" "$NODE_PORT_B" "$@"
}
# hello ADDRESS [EPOCH]: a hello's body
hello() { printf '{"type":"hello","node":"%s","epoch":%s}' "$1" "${2:-0}"; }

cluster_init
node_start A
node_start B
ADDR_A="sip:$IP:$NODE_PORT_A"
ADDR_B="sip:$IP:$NODE_PORT_B"
check "node A sees node B as an active DMQ peer" wait_peer A
check "node B sees node A as an active DMQ peer" wait_peer B

# ---- both up
check "node A lists node B up in reauth.nodes" wait_node_state A "$ADDR_B" up
check "node B lists node A up in reauth.nodes" wait_node_state B "$ADDR_A" up
check_eq "node B lists one node, A" "$ADDR_A up" "$(nodes_of B)"
check_eq "node B: dmq_peers_up" 1 "$(node_use B; wait_stat reauth:dmq_peers_up 1)"
check_eq "node A: dmq_peers_up" 1 "$(node_use A; wait_stat reauth:dmq_peers_up 1)"
node_use B
check_contains "node B runs the reauth dmq timer process" "reauth dmq timer" "$(kamcmd_ core.psx 2>&1)"
check "node B logs node A up" wait_log "dmq peer $ADDR_A is up (first hello"
out=$(kamcmd_ reauth.nodes 2>&1)
ago=$(printf '%s\n' "$out" | awk '$1 == "last_seen_ms_ago:" { print $2 }')
check "node B heard node A within node_timeout ($ago ms ago)" test "${ago:-99999}" -le "$NODE_TIMEOUT"
hellos=$(printf '%s\n' "$out" | awk '$1 == "hellos:" { print $2 }')
own_a=$(owners A) own_b=$(owners B)
check_eq "reauth.owner: both nodes choose the same owner for 20 keys" "$own_a" "$own_b"
check "... spread over both nodes ($(printf '%s\n' "$own_b" | grep -c " $ADDR_A$") on A)" \
	test "$(printf '%s\n' "$own_b" | awk '{ print $2 }' | sort -u | wc -l)" -eq 2
check_contains "... counting two nodes" "nodes: 2" "$(node_use B; kamcmd_ reauth.owner sip:user1@ims.test)"
sleep 2.5
hellos2=$(kamcmd_ reauth.nodes 2>&1 | awk '$1 == "hellos:" { print $2 }')
check "node A keeps saying hello: $hellos, 2.5 s later $hellos2 (one a second)" \
	test "$((hellos2 - hellos))" -ge 1 -a "$((hellos2 - hellos))" -le 4

# ---- node A dies without a word
t0=$(now_ms)
node_kill9 A
node_use B
check "node B logs node A down" wait_log "dmq peer $ADDR_A is down" $(((NODE_TIMEOUT + MARGIN) / 1000 + 2))
t1=$(now_ms)
check "... within node_timeout + ${MARGIN} ms of the kill ($((t1 - t0)) ms)" \
	test $((t1 - t0)) -le $((NODE_TIMEOUT + MARGIN))
silence=$(grep -F "dmq peer $ADDR_A is down" "$KAM_LOG" | sed -n 's/.*no hello for \([0-9]*\) ms.*/\1/p' | head -1)
check "... after a silence longer than node_timeout ($silence ms)" test "${silence:-0}" -gt "$NODE_TIMEOUT"
check "node B lists node A down in reauth.nodes" wait_node_state B "$ADDR_A" down 1
check_eq "node B: dmq_peer_down_events" 1 "$(wait_stat reauth:dmq_peer_down_events 1)"
check_eq "node B: dmq_peers_up" 0 "$(wait_stat reauth:dmq_peers_up 0)"
check_eq "node A down: node B owns every key" "$(for k in $KEYS; do echo "$k $ADDR_B"; done)" "$(owners B)"

# ---- node A comes back
node_start A
node_use B
check "node B logs node A up again" wait_log "dmq peer $ADDR_A is up again after" 10
check "node B lists node A up in reauth.nodes" wait_node_state B "$ADDR_A" up
check_eq "node B: dmq_peers_up" 1 "$(node_use B; wait_stat reauth:dmq_peers_up 1)"
check_eq "node B: dmq_peer_up_events (first hello, then back)" 2 "$(node_use B; wait_stat reauth:dmq_peer_up_events 2)"
check_eq "node B: still one down event" 1 "$(stat_of B dmq_peer_down_events)"
check "the restarted node A lists node B up" wait_node_state A "$ADDR_B" up
check_eq "node A back: the keys are owned as before" "$own_b" "$(owners B)"
check_eq "... on both nodes" "$own_b" "$(owners A)"

# ---- bad KDMQ messages to B, from a pool address ($IP, group 3)
check_contains "not JSON: 400" "SIP/2.0 400" "$(kdmq "$IP" '{"type": "hello", ')"
check_contains "a JSON array: 400" "SIP/2.0 400" "$(kdmq "$IP" '[1, 2]')"
check_contains "no type: 400" "SIP/2.0 400" "$(kdmq "$IP" '{"node": "sip:x"}')"
check_contains "a hello without node: 400" "SIP/2.0 400" "$(kdmq "$IP" '{"type":"hello","epoch":0}')"
check_contains "a hello with a negative epoch: 400" "SIP/2.0 400" \
	"$(kdmq "$IP" '{"type":"hello","node":"sip:127.0.0.9:5060","epoch":-1}')"
check_contains "a hello with a fractional epoch: 400" "SIP/2.0 400" \
	"$(kdmq "$IP" '{"type":"hello","node":"sip:127.0.0.9:5060","epoch":1.5}')"
check_contains "a hello in B's own name: 400" "SIP/2.0 400" \
	"$(kdmq "$IP" "{\"type\":\"hello\",\"node\":\"$ADDR_B\",\"epoch\":0}")"
check_contains "a hello with a 200-character node: 400" "SIP/2.0 400" \
	"$(kdmq "$IP" "{\"type\":\"hello\",\"node\":\"sip:$(printf 'x%.0s' $(seq 1 200))\",\"epoch\":0}")"
check_contains "an empty body: 400" "SIP/2.0 400" "$(kdmq "$IP" '')"
check_contains "binary garbage: 400" "SIP/2.0 400" "$(kdmq "$IP" "$(printf '\001\002\377{{{')")"
check_contains "2000 nested arrays (within the 4096 bytes a message may have): 400" "SIP/2.0 400" \
	"$(kdmq "$IP" "$(printf '%.0s[' $(seq 1 2000))$(printf '%.0s]' $(seq 1 2000))")"
check_contains "a body over 4096 bytes: 400" "SIP/2.0 400" \
	"$(kdmq "$IP" "{\"type\":\"hello\",\"pad\":\"$(printf 'x%.0s' $(seq 1 4200))\"}")"
check_contains "an unknown type: 501" "SIP/2.0 501" "$(kdmq "$IP" '{"type":"zzz.put","id":1}')"
check_contains "a proc.put without a node: 400" "SIP/2.0 400" "$(kdmq "$IP" '{"type":"proc.put","id":1}')"
check_contains "a sub.put without its fields: 400" "SIP/2.0 400" "$(kdmq "$IP" '{"type":"sub.put","id":1}')"
check_contains "from a P-CSCF's address (not the pool): 403 by the script" "SIP/2.0 403" \
	"$(kdmq "$PCSCF_IP" '{"type":"hello","node":"sip:127.0.0.9:5060","epoch":0}')"
node_use B
check_eq "node B counts 15 refused messages" 15 "$(wait_stat reauth:dmq_bad_messages 15)"
check "node B logs the refusal with its source" wait_log "KDMQ reauth message from $IP:"
check_contains "... and why" "not a JSON object" "$(grep -F 'KDMQ reauth message from' "$KAM_LOG")"
check "node B is still running" kill -0 "$NODE_PID_B"
check_eq "node B's table is unchanged: only node A" "$ADDR_A up" "$(nodes_of B)"

# a well-formed hello of a third node is taken (and goes down later)
check_contains "a hello from a third node: 200" "SIP/2.0 200" \
	"$(kdmq "$IP" "$(hello sip:127.0.0.9:5060 7)")"
check "node B lists it up" wait_node_state B sip:127.0.0.9:5060 up 2
check "... and down once it is silent" wait_node_state B sip:127.0.0.9:5060 down \
	$(((NODE_TIMEOUT + MARGIN) / 1000 + 2))
check_contains "... with the epoch it announced" "epoch: 7" "$(node_use B; kamcmd_ reauth.nodes)"

# the table is bounded (64 peers): 62 more nodes fill it (A and the third
# node are in it), a new one takes the place of the one down the longest
# (the third node), and the next one finds only nodes that are up: 503
fill=()
for i in $(seq 1 62); do fill+=("$(hello "sip:127.0.1.$i:5060")"); done
out=$(kdmq "$IP" "${fill[@]}" "$(hello sip:127.0.2.1:5060)" "$(hello sip:127.0.2.2:5060)")
check_eq "62 nodes fill the table: 62 answers 200" 62 "$(printf '%s\n' "$out" | head -62 | grep -c '^SIP/2.0 200')"
check_eq "the 65th node takes the place of a node down: 200" "SIP/2.0 200 OK" "$(printf '%s\n' "$out" | sed -n 63p)"
check_contains "the 66th, with every node up: 503" "SIP/2.0 503" "$(printf '%s\n' "$out" | sed -n 64p)"
node_use B
check "node B logs the node it forgot" wait_log "dmq peer sip:127.0.0.9:5060 forgotten (down the longest) for the new peer sip:127.0.2.1:5060"
nodes=$(nodes_of B)
check_eq "reauth.nodes lists 64 nodes" 64 "$(printf '%s\n' "$nodes" | wc -l)"
check_not_contains "... not the forgotten one" "127.0.0.9" "$nodes"
check_contains "... node A still up" "$ADDR_A up" "$nodes"
check "node B is still running" kill -0 "$NODE_PID_B"

cluster_finish
