# Two nodes of the example configuration as a pool (-A WITH_CLUSTER, the
# way `make cluster` runs them): PostgreSQL of this test (pg_lib.sh),
# Kamailio's tables shared, the module's tables one database per node,
# dmq + dmq_usrloc between the nodes, HTTP (JSON-RPC, /metrics) on each.
# Source after lib.sh and pg_lib.sh:
#   cluster_init                      PostgreSQL, schema, ports
#   node_start A|B [defines...]       start a node (again: same ports)
#   node_use A|B                      kamcmd_, KAM_LOG... act on that node
#   node_stop A|B                     stop it (by PID, checked clean)
#   node_http A|B                     http://127.0.0.1:PORT of its HTTP
#   cluster_finish                    stop both, then finish
#   wait_up N, field_of/wait_field N CALLID FIELD [VALUE], gone N CALLID,
#   stat_of N NAME, proc_of/wait_proc N IDENTITY FIELD [VALUE],
#   watch_alice NOTIFIES, via_port NAME N, via_ports NAME

# cluster_init: PostgreSQL, the shared database, one module database per
# node, and the pool's address (permissions group 3) that KDMQ comes from
cluster_init() {
	local n
	pg_start || finish
	KAM_DBURL=$(pg_ url kamailio)
	for n in A B; do
		eval "NODE_RDB_$n=\$(pg_ createdb reauth_$(echo $n | tr AB ab))"
		eval "out=\$(\"$TOP/scripts/db-init.sh\" \"\$KAM_DBURL\" \"\$NODE_RDB_$n\" 2>&1)" || {
			fail "db-init.sh on PostgreSQL for node $n" "$out"
			finish
		}
		eval "NODE_PORT_$n=\$(free_port_tcp)"
		eval "NODE_HTTP_$n=\$(free_port_tcp)"
		eval "NODE_PID_$n="
	done
	pg_sql "INSERT INTO address (grp, ip_addr, mask, port, tag)
		VALUES (1, '$PCSCF_IP', 32, 0, 'pcscf'), (2, '$AS_IP', 32, 0, 'as'),
		(3, '$IP', 32, 0, 'scscf')" >/dev/null
	at_exit 'for p in $NODE_PID_A $NODE_PID_B; do kill "$p" 2>/dev/null; done'
}

# node_use N: the lib.sh helpers (kamcmd_, wait_stat, kam_stop...) act
# on node N
node_use() {
	CUR_NODE=$1
	eval "KAM_PORT=\$NODE_PORT_$1 KAM_PID=\$NODE_PID_$1 KAM_REAUTH_DBURL=\$NODE_RDB_$1"
	KAM_CTL="unix:$WORK/ctl-$1.sock"
	KAM_LOG="$WORK/kamailio-$1.log"
}

node_other() { [ "$1" = A ] && echo B || echo A; }

node_start() {
	local n=$1 peer
	shift
	peer=$(node_other "$n")
	node_use "$n"
	eval "local pp=\$NODE_PORT_$peer hp=\$NODE_HTTP_$n"
	kam_launch WITH_POSTGRES WITH_CLUSTER "DMQ_SERVER=\"sip:$IP:$KAM_PORT\"" \
		"DMQ_PEER=\"sip:$IP:$pp\"" "HTTP_LISTEN=tcp:$IP:$hp" "$@"
	eval "NODE_PID_$n=\$KAM_PID"
}

# (a node listens on TCP for HTTP: kam_stop_tcp)
node_stop() {
	node_use "$1"
	kam_stop_tcp
	eval "NODE_PID_$1="
}

node_http() { eval "echo http://$IP:\$NODE_HTTP_$1"; }

# node_rpc N METHOD [PARAMS-JSON]: JSON-RPC over HTTP to node N
node_rpc() {
	curl -sS -m 10 -H 'Content-Type: application/json' \
		-d "{\"jsonrpc\":\"2.0\",\"method\":\"$2\",\"params\":${3:-[]},\"id\":$RANDOM}" \
		"$(node_http "$1")/RPC" 2>&1
}

# wait_peer N: node N lists the other node as an active DMQ peer
wait_peer() {
	local i other
	eval "other=sip:$IP:\$NODE_PORT_$(node_other "$1")"
	node_use "$1"
	for i in $(seq 1 100); do
		kamcmd_ dmq.list_nodes 2>/dev/null | grep -A4 -F "host: $IP" \
			| grep -q "port: ${other##*:}" && kamcmd_ dmq.list_nodes | grep -q "status: active" && return 0
		sleep 0.1
	done
	kamcmd_ dmq.list_nodes 2>&1
	return 1
}

