#!/usr/bin/env bash
# make cluster (scripts/cluster.sh run): PostgreSQL and two nodes start,
# the printed lines drive them (curl to JSON-RPC and /metrics, kamcmd),
# and stopping it, by Ctrl-C or by cluster-stop from another shell,
# leaves nothing running. Here on this test's ports and under its
# directory (CLUSTER_DIR, PGDIR, CLUSTER_SIP_PORT, CLUSTER_HTTP_PORT).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"

export CLUSTER_DIR="$WORK/cluster" PGDIR="$WORK/pg"
export CLUSTER_SIP_PORT=$((PORT_BASE + 100)) CLUSTER_HTTP_PORT=$((PORT_BASE + 150))
PG_PORT=$((PORT_BASE + 190))
while ss -Hltn "sport = :$PG_PORT" | grep -q .; do PG_PORT=$((PG_PORT + 1)); done
export PG_PORT
at_exit '"$TOP/scripts/cluster.sh" stop >>"$WORK/stop.out" 2>&1; "$TOP/scripts/pg.sh" destroy >>"$WORK/stop.out" 2>&1'
RUN_PID=""

# start_cluster N DESCRIPTION: cluster.sh run as from a terminal: a job
# of its own process group (set -m) that does not ignore SIGINT (a
# background job of a script ignores it, and so does everything a test
# started in the background starts: perl puts the default back), until
# it says how to drive it (not in check's subshell: RUN_PID is ours)
start_cluster() {
	local i
	set -m
	perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV or die "exec: $!"' \
		"$TOP/scripts/cluster.sh" run >"$WORK/run$1.out" 2>&1 &
	RUN_PID=$!
	set +m
	for i in $(seq 1 600); do
		grep -q "Ctrl-C here" "$WORK/run$1.out" && { pass "$2"; return 0; }
		kill -0 "$RUN_PID" 2>/dev/null || break
		sleep 0.1
	done
	fail "$2" "$(cat "$WORK/run$1.out")"
	finish
}
# run_pids: the PIDs of the two nodes and of PostgreSQL
run_pids() {
	echo $(cat "$CLUSTER_DIR"/node-a.pid "$CLUSTER_DIR"/node-b.pid 2>/dev/null) \
		$("$TOP/scripts/pg.sh" status | awk '$1 == "running" { print $2 }')
}
# ended PID [SECONDS]: until the process is gone
ended() {
	local i
	for i in $(seq 1 $((${2:-20} * 10))); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	echo "$1 still running"
	return 1
}
# leftovers: processes whose command line names this test's directory
leftovers() {
	local p out=""
	for p in /proc/[0-9]*; do
		case ${p#/proc/} in "$$" | "$SLOT_PID") continue ;; esac
		tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -qF "$WORK/" && out="$out ${p#/proc/}"
	done
	echo "$out"
}
# the printed line that starts with WORD and has TEXT
printed() { grep -E "^[[:space:]]*$1 " "$WORK/run$2.out" | grep -F -- "$3" | head -1 | sed 's/^[[:space:]]*//; s/ *#.*//'; }

start_cluster 1 "make cluster starts PostgreSQL and two nodes"
pids=$(run_pids)
check_eq "three PIDs: two nodes and PostgreSQL" 3 "$(echo $pids | wc -w)"
line=$(printed curl 1 reauth.list)
check_contains "it prints a curl line for JSON-RPC" "/RPC" "$line"
out=$(eval "$line -sS -m 10" 2>&1)
check_contains "... which answers" '"jsonrpc"' "$out"
check_contains "... with a result" '"result"' "$out"
line=$(printed curl 1 /metrics)
check_contains "the printed /metrics line gives the reauth statistics" "kamailio_reauth_reauth_started" \
	"$(eval "$line -sS -m 10" 2>&1)"
line=$(printed kamcmd 1 dmq.list_nodes)
check_contains "the printed kamcmd line lists the DMQ nodes" "status: active" "$(eval "$line" 2>&1)"
line=$(printed kamcmd 1 reauth.nodes)
check_contains "it prints a kamcmd line for reauth.nodes" "node-a.ctl reauth.nodes" "$line"
for i in $(seq 1 50); do
	out=$(eval "$line" 2>&1)
	printf '%s' "$out" | grep -q "state: up" && break
	sleep 0.1
done
check_contains "... which lists node B up (the nodes' hellos)" "state: up" "$out"

# Ctrl-C: SIGINT to the process group
kill -INT -- "-$RUN_PID"
check "Ctrl-C ends make cluster" ended "$RUN_PID"
wait "$RUN_PID"
check_eq "... with exit status 0" 0 "$?"
for p in $pids; do check "process $p is gone" ended "$p" 5; done
check_eq "nothing of it left running" "" "$(leftovers)"

# again (PostgreSQL's data kept), stopped by cluster-stop from elsewhere
start_cluster 2 "make cluster starts again on the same data"
check_contains "the second run did not create the tables again" "" "$(grep -c 'db-init: created' "$WORK/run2.out" | grep -x 0)"
pids=$(run_pids)
out=$("$TOP/scripts/cluster.sh" stop 2>&1)
check_contains "make cluster-stop stops the nodes and PostgreSQL" "pg.sh: stopped" "$out"
check "make cluster ends" ended "$RUN_PID"
wait "$RUN_PID"
check_eq "... with exit status 0" 0 "$?"
check_contains "... saying why" "stopped (cluster-stop)" "$(cat "$WORK/run2.out")"
for p in $pids; do check "process $p is gone" ended "$p" 5; done
check_eq "nothing of it left running" "" "$(leftovers)"

finish
