#!/usr/bin/env bash
# Subscriptions replicated over the DMQ peer "reauth" (modparam dmq 1,
# -A WITH_CLUSTER): a UE subscribes through node A (the owner); within
# 2 s node B lists a replica owned by A with the same Call-ID. The UE's
# refresh REGISTER through node B reaches A by dmq_usrloc: A sends the
# NOTIFY, B none, and B's replica has the version and CSeq A used
# (sub.seq goes out before the NOTIFY). A second watcher through A
# refreshes (sub.put: B's replica has the new expiry) and unsubscribes
# (Expires: 0): the replica is gone from B. B writes no replica to its
# database. The statistics dmq_sent and dmq_received agree between the
# nodes. Malformed sub.* are answered 400 and B keeps running. Node A
# stopped: B, the only survivor, takes the subscription over (its own at
# epoch 1, in its database) and sends nothing for it by itself.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"
. "$(dirname "$0")/pg_lib.sh"
. "$(dirname "$0")/cluster_lib.sh"

# kdmq_b BODY: KDMQ sip:reauth@ node B from the pool's address; prints the
# final answer's status line
kdmq_b() {
	perl -MIO::Socket::INET -e '
		my ($src, $port, $dst, $dport, $body) = @ARGV;
		my $s = IO::Socket::INET->new(LocalAddr => $src, LocalPort => $port,
			PeerAddr => $dst, PeerPort => $dport, Proto => "udp") or die "socket: $!";
		my $m = "KDMQ sip:reauth\@$dst:$dport SIP/2.0\r\n"
			. "Via: SIP/2.0/UDP $src:$port;branch=z9hG4bK" . int(rand(1e9)) . "\r\n"
			. "From: <sip:$src:$port>;tag=t1\r\nTo: <sip:reauth\@$dst:$dport>\r\n"
			. "Call-ID: " . int(rand(1e9)) . "\@$src\r\nCSeq: 1 KDMQ\r\nMax-Forwards: 1\r\n"
			. "Content-Type: application/json\r\nContent-Length: " . length($body) . "\r\n\r\n$body";
		$s->send($m);
		my $buf;
		for (1 .. 20) {
			my $rin = ""; vec($rin, fileno($s), 1) = 1;
			last unless select($rin, undef, undef, 2);
			$s->recv($buf, 65535);
			my ($l) = split /\r\n/, $buf;
			if ($l !~ / 1\d\d /) { print "$l\n"; last }
		}' "$IP" "$(free_port)" "$IP" "$NODE_PORT_B" "$1"
}

cluster_init
node_start A
node_start B
check "node A sees node B as an active DMQ peer" wait_peer A
check "node B sees node A as an active DMQ peer" wait_peer B
check "node B has node A's hellos" wait_up B
check "node A has node B's hellos" wait_up A
ADDR_A="sip:$IP:$NODE_PORT_A"

# ---- a subscription through A: a replica on B
watch_alice 2
check_eq "node A owns it" "self 0" "$(field_of A "$cid" owner) $(field_of A "$cid" replica)"
check "within 2 s node B lists a replica of it" wait_field B "$cid" replica 1 2
check_eq "... owned by node A, up" "$ADDR_A up" "$(field_of B "$cid" owner) $(field_of B "$cid" owner_state)"
check_eq "... with the same id" "$(field_of A "$cid" id)" "$(field_of B "$cid" id)"
check_eq "... identity and watcher" "$(field_of A "$cid" identity) $(field_of A "$cid" watcher)" \
	"$(field_of B "$cid" identity) $(field_of B "$cid" watcher)"
check_eq "... the CSeq and version of A's record" \
	"$(field_of A "$cid" cseq) $(field_of A "$cid" version)" \
	"$(field_of B "$cid" cseq) $(field_of B "$cid" version)"
id_a=$(field_of A "$cid" id)
check "the id carries node A's tag (high 8 bits set)" test "$id_a" -ge 16777216

