#!/usr/bin/env bash
# Two S-CSCF nodes of the example (-A WITH_CLUSTER, as `make cluster`
# runs them) on one PostgreSQL: registrations are shared by dmq_usrloc.
# A UE registers through node A; a watcher subscribed through node B gets
# B's NOTIFYs for it (B's usrloc, and so B's reg event notifier, sees A's
# REGISTERs). A re-authentication triggered on B over HTTP JSON-RPC
# shortens the contact on both nodes. Node A restarts and learns every
# registration from B (dmq_usrloc sync). Each node's statistics on its
# own /metrics. (The module's subscriptions are replicated, node A keeps
# a replica of B's and sends it no NOTIFY; procedures stay on their node.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"
. "$(dirname "$0")/pg_lib.sh"
. "$(dirname "$0")/cluster_lib.sh"

# ul_contacts N AOR: the contacts node N's usrloc has for AOR
ul_contacts() {
	node_use "$1"
	kamcmd_ ul.lookup location "$2" 2>/dev/null | sed -n 's/^[[:space:]]*Address: //p' | sort
}
# wait_ul N AOR CONTACT: until node N's usrloc has that contact (10 s)
wait_ul() {
	local i
	for i in $(seq 1 100); do
		ul_contacts "$1" "$2" | grep -qF -- "$3" && return 0
		sleep 0.1
	done
	echo "node $1 has for $2: $(ul_contacts "$1" "$2")"
	return 1
}
metric() {
	curl -sS -m 10 "$(node_http "$1")/metrics" 2>&1 | awk -v n="kamailio_reauth_$2" '$1 == n { print $2 }'
}

cluster_init
node_start A
node_start B
check "node A sees node B as an active DMQ peer" wait_peer A
check "node B sees node A as an active DMQ peer" wait_peer B

# ---- a registration through A, seen by B
pa=$(free_port) pa2=$(free_port)
node_use A
check "alice registers through node A at :$pa" register_at alice "$pa" 600
check "node B's usrloc has alice's contact (dmq_usrloc)" wait_ul B alice@ims.test "sip:alice@$IP:$pa;"
check_eq "usrloc of both nodes alike" "$(ul_contacts A alice@ims.test)" "$(ul_contacts B alice@ims.test)"

# ---- a watcher on B follows registrations made on A
node_use B
sipp_bg w sub_ue.xml "$(free_port)" -s alice -key watcher alice -au alice -ap alice-secret -key sub_expires 600 -key notifies 3
check "the initial NOTIFY from node B arrives" wait_notifies w 1 10
check_contact w 1 "$pa" active registered
node_use A
check "alice registers a second contact through node A at :$pa2" register_at alice "$pa2" 600
node_use B
check "node B notifies the watcher of the REGISTER made on node A" wait_notifies w 2 10
sub_dialog w
check_notify w 2 1 sip:alice@ims.test
check_contact w 2 "$pa2" active registered
check_eq "the subscription is node B's: one on each node" "1 1" \
	"$(node_use A; subs_count) $(node_use B; subs_count)"
check_eq "... node A's is a replica of node B's" "1 0" \
	"$(node_use A; subs_field replica) $(node_use B; subs_field replica)"

# ---- re-authentication triggered on B over HTTP, seen on A
out=$(node_rpc B reauth.user '["sip:alice@ims.test"]')
check_eq "HTTP POST reauth.user to node B: started" started "$(printf '%s' "$out" | jq -r .result.status)"
node_use B
check "node B's watcher gets the re-authentication NOTIFY" wait_notifies w 3 10
check_contact w 3 "$pa" active shortened
shortened() {
	local e
	node_use A
	for i in $(seq 1 50); do
		e=$(ul_expires alice@ims.test "$pa")
		[ -n "$e" ] && [ "$e" -le 60 ] && { echo "$e"; return 0; }
		sleep 0.1
	done
	echo "node A: expires of :$pa is '$e'"
	return 1
}
check "node A's usrloc has alice's contact shortened to 60 s (dmq_usrloc replicates the update)" shortened
check_eq "node B counts the procedure on /metrics" 1 "$(metric B reauth_started)"
check_eq "node A started none (the procedure runs on node B)" 0 "$(metric A reauth_started)"
out=$(node_rpc A reauth.show '["sip:alice@ims.test"]')
check_eq "node A's reauth.show: node B's procedure, as a replica" \
	"1 sip:$IP:$NODE_PORT_B" "$(printf '%s' "$out" | jq -r '.result[0] | "\(.replica) \(.owner)"')"

# ---- node A restarts and learns the registrations from B
node_stop A
pc=$(free_port)
node_use B
check "carol registers through node B while node A is down" register_at carol "$pc" 600
node_start A
check "node A, restarted, has carol's contact from node B (dmq_usrloc sync)" \
	wait_ul A carol@ims.test "sip:carol@$IP:$pc;"
check "... and alice's" wait_ul A alice@ims.test "sip:alice@$IP:$pa2;"
check "node B sees node A again" wait_peer B

node_use B
check_sipp "the watcher got its three NOTIFYs from node B" w
cluster_finish