# wait_up N: node N's reauth.nodes lists the other node up (its hellos:
# a node takes sub.* only of nodes it has heard)
wait_up() {
	local i
	node_use "$1"
	for i in $(seq 1 100); do
		kamcmd_ reauth.nodes 2>/dev/null | grep -q "state: up" && return 0
		sleep 0.1
	done
	kamcmd_ reauth.nodes 2>&1
	return 1
}
# field_of N CALLID FIELD: FIELD of node N's subscription with that Call-ID
field_of() {
	node_use "$1"
	kamcmd_ reauth.subscriptions 2>&1 | awk -v c="$2" -v f="$3:" '
		/^{/ { cid = ""; n = 0 }
		$1 == "callid:" { cid = $2 }
		$1 == f { v[n++] = $2; val = $2 }
		/^}/ { if (cid == c) print val }'
}
# wait_value SECONDS VALUE CMD...: until CMD prints VALUE; else says what
# it printed last
wait_value() {
	local secs=$1 want=$2 got i
	shift 2
	for i in $(seq 1 $((secs * 10))); do
		got=$("$@")
		[ "$got" = "$want" ] && return 0
		sleep 0.1
	done
	echo "$*: '$got', not '$want'"
	return 1
}
# wait_field N CALLID FIELD VALUE [SECONDS]: until node N shows it
wait_field() { wait_value "${5:-2}" "$4" field_of "$1" "$2" "$3"; }
# gone N CALLID [SECONDS]: until node N lists no subscription with it
gone() {
	local i
	for i in $(seq 1 $((${3:-2} * 10))); do
		node_use "$1"
		kamcmd_ reauth.subscriptions 2>&1 | grep -qF "callid: $2" || return 0
		sleep 0.1
	done
	echo "node $1 still lists $2"
	return 1
}
stat_of() {
	node_use "$1"
	kamcmd_ stats.get_statistics reauth: 2>&1 | sed -n "s/^reauth:$2 = //p"
}
# proc_of N IDENTITY FIELD: FIELD of node N's latest procedure of
# IDENTITY (reauth.show: the pending one, else the last started)
proc_of() {
	node_use "$1"
	kamcmd_ reauth.show "$2" 2>&1 | awk -v f="$3:" '
		BEGIN { best = -1 }
		/^{/ { score = 0; val = "" }
		$1 == "state:" && $2 != "done" { score += 1e10 }
		$1 == "started:" { score += $2 }
		$1 == f { val = $2 }
		/^}/ { if (score >= best) { best = score; out = val } }
		END { print out }'
}
# wait_proc N IDENTITY FIELD VALUE [SECONDS]: until node N shows it
wait_proc() { wait_value "${5:-5}" "$4" proc_of "$1" "$2" "$3"; }

# watch_alice NOTIFIES: alice registers through node A (from port $pa,
# chosen here) and a sipp UE "w" watches her reg event through node A,
# ending after NOTIFIES NOTIFYs; once the initial NOTIFY is in: $cid
# (its Call-ID, sub_dialog's SUB_* of its dialog)
watch_alice() {
	pa=$(free_port)
	node_use A
	check "alice registers through node A at :$pa" register_at alice "$pa" 600
	sipp_bg w sub_ue.xml "$(free_port)" -s alice -key watcher alice -au alice \
		-ap alice-secret -key sub_expires 600 -key notifies "$1"
	check "the initial NOTIFY from node A arrives" wait_notifies w 1 10
	sub_dialog w
	cid=$SUB_CALLID
}
# via_port NAME N: the port in the Via of sipp NAME's N-th NOTIFY (the node
# that sent it)
via_port() { hdr "$(notify_hdr_file "$1" "$2")" Via | sed -n 's/.*:\([0-9]*\);branch.*/\1/p'; }
# via_ports NAME: the ports of every NOTIFY NAME received, each once
via_ports() {
	grep -h '^Via:' "$WORK/$1".notify.*.hdr 2>/dev/null \
		| sed -n 's/.*:\([0-9]*\);branch.*/\1/p' | sort -u | tr '\n' ' ' | sed 's/ $//'
}

# cluster_finish: both nodes stopped (each must stop cleanly), their logs
# free of crashes, then lib.sh's finish
cluster_finish() {
	local n
	for n in A B; do
		node_use "$n"
		if [ -n "$KAM_PID" ] && ! kill -0 "$KAM_PID" 2>/dev/null; then
			fail "node $n still running at the end" "$(tail -30 "$KAM_LOG")"
			eval "NODE_PID_$n="
		fi
		node_stop "$n"
		if grep -qE "CRITICAL|segfault|[^E]BUG:" "$KAM_LOG" 2>/dev/null; then
			fail "node $n's log has no crash or memory errors" "$(grep -E "CRITICAL|segfault|[^E]BUG:" "$KAM_LOG" | head)"
		fi
	done
	KAM_PID=""
	finish
}