# ---- the UE refreshes its registration through B: A notifies, B not
b_sent0=$(stat_of B notify_sent)
a_sent0=$(stat_of A notify_sent)
node_use B
check "alice refreshes her registration through node B" register_at alice "$pa" 600
node_use A
check "the NOTIFY of that REGISTER arrives" wait_notifies w 2 10
check_notify w 2 1 sip:alice@ims.test
check_contact w 2 "$pa" active refreshed
check_eq "node A sent it (notify_sent +1)" "$((a_sent0 + 1))" "$(stat_of A notify_sent)"
sleep 1
check_eq "node B sent no NOTIFY" "$b_sent0" "$(stat_of B notify_sent)"
check_eq "node B's replica: the version and CSeq node A used (sub.seq)" \
	"$(field_of A "$cid" cseq) $(field_of A "$cid" version)" \
	"$(field_of B "$cid" cseq) $(field_of B "$cid" version)"
check_eq "... version 2 (next to send, after versions 0 and 1)" 2 "$(field_of B "$cid" version)"
node_use A
check_sipp "the watcher got its two NOTIFYs, both from node A" w
check_eq "every NOTIFY came from node A's port" "$NODE_PORT_A" \
	"$(via_ports w)"

# ---- a second watcher refreshes (sub.put) and unsubscribes (sub.del)
node_use A
sipp_bg u sub_refresh_unsub.xml "$(free_port)" -s alice -key watcher alice -au alice -ap alice-secret \
	-key sub_expires 600 -key refresh_expires 900
check "watcher 2: the initial NOTIFY arrives" wait_notifies u 1 10
sub_dialog u
cid2=$SUB_CALLID
check "watcher 2: a replica on node B" wait_field B "$cid2" replica 1 2
e0=$(field_of B "$cid2" expires)
check_range "... expiring in about 600 s" 590 600 "$e0"
check "watcher 2: the refresh's NOTIFY" wait_notifies u 2 10
sleep 0.5
check_range "node B's replica now expires in about 900 s" 890 900 "$(field_of B "$cid2" expires)"
check "watcher 2 unsubscribes: the final NOTIFY" wait_notifies u 3 10
check "within 2 s the replica is gone from node B (sub.del)" gone B "$cid2" 2
check "... and from node A" gone A "$cid2" 2
check_eq "the first watcher's replica stays" 1 "$(field_of B "$cid" replica)"

# ---- replicas are not written to node B's database
node_use A
sleep 1.5 # the DB writer's batch
check_eq "node A's database has the first subscription" 1 \
	"$(KAM_DBURL=$NODE_RDB_A pg_sql "SELECT count(*) FROM reauth_subscription WHERE callid = '$cid'")"
check_eq "node B's database has none" 0 \
	"$(KAM_DBURL=$NODE_RDB_B pg_sql "SELECT count(*) FROM reauth_subscription")"

# ---- statistics dmq_sent / dmq_received: what one node sends the other
# receives (hellos both ways, A's sub.* on top; a request is counted as
# sent when its transaction ends, so a few may be in flight)
sa=$(stat_of A dmq_sent) rb=$(stat_of B dmq_received)
sb=$(stat_of B dmq_sent) ra=$(stat_of A dmq_received)
check "dmq_sent and dmq_received > 0 on both nodes (A $sa/$ra, B $sb/$rb)" \
	test "${sa:-0}" -gt 0 -a "${ra:-0}" -gt 0 -a "${sb:-0}" -gt 0 -a "${rb:-0}" -gt 0
check_range "node B received what node A sent ($sa), within 3" $((sa - 3)) $((sa + 3)) "$rb"
check_range "node A received what node B sent ($sb), within 3" $((sb - 3)) $((sb + 3)) "$ra"
check "node A sent more than B: its sub.put/seq/del on top of the hellos ($sa vs $sb)" \
	test "$((sa - sb))" -ge 3

# ---- malformed sub.* to B: 400, B keeps running
check_contains "a sub.put without its strings: 400" "SIP/2.0 400" \
	"$(kdmq_b "{\"type\":\"sub.put\",\"node\":\"$ADDR_A\",\"epoch\":0,\"id\":5,\"aor\":\"x@y\",\"identity\":\"sip:x@y\",\"cseq\":1,\"version\":1}")"
