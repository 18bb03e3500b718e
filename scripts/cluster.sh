#!/bin/sh
# make cluster: two S-CSCF nodes of etc/kamailio.cfg (-A WITH_CLUSTER) on
# loopback, on a private PostgreSQL (scripts/pg.sh), sharing registrations
# through dmq_usrloc, each with JSON-RPC over HTTP and /metrics.
#
#   cluster.sh run    start everything, say how to drive it, wait; Ctrl-C
#                     (or `cluster.sh stop` from another shell) stops it all
#   cluster.sh stop   stop the nodes and PostgreSQL, by their PIDs
#
# Everything is under var/: var/pg (PostgreSQL), var/cluster (logs, PIDs,
# ctl sockets). PostgreSQL's data stays for the next run (make distclean
# removes it). Ports: the first free ones from 5070 (SIP, UDP and TCP)
# and 8070 (HTTP). (CLUSTER_DIR, PGDIR, CLUSTER_SIP_PORT and
# CLUSTER_HTTP_PORT move them, as test/integration/cluster_make.sh does.)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
dir=${CLUSTER_DIR:-$top/var/cluster}
export PGDIR=${PGDIR:-$top/var/pg}
KAM_MODULES=${KAM_MODULES:-/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)/kamailio/modules}
IP=127.0.0.1

# free PORT: the first port from PORT free for UDP and TCP
free() {
	p=$1
	while ss -Hlun "sport = :$p" 2>/dev/null | grep -q . \
		|| ss -Hltn "sport = :$p" 2>/dev/null | grep -q .; do
		p=$((p + 1))
	done
	echo "$p"
}

# a PID of ours still running kamailio (a recycled PID is left alone)
ours() {
	[ -n "$1" ] && tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline" | grep -q "kamailio.*$dir"
}

# alive PID: running, not a zombie (a node is our child until reaped)
alive() {
	st=""
	[ -r "/proc/$1/stat" ] && read -r _ _ st _ <"/proc/$1/stat" 2>/dev/null
	[ -n "$st" ] && [ "$st" != Z ]
}

stop_nodes() {
	for n in a b; do
		f="$dir/node-$n.pid"
		[ -f "$f" ] || continue
		p=$(cat "$f")
		if ours "$p"; then
			kill "$p" 2>/dev/null || true
			i=0
			while ours "$p" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
			ours "$p" && kill -9 "$p" 2>/dev/null
			echo "cluster: node $n ($p) stopped"
		fi
		rm -f "$f"
	done
}

stop() {
	# a running `cluster.sh run` sees it and ends without complaint
	[ -d "$dir" ] && : >"$dir/stopping"
	stop_nodes
	"$top/scripts/pg.sh" stop
}

# node N SIP_PORT PEER_PORT HTTP_PORT RDBURL
node() {
	n=$1
	log="$dir/node-$n.log"
	: >"$log"
	kamailio -DD -E -f "$top/etc/kamailio.cfg" -L "$top/modules/reauth:$KAM_MODULES" \
		-Y "$dir" -m 64 -M 8 -A WITH_POSTGRES -A WITH_CLUSTER \
		-A "LISTEN=udp:$IP:$2" -A "DMQ_SERVER=\"sip:$IP:$2\"" -A "DMQ_PEER=\"sip:$IP:$3\"" \
		-A "HTTP_LISTEN=tcp:$IP:$4" -A "DBURL=\"$KDB\"" -A "REAUTH_DBURL=\"$5\"" \
		-A "CTL_SOCKET=\"unix:$dir/node-$n.ctl\"" -A WORKERS=2 >>"$log" 2>&1 &
	echo $! >"$dir/node-$n.pid"
	i=0
	until kamcmd -s "unix:$dir/node-$n.ctl" core.version >/dev/null 2>&1; do
		if ! kill -0 "$(cat "$dir/node-$n.pid")" 2>/dev/null || [ $i -ge 100 ]; then
			echo "cluster: node $n did not start:" >&2
			tail -20 "$log" >&2
			return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
}