put9="{\"type\":\"sub.put\",\"node\":\"$ADDR_A\",\"epoch\":0,\"id\":5,\"aor\":\"x@y\",\"identity\":\"sip:x@y\",\"cseq\":1,\"version\":1,\"watcher\":\"sip:x@y\",\"callid\":\"c1\",\"from_tag\":\"f\",\"to_tag\":\"t\",\"contact\":\"sip:x@127.0.0.1\",\"route_set\":\"\",\"socket\":\"udp:127.0.0.1:5060\",\"kind\":1,\"event\":9,\"rem_cseq\":1,\"expires\":60}"
check_contains "a sub.put of an unknown event package: 400" "SIP/2.0 400" "$(kdmq_b "$put9")"
check_contains "... the same with a known one (reg): 200" "SIP/2.0 200" "$(kdmq_b "${put9/\"event\":9/\"event\":1}")"
check "... kept as a replica of node A" wait_field B c1 replica 1 2
check_contains "... and its sub.del: 200" "SIP/2.0 200" \
	"$(kdmq_b "{\"type\":\"sub.del\",\"node\":\"$ADDR_A\",\"epoch\":0,\"id\":5,\"aor\":\"x@y\",\"identity\":\"sip:x@y\"}")"
check "... removes it" gone B c1 2
check_contains "a sub.seq with id 0: 400" "SIP/2.0 400" \
	"$(kdmq_b "{\"type\":\"sub.seq\",\"node\":\"$ADDR_A\",\"epoch\":0,\"id\":0,\"aor\":\"x@y\",\"identity\":\"sip:x@y\",\"cseq\":1,\"version\":1}")"
check_contains "a sub.del with a string id: 400" "SIP/2.0 400" \
	"$(kdmq_b "{\"type\":\"sub.del\",\"node\":\"$ADDR_A\",\"epoch\":0,\"id\":\"7\",\"aor\":\"x@y\",\"identity\":\"sip:x@y\"}")"
check_contains "a sub.put with a 2000-byte aor: 400" "SIP/2.0 400" \
	"$(kdmq_b "{\"type\":\"sub.put\",\"node\":\"$ADDR_A\",\"epoch\":0,\"id\":5,\"aor\":\"$(printf 'x%.0s' $(seq 1 2000))\",\"identity\":\"sip:x@y\",\"cseq\":1,\"version\":1}")"
check_contains "a sub.del of a node never heard: 200 (its message says it is up)" "SIP/2.0 200" \
	"$(kdmq_b '{"type":"sub.del","node":"sip:127.0.0.9:5999","epoch":0,"id":7,"aor":"x@y","identity":"sip:x@y"}')"
check_contains "a sub.del of an unknown replica: 200, nothing happens" "SIP/2.0 200" \
	"$(kdmq_b "{\"type\":\"sub.del\",\"node\":\"$ADDR_A\",\"epoch\":0,\"id\":7,\"aor\":\"x@y\",\"identity\":\"sip:x@y\"}")"
node_use B
check "node B is still running" kill -0 "$NODE_PID_B"
check_eq "node B still has the first watcher's replica" 1 "$(field_of B "$cid" replica)"

# ---- the owner goes down: node B takes the subscription over (the only
# survivor): its own from now on, at the next epoch, in its database
node_stop A
check "node A stopped: node B takes the subscription over (owner self)" \
	wait_field B "$cid" owner self 8
check_eq "... no longer a replica" 0 "$(field_of B "$cid" replica)"
check_eq "... at epoch 1" 1 "$(field_of B "$cid" epoch)"
node_use B
check_eq "... counted (takeover_subscriptions)" 1 "$(stat_of B takeover_subscriptions)"
b_rows() { [ "$(KAM_DBURL=$NODE_RDB_B wait_pg "SELECT count(*) FROM reauth_subscription WHERE callid = '$cid'" 1 5)" = 1 ]; }
check "... written to node B's database" b_rows
check_eq "node B sent no NOTIFY for it (a takeover sends nothing by itself)" \
	"$b_sent0" "$(stat_of B notify_sent)"
cluster_finish