run() {
	mkdir -p "$dir"
	stop_nodes >/dev/null
	rm -f "$dir/stopping"
	trap 'echo; echo "cluster: stopping"; stop; exit 0' INT TERM
	"$top/scripts/pg.sh" start
	KDB=$("$top/scripts/pg.sh" url kamailio)
	RA=$("$top/scripts/pg.sh" createdb reauth_a)
	RB=$("$top/scripts/pg.sh" createdb reauth_b)
	"$top/scripts/db-init.sh" "$KDB" "$RA"
	"$top/scripts/db-init.sh" "$KDB" "$RB"
	# the pool (KDMQ), the P-CSCF and the AS of the example, by address
	psql -X -q -tA "$KDB" -c "INSERT INTO address (grp, ip_addr, mask, port, tag)
		SELECT g, a, 32, 0, t FROM (VALUES (3, '$IP', 'scscf'), (1, '127.0.0.2', 'pcscf'),
		(2, '127.0.0.3', 'as')) AS v(g, a, t)
		WHERE NOT EXISTS (SELECT 1 FROM address WHERE grp = g AND ip_addr = a)"
	pa=$(free "${CLUSTER_SIP_PORT:-5070}")
	pb=$(free $((pa + 1)))
	ha=$(free "${CLUSTER_HTTP_PORT:-8070}")
	[ "$ha" = "$pb" ] && ha=$(free $((pb + 1)))
	hb=$(free $((ha + 1)))
	node a "$pa" "$pb" "$ha" "$RA" || { stop; exit 1; }
	node b "$pb" "$pa" "$hb" "$RB" || { stop; exit 1; }
	cat <<-EOF

		cluster: two S-CSCF nodes on PostgreSQL $("$top/scripts/pg.sh" status)
		  node A  sip:$IP:$pa  http://$IP:$ha  log $dir/node-a.log
		  node B  sip:$IP:$pb  http://$IP:$hb  log $dir/node-b.log
		Registrations are shared (dmq_usrloc); the nodes say hello to each other
		(reauth dmq 1); subscriptions and procedures are replicated, a trigger
		on either node runs where the user's subscriptions are, and a node that
		dies is taken over by the other. Users alice, bob, carol, dave of realm
		ims.test, password <user>-secret.

		Drive it (from another shell):
		  sipp $IP:$pa -sf test/sipp/ue_register.xml -s alice -au alice -ap alice-secret \\
		       -key domain ims.test -key expires 600 -m 1 -i $IP -p 5090  # REGISTER through node A
		  kamcmd -s unix:$dir/node-b.ctl ul.dump      # ... seen on node B
		  kamcmd -s unix:$dir/node-a.ctl dmq.list_nodes
		  kamcmd -s unix:$dir/node-a.ctl reauth.nodes   # node B up (hellos)
		  sipp $IP:$pb -sf test/sipp/ue_reauth.xml -s bob -au bob -ap bob-secret \\
		       -key domain ims.test -key expires 600 -m 1 -i $IP -p 5091  # a UE on node B; within 30 s:
		  curl -d '{"jsonrpc":"2.0","method":"reauth.user","params":["sip:bob@ims.test"],"id":1}' http://$IP:$hb/RPC
		  curl -d '{"jsonrpc":"2.0","method":"reauth.list","id":2}' http://$IP:$hb/RPC
		  curl http://$IP:$hb/metrics                                   # Prometheus
		  PGDIR=$PGDIR scripts/pg.sh psql reauth_b -c 'select * from reauth_subscription'

		Ctrl-C here, or make cluster-stop, stops the nodes and PostgreSQL.
	EOF
	# until a node ends (or Ctrl-C: the trap). Nothing here forks a
	# process that SIGINT could end before the trap runs: the sleep is in
	# the background (ignoring SIGINT, as background commands of a script
	# do), wait is interrupted by the signal, the state is read by the shell
	pida=$(cat "$dir/node-a.pid")
	pidb=$(cat "$dir/node-b.pid")
	while alive "$pida" && alive "$pidb"; do
		sleep 1 &
		wait $!
	done
	if [ -f "$dir/stopping" ]; then
		echo "cluster: stopped (cluster-stop)"
		exit 0
	fi
	echo "cluster: a node ended (see $dir/node-*.log): stopping the rest"
	stop
	exit 1
}

case ${1:-run} in
run) run ;;
stop) stop ;;
*) echo "usage: $0 run|stop" >&2; exit 2 ;;
esac
