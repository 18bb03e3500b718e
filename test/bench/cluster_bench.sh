#!/usr/bin/env bash
# Benchmark (not a test) of a pool of two nodes (issue 12): the reg event
# notifier and the mass re-authentication on two Kamailio nodes sharing
# a PostgreSQL, next to one node on sqlite, in the same run, with the
# same workload; and what the replication costs (KDMQ messages per
# NOTIFY).
#
# Usage: test/bench/cluster_bench.sh [NOTIFY_N]
#   NOTIFY_N  notifier UEs (default 5000, as `make bench` runs run.sh;
#             BENCH_QUICK=1: 200)
#
# Set-ups ("modes"), each started, measured and stopped in turn:
#   single  one node of etc/kamailio.cfg on sqlite (scripts/db-init.sh's
#           two files: Kamailio's tables, the module's tables)
#   single-pg  the same node on PostgreSQL (-A WITH_POSTGRES, the server
#           of the pool below, databases of its own): what the database
#           alone changes, apart from the second node and DMQ
#   pool    two nodes A and B of etc/kamailio.cfg -A WITH_POSTGRES
#           -A WITH_CLUSTER (as `make cluster` and the cluster_* tests):
#           a private PostgreSQL (scripts/pg.sh, PGDIR in the work dir,
#           a free port; fsync off), Kamailio's tables in one shared
#           database, the module's tables one database per node; dmq +
#           dmq_usrloc (registrations), the module's DMQ peer "reauth"
#           (hellos, subscriptions replicated: sub.put/seq/del)
# Every node alike, sized as test/bench/reauth_bench.sh sizes its node:
# children WORKERS (4), -m max(1024, N/25) MB -M 8, -x tlsf,
# shm_force_alloc, module and usrloc hash tables for the users,
# MAX_SUBSCRIPTIONS and QUEUE_SIZE above them, SHORTENED_EXPIRES and
# REAUTH_TIMEOUT 600 (nothing expires during the run), KEEP_FINISHED 10,
# usrloc in memory (db_mode 0: what a pool node runs, and what
# reauth_bench.sh measures a single node with), on 127.0.0.1, free ports.
# The users are split in two halves, group a and group b: in the pool
# group a talks to node A only and group b to node B only (register,
# subscribe, re-register, triggers); the single node gets both groups.
# The sipps are the same in both set-ups: one per group, each with half
# the flows in flight, so the load offered is the same.
#
#  1 notifier  run.sh's reauth workload: NOTIFY_N UEs bench0000.. (digest
#              on, password <user>-secret), per group one sipp on a pinned
#              port: REGISTER (401, 200), SUBSCRIBE Event: reg (407, 200,
#              initial NOTIFY), then ROUNDS measured rounds of re-REGISTER
#              (401, 200) and the NOTIFY it causes (test/bench/sipp/ue_*.xml,
#              -l LIMIT/2 per sipp, -r RATE). NOTIFY/s: NOTIFYs received by
#              both sipps / the round's wall time (both started at once,
#              until both ended); the median round.
#  2 mass      reauth_bench.sh's phases 2 and 3: MASS_N users u000000..
#              (password <user>-pw), per group one sipp
#              (reauth_ue.xml: register, subscribe, wait for the
#              re-authentication NOTIFY, answer, re-register, answer the
#              refresh's NOTIFY) and one trigger sipp (reauth_trigger.xml:
#              a MESSAGE with X-Reauth-Identity per user, from 127.0.0.3,
#              address group 2 (AS), -l TRIGGER_LIMIT/2) to the group's node:
#              every node is triggered for its own users. completions/s:
#              reauth_completed of all nodes / (the first poll, every
#              0.1 s, that saw all completed - the first MESSAGE sent);
#              NOTIFY/s: reauth_notify_sent the same way; latency per user
#              MESSAGE sent -> re-authentication NOTIFY received.
#  3 cost      from the statistics of every node, over the measured rounds
#              of 1 and over 2's trigger-to-completion, each read once tm
#              held only idle transactions again: KDMQ of the module
#              (reauth:dmq_sent, reauth:dmq_received: more received than
#              sent are requests tm sent again, their answer late, which
#              dmq, stateless, hands over again; hellos, one a second
#              a node, counted apart from reauth.nodes' hello counters),
#              KDMQ of every peer received (core:rcv_requests minus the
#              requests of known methods, kex's counters: KDMQ has none of
#              its own), dmq_usrloc's share (all KDMQ received minus the
#              module's; dmq's own pings, one a minute, included), all per
#              NOTIFY sent (reauth:notify_sent) and per completion.
# CPU: every Kamailio process (kamcmd core.ps of each node) and, in the
# pool, PostgreSQL's (its postmaster's children, /proc), % of one CPU over
# each measured window; the machine's busy share (/proc/stat) alongside.
# One machine: the pool's two nodes and PostgreSQL share the CPUs that
# the single node has alone. The figures say what replication costs,
# not what two machines would do.
#
# Environment (BENCH_QUICK=1: NOTIFY_N 200, MASS_N 1000, 1 round):
#   CLUSTER_BENCH_MASS_N=10000     mass re-authentication users
#   CLUSTER_BENCH_MODES="single single-pg pool"   set-ups to run, in this order
#   CLUSTER_BENCH_WORKERS=4        children= of every node
#   CLUSTER_BENCH_ROUNDS=3         notifier rounds (NOTIFY/s: the median)
#   CLUSTER_BENCH_LIMIT=200        notifier flows in flight, all sipps together
#   CLUSTER_BENCH_RATE=100000      notifier sipp rate cap (flows/s, each sipp)
#   CLUSTER_BENCH_REG_RATE=800     mass: UE calls started per second, all sipps
#   CLUSTER_BENCH_TRIGGER_RATE=20000  mass: MESSAGEs per second at most, each sipp
#   CLUSTER_BENCH_TRIGGER_LIMIT=100   mass: MESSAGEs awaiting their 202, all sipps
#   CLUSTER_BENCH_MASS_MAX=300     mass: give up after that many seconds
#   CLUSTER_BENCH_KAM_ARGS="-x tlsf"  more kamailio options
#   CLUSTER_BENCH_PORTS=           a first port: ports taken in order from it
#                                  (default: random ones of 20000-60000, as
#                                  the other benchmarks), skipping ports in use
#   CLUSTER_BENCH_OUT=var/bench/cluster   the work dir (logs, sipp files,
#                                  databases, PostgreSQL)
# Output: the table on stdout and in var/bench/cluster-results.txt; the
# work dir keeps every log. Nothing keeps running: nodes, sipps and
# PostgreSQL are stopped by their PIDs when the script ends, however.
set -u
. "$(dirname "$0")/bench_lib.sh"

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH="$TOP/test/bench"
SIPP_DIR="$BENCH/sipp"
OUT=${CLUSTER_BENCH_OUT:-$TOP/var/bench/cluster}
RESULTS="$TOP/var/bench/cluster-results.txt"
KAM_MODULES=${KAM_MODULES:-/usr/lib/x86_64-linux-gnu/kamailio/modules}
IP=127.0.0.1
# the triggers' source: an application server, trusted by its address
# (permissions group 2, any port: Kamailio's PostgreSQL schema keeps the
# port in a smallint, too small for the ports used here)
AS_IP=127.0.0.3
DOMAIN=ims.test

QUICK=${BENCH_QUICK:-0}
[ "$QUICK" = 1 ] || QUICK=0
NTF_N=${1:-$((QUICK ? 200 : 5000))}
MASS_N=${CLUSTER_BENCH_MASS_N:-$((QUICK ? 1000 : 10000))}
MODES=${CLUSTER_BENCH_MODES:-single single-pg pool}
WORKERS=${CLUSTER_BENCH_WORKERS:-4}
ROUNDS=${CLUSTER_BENCH_ROUNDS:-$((QUICK ? 1 : 3))}
LIMIT=${CLUSTER_BENCH_LIMIT:-200}
RATE=${CLUSTER_BENCH_RATE:-100000}
REG_RATE=${CLUSTER_BENCH_REG_RATE:-800}
TRIG_RATE=${CLUSTER_BENCH_TRIGGER_RATE:-20000}
TRIG_LIMIT=${CLUSTER_BENCH_TRIGGER_LIMIT:-100}
MASS_MAX=${CLUSTER_BENCH_MASS_MAX:-300}
KAM_ARGS=${CLUSTER_BENCH_KAM_ARGS--x tlsf}
PORT_NEXT=${CLUSTER_BENCH_PORTS:-}
REG_EXPIRES=3600
SUB_EXPIRES=3600
SHORTENED_EXPIRES=600
REAUTH_TIMEOUT=600
KEEP_FINISHED=10
SIPP_BUF=4194304

for n in "$NTF_N" "$MASS_N"; do
	case "$n" in
	'' | *[!0-9]*) echo "usage: $0 [NOTIFY_N]  (and CLUSTER_BENCH_MASS_N): positive numbers" >&2; exit 2 ;;
	esac
	[ "$n" -ge 2 ] || { echo "N must be at least 2 (two groups)" >&2; exit 2; }
done
for m in $MODES; do
	case "$m" in single | single-pg | pool) ;; *) echo "unknown mode $m (single, single-pg, pool)" >&2; exit 2 ;; esac
done
for t in kamailio kamcmd sipp sqlite3 ss awk $([ "$MODES" != single ] && echo psql); do
	command -v $t >/dev/null || { echo "$t is not installed (make deps)" >&2; exit 1; }
done
[ -f "$TOP/modules/reauth/reauth.so" ] || { echo "no modules/reauth/reauth.so: run make build" >&2; exit 1; }
grep -q '"dmq_sent"' "$TOP/modules/reauth/reauth_stats.c" \
	|| echo "# warning: the module has no dmq_sent/dmq_received statistics: the module's KDMQ count is missing" >&2

# --- processes: every one ours, by PID ---

BG_PIDS=""
NODE_PIDS=""
PG_STARTED=0
PGDIR="$OUT/pg"

stop_nodes() {
	local p
	for p in $NODE_PIDS; do stop_pid "$p"; done
	NODE_PIDS=""
}

pg_() { PGDIR="$PGDIR" "$TOP/scripts/pg.sh" "$@"; }

cleanup() {
	stop_bg
	stop_nodes
	[ "$PG_STARTED" = 1 ] && pg_ destroy >>"$OUT/pg.out" 2>&1
	PG_STARTED=0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() {
	echo "BENCHMARK FAILED: $*" >&2
	exit 1
}

rm -rf "$OUT"
mkdir -p "$OUT" || exit 1

# --- helpers ---

USED_PORTS=""
# port VAR: VAR = a port free for UDP and TCP (CLUSTER_BENCH_PORTS: in
# order from it); in this shell, not in a $(...) subshell, which would
# forget the ports taken
port() {
	local p tries=0
	while :; do
		if [ -n "$PORT_NEXT" ]; then
			p=$PORT_NEXT
			PORT_NEXT=$((PORT_NEXT + 1))
		else
			p=$((20000 + (RANDOM * 32768 + RANDOM + $$) % 40000))
		fi
		tries=$((tries + 1))
		[[ " $USED_PORTS " == *" $p "* ]] && continue
		# every TCP socket, not only listening ones: a client connection's
		# local port (the ephemeral range overlaps this one) makes
		# PostgreSQL's bind fail ("could not create listen socket")
		if ! ss -Hlun "sport = :$p" 2>/dev/null | grep -q . \
			&& ! ss -Htan "sport = :$p" 2>/dev/null | grep -q .; then
			break
		fi
		[ $tries -gt 500 ] && break
	done
	USED_PORTS="$USED_PORTS $p"
	printf -v "$1" '%s' "$p"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^-?[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.2f", a / b; else print "-" }'; }
per() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^-?[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.3f", a / b; else print "-" }'; }

# hash_bits N: about 4 records a bucket, at least the cfg's 14
hash_bits() {
	local b=14
	while [ $(((1 << b) * 4)) -lt "$1" ]; do b=$((b + 1)); done
	echo $b
}

alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }

wait_pid() {
	local p=$1 secs=$2 i
	for i in $(seq 1 $((secs * 10))); do
		alive "$p" || { wait "$p" 2>/dev/null; return 0; }
		sleep 0.1
	done
	return 1
}

# kc NODE ARGS...: kamcmd on a node (NODE a letter: a, b, or s)
kc() {
	local n=$1
	shift
	kamcmd -s "unix:$OUT/$MODE/ctl-$n.sock" "$@"
}

# stats NODE: the counters of one node this benchmark reads, as
# "name=value" words (one RPC)
stats() {
	kc "$1" stats.get_statistics all 2>/dev/null | awk '
		{ v[$1] = $3 }
		END {
			m = 0
			split("invite cancel ack bye info register subscribe notify message options prack update refer publish", k, " ")
			for (i in k) m += v["core:rcv_requests_" k[i]]
			printf "notify_sent=%d reauth_notify_sent=%d completed=%d dmq_sent=%d dmq_received=%d kdmq=%d uac=%d subs=%d\n",
				v["reauth:notify_sent"], v["reauth:reauth_notify_sent"], v["reauth:reauth_completed"],
				v["reauth:dmq_sent"], v["reauth:dmq_received"], v["core:rcv_requests"] - m,
				v["tmx:UAC_transactions"], v["reauth:active_subscriptions"]
		}'
}

# hellos NODE: the hellos this node received from its peers (reauth.nodes)
hellos() {
	kc "$1" reauth.nodes 2>/dev/null | awk '$1 == "hellos:" { h += $2 } END { print h + 0 }'
}

# snap: every node's counters, one line "node name=value..." each; on
# PostgreSQL a line "pg pgx=N": the transactions committed and rolled
# back in this mode's databases (pg_stat_database)
snap() {
	local n
	for n in $NODES; do
		echo "$n $(stats "$n") hellos=$(hellos "$n")"
	done
	if [ "$MODE" != single ]; then
		echo "pg pgx=$(psql -X -tA "$KDB" -c "SELECT sum(xact_commit + xact_rollback) FROM pg_stat_database
			WHERE datname = 'kam_${MODE//-/_}' OR datname LIKE 'reauth\\__\\_${MODE//-/_}'" 2>/dev/null)"
	fi
}

# delta BEFORE AFTER NAME: the sum over the nodes of NAME after - before
delta() {
	awk -v k="$3" '
		{ for (i = 2; i <= NF; i++) { split($i, f, "="); if (f[1] == k) v[FILENAME, $1] = f[2] } n[$1] = 1 }
		END { for (x in n) d += v[ARGV[2], x] - v[ARGV[1], x]; print d + 0 }' "$1" "$2"
}

# sum NAME: the sum over the nodes of a counter now
sum_stat() {
	local n t=0 v
	for n in $NODES; do
		v=$(kc "$n" stats.get_statistics reauth: 2>/dev/null | awk -v k="reauth:$1" '$1 == k { print $3 }')
		t=$((t + ${v:-0}))
	done
	echo "$t"
}

tm_current() { kc "$1" tm.stats 2>/dev/null | awk '$1 == "current:" { print $2 }'; }

# settle [SECONDS]: every node's tm holds no more transactions than when
# idle (a pool node has hellos in tm's wait timer all the time)
settle() {
	local secs=${1:-30} i n cur ok
	for i in $(seq 1 $((secs * 5))); do
		ok=1
		for n in $NODES; do
			cur=$(tm_current "$n")
			[ "${cur:-99999}" -le "${TM_IDLE[$n]:-0}" ] || { ok=0; break; }
		done
		[ $ok = 1 ] && return 0
		sleep 0.2
	done
	echo "# warning: tm still busy after $secs s" >&2
	return 1
}

# settle_answering: settle while a sipp on each group's UE port answers
# NOTIFYs. A NOTIFY whose 200 was lost is retransmitted by tm after the
# UE sipp of the phase has exited; unanswered, it ends in 408 and the
# subscription with it (RFC 6665), and every later round waits 10 s for
# that user's NOTIFY (seen: 458 instead of 4000+ NOTIFY/s in the pool).
# Between the rounds the next round's sipp answers them (-oocsf).
settle_answering() {
	local g pids="" p
	for g in a b; do
		timeout 60 sipp -sf "$SIPP_DIR/reauth_notify_200.xml" -i "$IP" -p "${UE_PORT[$g]}" \
			-buff_size $SIPP_BUF -nostdin >/dev/null 2>&1 &
		pids="$pids $!"
		BG_PIDS="$BG_PIDS $!"
	done
	settle 30 >/dev/null
	for p in $pids; do stop_pid "$p"; done
}

# cpu_snap: "PID TICKS" of every Kamailio process of every node and, in
# the pool, of PostgreSQL's processes (tagged kam/pg)
cpu_snap() {
	local n pid dsc pm f
	for n in $NODES; do
		kc "$n" core.ps 2>/dev/null | paste - - | while IFS=$'\t' read -r pid dsc; do
			[ -r "/proc/$pid/stat" ] && echo "$pid $(awk '{ print $14 + $15 }' "/proc/$pid/stat") kam"
		done
	done
	if [ "$MODE" != single ]; then
		pm=$(pg_ status | awk '$1 == "running" { print $2 }')
		[ -n "$pm" ] || return 0
		echo "$pm $(awk '{ print $14 + $15 }' "/proc/$pm/stat" 2>/dev/null) pg"
		# (read by the shell: one awk over all /proc/*/stat stops, with
		# mawk, at the first process that ended meanwhile)
		local l r
		for f in /proc/[0-9]*/stat; do
			read -r l 2>/dev/null <"$f" || continue
			r=${l##*) }
			set -- $r
			[ "$2" = "$pm" ] && echo "${l%% *} $((${12} + ${13})) pg"
		done
	fi
}

# cpu_pct BEFORE AFTER SECONDS TAG: % of one CPU the TAG processes used
cpu_pct() {
	awk -v secs="$3" -v tag="$4" -v hz="$(getconf CLK_TCK)" '
		NR == FNR { t0[$1] = $2; next }
		$3 == tag { d += $2 - ($1 in t0 ? t0[$1] : 0) }
		END { printf "%.0f", (secs > 0 ? 100 * d / hz / secs : 0) }' "$1" "$2"
}

sys_ticks() { awk '$1 == "cpu" { t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t }' /proc/stat; }
machine_busy() {
	awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " "); d = y[2] - x[2]
		printf "%.0f", (d > 0 ? 100 * (y[1] - x[1]) / d : 0) }'
}

percentile() {
	awk -v p="$1" '{ v[NR] = $1 } END { if (!NR) { print "-"; exit } i = int(NR * p / 100 + 0.999999); if (i < 1) i = 1; if (i > NR) i = NR; print v[i] }' "$2"
}

# sipp_counts SCREENFILE: "OK FAILED NOTIFYS_RECEIVED" of a finished sipp
sipp_counts() {
	sed -E 's/ [BE]-RTD[0-9]+ / /' "$1" 2>/dev/null | awk '
		/Successful call/ { split($0, f, "|"); gsub(/ /, "", f[3]); ok = f[3] }
		/Failed call/ { split($0, f, "|"); gsub(/ /, "", f[3]); fail = f[3] }
		/<----------/ { if ($1 == "NOTIFY") notify += $3 }
		END { print ok + 0, fail + 0, notify + 0 }'
}

# --- set-up of a mode ---

declare -A R
declare -A TM_IDLE
declare -A NODE_PORT

# users: the SQL that inserts both populations and the trusted trigger
# address (group 2), for sqlite3 and psql alike
users_sql() {
	awk -v n="$NTF_N" -v m="$MASS_N" -v d="$DOMAIN" -v as="$AS_IP" 'BEGIN {
		print "BEGIN;"
		for (i = 0; i < n; i++) printf "INSERT INTO subscriber (username, domain, password) VALUES (\047bench%04d\047, \047%s\047, \047bench%04d-secret\047);\n", i, d, i
		for (i = 0; i < m; i++) printf "INSERT INTO subscriber (username, domain, password) VALUES (\047u%06d\047, \047%s\047, \047u%06d-pw\047);\n", i, d, i
		printf "INSERT INTO address (grp, ip_addr, mask, port, tag) VALUES (2, \047%s\047, 32, 0, \047bench-as\047);\n", as
		print "COMMIT;"
	}'
}

# group_csv FIRST COUNT KIND: SEQUENTIAL injection lines of a group
# (KIND ntf: user;password;port, PORT in $3's place; mass: user;password)
ntf_csv() {
	awk -v f="$1" -v c="$2" -v port="$3" 'BEGIN { print "SEQUENTIAL"
		for (i = f; i < f + c; i++) printf "bench%04d;bench%04d-secret;%s\n", i, i, port }'
}
mass_csv() {
	awk -v f="$1" -v c="$2" 'BEGIN { print "SEQUENTIAL"
		for (i = f; i < f + c; i++) printf "u%06d;u%06d-pw\n", i, i }'
}

# node_start LETTER: one node of this mode (a/b in the pool, s alone)
node_start() {
	local n=$1 wd="$OUT/$MODE" port=${NODE_PORT[$1]} defs shm users
	users=$((NTF_N + MASS_N))
	shm=$((users / 25 > 1024 ? users / 25 : 1024))
	defs=(-A "LISTEN=udp:$IP:$port" -A "CTL_SOCKET=\"unix:$wd/ctl-$n.sock\"" -A "WORKERS=$WORKERS"
		-A "SHORTENED_EXPIRES=$SHORTENED_EXPIRES" -A "REAUTH_TIMEOUT=$REAUTH_TIMEOUT"
		-A "KEEP_FINISHED=$KEEP_FINISHED" -A "MAX_SUBSCRIPTIONS=$((users + 20000))"
		-A "QUEUE_SIZE=$((2 * users + 20000))" -A "USRLOC_DB_MODE=0" -A SHM_FORCE_ALLOC
		-A "HASH_SIZE=$((1 << $(hash_bits "$users")))" -A "UL_HASH_SIZE=$(hash_bits "$users")")
	if [ "$MODE" = pool ]; then
		local peer=b
		[ "$n" = b ] && peer=a
		defs+=(-A WITH_POSTGRES -A WITH_CLUSTER -A "DBURL=\"$KDB\"" -A "REAUTH_DBURL=\"${RDB[$n]}\""
			-A "DMQ_SERVER=\"sip:$IP:$port\"" -A "DMQ_PEER=\"sip:$IP:${NODE_PORT[$peer]}\""
			-A "HTTP_LISTEN=tcp:$IP:${HTTP_PORT[$n]}")
	elif [ "$MODE" = single-pg ]; then
		defs+=(-A WITH_POSTGRES -A "DBURL=\"$KDB\"" -A "REAUTH_DBURL=\"${RDB[$n]}\"")
	else
		defs+=(-A "DBURL=\"sqlite://$wd/kamailio.sqlite\"" -A "REAUTH_DBURL=\"sqlite://$wd/reauth.sqlite\"")
	fi
	kamailio -DD -E -f "$TOP/etc/kamailio.cfg" -L "$KAM_MODULES:$TOP/modules/reauth" -Y "$wd" \
		-m "$shm" -M 8 $KAM_ARGS "${defs[@]}" >>"$wd/kamailio-$n.log" 2>&1 &
	local pid=$! i
	NODE_PIDS="$NODE_PIDS $pid"
	R[$MODE.shm_mb]=$shm
	for i in $(seq 1 300); do
		kc "$n" core.version >/dev/null 2>&1 && return 0
		alive "$pid" || { tail -20 "$wd/kamailio-$n.log" >&2; die "$MODE: node $n did not start"; }
		sleep 0.1
	done
	tail -20 "$wd/kamailio-$n.log" >&2
	die "$MODE: node $n does not answer kamcmd within 30 s"
}

# the pool's nodes hear each other: the module's hellos, both ways, and
# still after node_timeout (3 s: a node that stopped sending is down)
wait_pool() {
	local n i
	for n in a b; do
		for i in $(seq 1 150); do
			kc "$n" reauth.nodes 2>/dev/null | grep -q "state: up" && break
			sleep 0.1
		done
	done
	sleep 4
	for n in a b; do
		kc "$n" reauth.nodes 2>/dev/null | grep -q "state: up" \
			|| die "pool: node $n does not hear its peer (reauth.nodes: $(kc "$n" reauth.nodes 2>&1 | tr -s '\n\t' '  '))"
	done
}

declare -A RDB
declare -A HTTP_PORT

setup_mode() {
	local wd="$OUT/$MODE" n
	mkdir -p "$wd"
	port AS_PORT_A
	port AS_PORT_B
	if [ "$MODE" != single ]; then
		# PostgreSQL: one server for the run, databases of their own per
		# mode (Kamailio's kam_MODE, the module's reauth_NODE_MODE)
		if [ "$MODE" = pool ]; then
			NODES="a b"
			port "NODE_PORT[a]"
			port "NODE_PORT[b]"
			port "HTTP_PORT[a]"
			port "HTTP_PORT[b]"
		else
			NODES="s"
			port "NODE_PORT[s]"
		fi
		if [ "$PG_STARTED" = 0 ]; then
			PG_STARTED=1
			port PG_PORT
			PG_PORT=$PG_PORT pg_ start >>"$OUT/pg.out" 2>&1 || { tail -20 "$OUT/pg.out" >&2; die "PostgreSQL did not start"; }
		fi
		local tag=${MODE//-/_}
		KDB=$(pg_ createdb "kam_$tag") || die "cannot create the database kam_$tag"
		for n in $NODES; do
			RDB[$n]=$(pg_ createdb "reauth_${n}_$tag") || die "cannot create the database reauth_${n}_$tag"
			"$TOP/scripts/db-init.sh" "$KDB" "${RDB[$n]}" >>"$wd/db-init.out" 2>&1 \
				|| { tail -20 "$wd/db-init.out" >&2; die "db-init.sh on PostgreSQL"; }
		done
		{ users_sql; echo "INSERT INTO address (grp, ip_addr, mask, port, tag) VALUES (3, '$IP', 32, 0, 'scscf');"; } \
			| psql -X -q -v ON_ERROR_STOP=1 "$KDB" >>"$wd/db-init.out" 2>&1 || die "cannot insert the users in PostgreSQL"
		R[$MODE.db]="PostgreSQL $(psql -X -tA "$KDB" -c 'show server_version' 2>/dev/null | awk '{ print $1 }') (scripts/pg.sh, fsync off)"
	else
		NODES="s"
		port "NODE_PORT[s]"
		"$TOP/scripts/db-init.sh" "$wd/kamailio.sqlite" "$wd/reauth.sqlite" >>"$wd/db-init.out" 2>&1 || die "db-init.sh (sqlite)"
		users_sql | sqlite3 "$wd/kamailio.sqlite" || die "cannot insert the users in sqlite"
		R[$MODE.db]="sqlite $(sqlite3 --version | awk '{ print $1 }') (db-init.sh: WAL)"
	fi
	if [ "$MODE" = pool ]; then
		# Node A's dmq notifies its peer B (notification_address) at start;
		# B is not up yet and the request ends in a timeout (fr_timer,
		# 5 s), which puts B back to "pending" even when B, started in the
		# meantime, had made itself known and active: then A broadcasts
		# nothing to B (dmq skips nodes not active) until dmq's next ping,
		# ping_interval (60 s) later. So B starts once A's request has
		# timed out: B's own notification then makes each active for the
		# other, for good.
		node_start a
		local i
		for i in $(seq 1 150); do
			grep -q "not deleting notification peer" "$OUT/$MODE/kamailio-a.log" && break
			sleep 0.1
		done
		node_start b
		wait_pool
	else
		node_start s
	fi
	# tm's idle level: the most transactions seen over 6 s with nothing
	# but hellos (they stay in tm's wait timer 5 s)
	for n in $NODES; do TM_IDLE[$n]=0; done
	if [ "$MODE" = pool ]; then
		local i c
		for i in $(seq 1 12); do
			for n in $NODES; do
				c=$(tm_current "$n")
				[ "${c:-0}" -gt "${TM_IDLE[$n]}" ] && TM_IDLE[$n]=$c
			done
			sleep 0.5
		done
		for n in $NODES; do TM_IDLE[$n]=$((TM_IDLE[$n] + 2)); done
	fi
}

# the node of a group: a -> A, b -> B in the pool; the single node
node_of() { [ "$MODE" = pool ] && echo "$1" || echo s; }

# --- 1 notifier ---

# ntf_pair NAME SCENARIO BASE_CSEQ [sipp args]: both groups' sipps at
# once, each to its node; sets P_SECS (wall time, both), P_OK P_FAIL P_NOTIFY
ntf_pair() {
	local name=$1 scen=$2 cseq=$3 g d pids="" t0 t1 ok fail ntf
	shift 3
	t0=$(now)
	for g in a b; do
		d="$OUT/$MODE/$name-$g"
		rm -rf "$d" && mkdir -p "$d"
		(
			cd "$d" || exit 1
			exec timeout $((60 + NTF_N / 10)) sipp "$IP:${NODE_PORT[$(node_of $g)]}" -sf "$SIPP_DIR/$scen" \
				-i "$IP" -p "${UE_PORT[$g]}" -inf "$OUT/$MODE/ntf-$g.csv" -cid_str "bench-$g%u@%s" \
				-base_cseq "$cseq" -key domain "$DOMAIN" -key expires $REG_EXPIRES -key sub_expires $SUB_EXPIRES \
				-m "${NTF_CNT[$g]}" -r "$RATE" -rp 1000 -l $((LIMIT / 2 > 0 ? LIMIT / 2 : 1)) -buff_size $SIPP_BUF \
				-aa -oocsf "$SIPP_DIR/ooc_notify.xml" -deadcall_wait 0 -nostdin -trace_screen -trace_err "$@" \
				>"$d/sipp.out" 2>&1
		) &
		pids="$pids $!"
		BG_PIDS="$BG_PIDS $!"
	done
	for g in $pids; do wait "$g"; done
	t1=$(now)
	P_SECS=$(fcalc "printf \"%.3f\", $t1 - $t0")
	P_OK=0 P_FAIL=0 P_NOTIFY=0
	for g in a b; do
		read -r ok fail ntf < <(sipp_counts "$(ls "$OUT/$MODE/$name-$g"/*_screen.log 2>/dev/null | head -1)")
		P_OK=$((P_OK + ok)) P_FAIL=$((P_FAIL + fail)) P_NOTIFY=$((P_NOTIFY + ntf))
	done
	[ $((P_OK + P_FAIL)) -lt "$NTF_N" ] && P_FAIL=$((NTF_N - P_OK))
	return 0
}

declare -A UE_PORT
declare -A NTF_CNT

run_notifier() {
	local wd="$OUT/$MODE" r nps_list="" s0 s1 c0 c1 m0 m1 secs_sum=0 ntf_sum=0 fail_sum=0
	NTF_CNT[a]=$((NTF_N / 2)) NTF_CNT[b]=$((NTF_N - NTF_N / 2))
	port "UE_PORT[a]"
	port "UE_PORT[b]"
	ntf_csv 0 "${NTF_CNT[a]}" "${UE_PORT[a]}" >"$wd/ntf-a.csv"
	ntf_csv "${NTF_CNT[a]}" "${NTF_CNT[b]}" "${UE_PORT[b]}" >"$wd/ntf-b.csv"

	ntf_pair ntf-register ue_register.xml 1
	echo "# $MODE notifier REGISTER: $P_OK ok, $P_FAIL failed, $P_SECS s"
	R[$MODE.ntf_reg]="$P_OK ok, $P_FAIL failed, $P_SECS s"
	settle 30 >/dev/null
	ntf_pair ntf-subscribe ue_subscribe.xml 10
	echo "# $MODE notifier SUBSCRIBE + NOTIFY: $P_OK ok, $P_FAIL failed, $P_NOTIFY NOTIFYs, $P_SECS s"
	R[$MODE.ntf_sub]="$P_OK ok, $P_FAIL failed, $P_NOTIFY NOTIFYs, $P_SECS s"
	settle_answering

	snap >"$wd/ntf.snap0"
	cpu_snap >"$wd/ntf.cpu0"
	m0=$(sys_ticks)
	for ((r = 1; r <= ROUNDS; r++)); do
		ntf_pair ntf-reregister-$r ue_reregister.xml $((10 + 10 * r))
		local nps
		nps=$(fcalc "printf \"%.0f\", ($P_SECS > 0 ? $P_NOTIFY / $P_SECS : 0)")
		echo "# $MODE notifier round $r (re-REGISTER + NOTIFY): $P_OK ok, $P_FAIL failed, $P_NOTIFY NOTIFYs in $P_SECS s: $nps NOTIFY/s"
		nps_list="$nps_list $nps"
		secs_sum=$(fcalc "print $secs_sum + $P_SECS")
		ntf_sum=$((ntf_sum + P_NOTIFY)) fail_sum=$((fail_sum + P_FAIL))
	done
	cpu_snap >"$wd/ntf.cpu1"
	m1=$(sys_ticks)
	settle 30 >/dev/null
	snap >"$wd/ntf.snap1"
	R[$MODE.ntf_rounds]=${nps_list# }
	R[$MODE.ntf_nps]=$(printf '%s\n' $nps_list | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	R[$MODE.ntf_recv]=$ntf_sum R[$MODE.ntf_fail]=$fail_sum R[$MODE.ntf_secs]=$secs_sum
	R[$MODE.ntf_kam]=$(cpu_pct "$wd/ntf.cpu0" "$wd/ntf.cpu1" "$secs_sum" kam)
	R[$MODE.ntf_pg]=$(cpu_pct "$wd/ntf.cpu0" "$wd/ntf.cpu1" "$secs_sum" pg)
	[ "$MODE" = single ] && R[$MODE.ntf_pg]="-"
	R[$MODE.ntf_mach]=$(machine_busy "$m0" "$m1")
	R[$MODE.ntf_pgx]=$(delta "$wd/ntf.snap0" "$wd/ntf.snap1" pgx)
	R[$MODE.ntf_pgx_per]=$(per "${R[$MODE.ntf_pgx]}" "$(delta "$wd/ntf.snap0" "$wd/ntf.snap1" notify_sent)")
	cost ntf "$wd/ntf.snap0" "$wd/ntf.snap1" notify_sent
}

# cost KEY SNAP0 SNAP1 PER: the KDMQ counts between two snapshots, per
# PER (a counter: notify_sent or completed)
cost() {
	local k=$1 a=$2 b=$3 per_name=$4 sent recv all hel per_n ul
	per_n=$(delta "$a" "$b" "$per_name")
	sent=$(delta "$a" "$b" dmq_sent)
	recv=$(delta "$a" "$b" dmq_received)
	all=$(delta "$a" "$b" kdmq)
	hel=$(delta "$a" "$b" hellos)
	ul=$((all - recv))
	R[$MODE.$k.per]=$per_n R[$MODE.$k.sent]=$sent R[$MODE.$k.recv]=$recv R[$MODE.$k.all]=$all
	R[$MODE.$k.hellos]=$hel R[$MODE.$k.usrloc]=$ul
	R[$MODE.$k.notify]=$(delta "$a" "$b" notify_sent)
	R[$MODE.$k.reauth_per]=$(per "$sent" "$per_n")
	R[$MODE.$k.reauth_nohello_per]=$(per "$((sent - hel))" "$per_n")
	R[$MODE.$k.usrloc_per]=$(per "$ul" "$per_n")
	R[$MODE.$k.all_per]=$(per "$all" "$per_n")
	R[$MODE.$k.uac]=$(delta "$a" "$b" uac)
}

# --- 2 mass re-authentication ---

declare -A MASS_CNT
declare -A MASS_FIRST

run_mass() {
	local wd="$OUT/$MODE" g d n0 ready=0 c0 t_done="" t1 prev=-1 prev_t=$SECONDS deadline
	local ue_pids="" trig_pids="" wait_ms guard note=""
	MASS_CNT[a]=$((MASS_N / 2)) MASS_CNT[b]=$((MASS_N - MASS_N / 2))
	MASS_FIRST[a]=0 MASS_FIRST[b]=$((MASS_N / 2))
	wait_ms=$(((MASS_N / REG_RATE + 240) * 1000))
	guard=$((MASS_N / REG_RATE + 400 + MASS_MAX))
	n0=$(sum_stat notify_sent)
	for g in a b; do
		mass_csv "${MASS_FIRST[$g]}" "${MASS_CNT[$g]}" >"$wd/mass-$g.csv"
		port "UE_PORT[m$g]"
		timeout $guard sipp "$IP:${NODE_PORT[$(node_of $g)]}" -sf "$SIPP_DIR/reauth_ue.xml" -i "$IP" -p "${UE_PORT[m$g]}" \
			-inf "$wd/mass-$g.csv" -key domain "$DOMAIN" -key expires $REG_EXPIRES \
			-m "${MASS_CNT[$g]}" -r $((REG_RATE / 2 > 0 ? REG_RATE / 2 : 1)) -rp 1000 -l "${MASS_CNT[$g]}" \
			-recv_timeout $wait_ms -aa -buff_size $SIPP_BUF -nostdin -trace_logs -log_file "$wd/mass-ue-$g.log" \
			-trace_screen -screen_file "$wd/mass-ue-$g.screen" -trace_err -error_file "$wd/mass-ue-$g.err" \
			>"$wd/mass-ue-$g.out" 2>&1 &
		ue_pids="$ue_pids $!"
		BG_PIDS="$BG_PIDS $!"
	done
	# ready: every initial NOTIFY sent (or no progress for 20 s)
	t1=$(now)
	deadline=$((SECONDS + MASS_N * 3 / REG_RATE + 60))
	while :; do
		c0=$(($(sum_stat notify_sent) - n0))
		[ "$c0" -ge "$MASS_N" ] && break
		if [ "$c0" != "$prev" ]; then prev=$c0 prev_t=$SECONDS; fi
		if [ $SECONDS -ge $deadline ] || [ $((SECONDS - prev_t)) -ge 20 ]; then
			note="only $c0 of $MASS_N initial NOTIFYs"
			break
		fi
		sleep 0.2
	done
	settle 30 >/dev/null
	R[$MODE.mass_reg_secs]=$(fcalc "printf \"%.1f\", $(now) - $t1")
	# the users whose UE is subscribed and waiting
	for g in a b; do
		awk '$1 == "S" { print $2 ";-" }' "$wd/mass-ue-$g.log" 2>/dev/null | { echo SEQUENTIAL; cat; } >"$wd/trigger-$g.csv"
		MASS_READY[$g]=$(($(wc -l <"$wd/trigger-$g.csv") - 1))
		ready=$((ready + MASS_READY[$g]))
	done
	R[$MODE.mass_ready]=$ready
	echo "# $MODE mass: $ready of $MASS_N UEs registered and subscribed in ${R[$MODE.mass_reg_secs]} s${note:+ ($note)}"
	[ "$ready" -gt 0 ] || { R[$MODE.mass_status]="no UE ready${note:+: $note}"; stop_bg; return 1; }

	# the trigger: every group's node for its own users, at once
	snap >"$wd/mass.snap0"
	cpu_snap >"$wd/mass.cpu0"
	local m0 m1 tc0 tc1
	m0=$(sys_ticks)
	tc0=$(now)
	c0=$(sum_stat reauth_completed)
	for g in a b; do
		[ "${MASS_READY[$g]}" -gt 0 ] || continue
		timeout $((60 + MASS_N / 50 + MASS_MAX)) sipp "$IP:${NODE_PORT[$(node_of $g)]}" -sf "$SIPP_DIR/reauth_trigger.xml" \
			-i "$AS_IP" -p "$([ $g = a ] && echo "$AS_PORT_A" || echo "$AS_PORT_B")" -inf "$wd/trigger-$g.csv" -key domain "$DOMAIN" \
			-m "${MASS_READY[$g]}" -r "$TRIG_RATE" -rp 1000 -l $((TRIG_LIMIT / 2 > 0 ? TRIG_LIMIT / 2 : 1)) -buff_size $SIPP_BUF \
			-nostdin -trace_logs -log_file "$wd/trigger-$g.log" -trace_screen -screen_file "$wd/trigger-$g.screen" \
			-trace_err -error_file "$wd/trigger-$g.err" >"$wd/trigger-$g.out" 2>&1 &
		trig_pids="$trig_pids $!"
		BG_PIDS="$BG_PIDS $!"
	done
	local done_n=0 t_inc=""
	prev=-1 prev_t=$SECONDS
	deadline=$((SECONDS + MASS_MAX))
	while :; do
		t1=$(now)
		done_n=$(($(sum_stat reauth_completed) - c0))
		echo "$t1 $done_n" >>"$wd/mass.poll"
		if [ "$done_n" -ge "$ready" ]; then t_done=$t1; break; fi
		if [ "$done_n" != "$prev" ]; then prev=$done_n prev_t=$SECONDS t_inc=$t1; fi
		[ $((SECONDS - prev_t)) -ge 30 ] && break
		[ $SECONDS -ge $deadline ] && break
		sleep 0.1
	done
	cpu_snap >"$wd/mass.cpu1"
	m1=$(sys_ticks)
	tc1=$(now)
	for g in $trig_pids; do wait_pid "$g" 30 || stop_pid "$g"; done
	for g in $ue_pids; do wait_pid "$g" 60 || { note="UE sipp still running 60 s after the end: stopped"; stop_pid "$g"; }; done
	settle 30 >/dev/null
	snap >"$wd/mass.snap1"
	BG_PIDS=""

	# times: T (MESSAGE sent), N (NOTIFY received) per user
	awk '$1 == "T" || $1 == "N" { printf "%s %s %.6f\n", $1, $2, $3 + $4 / 1e6 }' \
		"$wd"/trigger-?.log "$wd"/mass-ue-?.log 2>/dev/null >"$wd/mass.times"
	local T_FIRST
	T_FIRST=$(awk '$1 == "T" { if (!n || $3 < t) t = $3; n++ } END { printf "%.6f", t }' "$wd/mass.times")
	awk '$1 == "T" { t[$2] = $3 } $1 == "N" { n[$2] = $3 } END { for (u in n) if (u in t) print n[u] - t[u] }' \
		"$wd/mass.times" | sort -g >"$wd/mass.latency"
	local t_end=${t_done:-${t_inc:-$T_FIRST}} rn
	rn=$(delta "$wd/mass.snap0" "$wd/mass.snap1" reauth_notify_sent)
	R[$MODE.mass_done]=$done_n
	R[$MODE.mass_end]=$(fcalc "printf \"%.3f\", $t_end - $T_FIRST")
	R[$MODE.mass_cps]=$(fcalc "d = $t_end - $T_FIRST; printf \"%.0f\", (d > 0 ? $done_n / d : 0)")
	R[$MODE.mass_nps]=$(fcalc "d = $t_end - $T_FIRST; printf \"%.0f\", (d > 0 ? $rn / d : 0)")
	R[$MODE.mass_rnotify]=$rn
	R[$MODE.mass_p50]=$(percentile 50 "$wd/mass.latency" | awk '{ printf ($1 == "-" ? "-" : "%.1f"), 1000 * $1 }')
	R[$MODE.mass_p99]=$(percentile 99 "$wd/mass.latency" | awk '{ printf ($1 == "-" ? "-" : "%.1f"), 1000 * $1 }')
	local secs
	secs=$(fcalc "printf \"%.3f\", $tc1 - $tc0")
	R[$MODE.mass_kam]=$(cpu_pct "$wd/mass.cpu0" "$wd/mass.cpu1" "$secs" kam)
	R[$MODE.mass_pg]=$(cpu_pct "$wd/mass.cpu0" "$wd/mass.cpu1" "$secs" pg)
	[ "$MODE" = single ] && R[$MODE.mass_pg]="-"
	R[$MODE.mass_mach]=$(machine_busy "$m0" "$m1")
	R[$MODE.mass_pgx]=$(delta "$wd/mass.snap0" "$wd/mass.snap1" pgx)
	R[$MODE.mass_pgx_per]=$(per "${R[$MODE.mass_pgx]}" "$(delta "$wd/mass.snap0" "$wd/mass.snap1" completed)")
	local ok fail tf=0 uf=0
	for g in a b; do
		read -r ok fail _ < <(sipp_counts "$wd/trigger-$g.screen")
		tf=$((tf + fail))
		read -r ok fail _ < <(sipp_counts "$wd/mass-ue-$g.screen")
		uf=$((uf + fail))
	done
	R[$MODE.mass_fail]="trigger $tf, UEs $uf"
	if [ -n "$t_done" ]; then
		R[$MODE.mass_status]="all $ready completed${note:+; $note}"
	else
		R[$MODE.mass_status]="NOT all completed: $done_n of $ready${note:+; $note}"
	fi
	cost mass "$wd/mass.snap0" "$wd/mass.snap1" completed
	echo "# $MODE mass re-authentication: $done_n of $ready completed at ${R[$MODE.mass_end]} s:" \
		"${R[$MODE.mass_cps]} completions/s, ${R[$MODE.mass_nps]} NOTIFY/s, trigger->NOTIFY p50 ${R[$MODE.mass_p50]} ms p99 ${R[$MODE.mass_p99]} ms"
}

declare -A MASS_READY

# the end of a mode: logs read, nodes stopped
finish_mode() {
	local wd="$OUT/$MODE" n l
	for n in $NODES; do kc "$n" stats.get_statistics all >"$wd/stats-$n.txt" 2>&1; done
	stop_nodes
	R[$MODE.errors]=0 R[$MODE.crash]=0
	# (before the stop: at a stop tcp_main logs "receive_fd(): EOF" at
	# CRITICAL level as its children end)
	for l in "$wd"/kamailio-*.log; do
		R[$MODE.errors]=$((R[$MODE.errors] + $(grep -c ' ERROR: ' "$l")))
		R[$MODE.crash]=$((R[$MODE.crash] + $(awk '/sig_usr\(\): signal 15 received/ { exit }
			/CRITICAL|segfault|[^E]BUG:|exited by a signal/ { n++ } END { print n + 0 }' "$l")))
	done
	R[$MODE.toperr]=$(cat "$wd"/kamailio-*.log | grep -E ' (ERROR|CRITICAL|ALERT): ' \
		| sed -E 's/^ *[0-9]+\([0-9]+\) //; s/\{[^}]*\} //; s/[0-9]+/#/g' | sort | uniq -c | sort -rn | head -5)
}

# --- run ---

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
T_START=$SECONDS
for MODE in $MODES; do
	echo "# mode $MODE: notifier N=$NTF_N, mass N=$MASS_N, work dir $OUT/$MODE"
	setup_mode
	echo "# $MODE: nodes $(for n in $NODES; do printf '%s=%s:%s ' "$n" "$IP" "${NODE_PORT[$n]}"; done)on ${R[$MODE.db]}"
	run_notifier
	run_mass
	finish_mode
	echo "# mode $MODE done, $((SECONDS - T_START)) s since the start"
done
stop_bg
[ "$PG_STARTED" = 1 ] && { pg_ destroy >>"$OUT/pg.out" 2>&1; PG_STARTED=0; }

# --- results ---

S=single P=pool
# a row: the label, the value of each mode run, pool/single
row() {
	local label=$1 key=$2 m
	printf "%-34s" "$label"
	for m in $MODES; do printf " %14s" "${R[$m.$key]:--}"; done
	printf " %11s %11s\n" "$(ratio "${R[$P.$key]:--}" "${R[$S.$key]:--}")" \
		"$(ratio "${R[$P.$key]:--}" "${R[single-pg.$key]:--}")"
}
# a row of two figures a mode, no ratio
row2() {
	local label=$1 k1=$2 k2=$3 m
	printf "%-34s" "$label"
	for m in $MODES; do printf " %14s" "${R[$m.$k1]:--}/${R[$m.$k2]:--}"; done
	printf "\n"
}
{
	echo "two-node benchmark (issue 12): $(kamailio -v 2>/dev/null | awk '/^version:/ { print $2, $3 }')," \
		"reauth $(git -C "$TOP" rev-parse --short HEAD 2>/dev/null)$(
			[ -n "$(git -C "$TOP" status --porcelain -- modules/reauth etc 2>/dev/null)" ] && echo " (modified)");" \
		"$(nproc) CPUs, load before start $LOAD0; $(date -u +%Y-%m-%dT%H:%MZ)$([ "$QUICK" = 1 ] && echo "; QUICK MODE")"
	echo "  single = one node of etc/kamailio.cfg on ${R[single.db]:-sqlite (not run)}"
	echo "  single-pg = the same node on PostgreSQL (-A WITH_POSTGRES): what the database alone changes"
	echo "  pool   = two nodes A, B of etc/kamailio.cfg -A WITH_POSTGRES -A WITH_CLUSTER on ${R[pool.db]:-PostgreSQL (not run)},"
	echo "           Kamailio's tables shared, the module's one database per node; dmq + dmq_usrloc, reauth dmq 1"
	echo "  every node: children $WORKERS, -m ${R[single.shm_mb]:-${R[pool.shm_mb]:-?}} -M 8 ${KAM_ARGS:-(no options)}, shm_force_alloc, usrloc in memory (db_mode 0),"
	echo "           reauth workers 1 (the cfg's), hash tables for $((NTF_N + MASS_N)) users; all on 127.0.0.1 of one machine"
	echo "  users in two halves: group a through node A only, group b through node B only (single: both to the one node)"
	echo "  notifier: N=$NTF_N UEs (run.sh's reauth workload), two sipps with -l $((LIMIT / 2)) each, $ROUNDS measured round(s)"
	echo "  mass re-authentication: N=$MASS_N users, two UE sipps (-r $((REG_RATE / 2)) each), two trigger sipps"
	echo "           (MESSAGE X-Reauth-Identity, -l $((TRIG_LIMIT / 2)) each), each node triggered for its own users"
	echo "  The pool's two nodes and PostgreSQL share the $(nproc) CPUs the single node has alone: pool/single"
	echo "  is what the pool costs on one machine, not what two machines would do."
	echo
	printf "%-34s" ""
	for m in $MODES; do printf " %14s" "$m"; done
	printf " %11s %11s\n" "pool/single" "pool/1pg"
	printf "%-34s" ""
	for m in $MODES; do
		case $m in single) d="1 node,sqlite" ;; single-pg) d="1 node,pg" ;; pool) d="2 nodes,pg" ;; esac
		printf " %14s" "($d)"
	done
	printf "\n"
	row "notifier NOTIFY/s (median round)" ntf_nps
	row "mass completions/s" mass_cps
	row "mass re-auth NOTIFY/s" mass_nps
	row "mass trigger->NOTIFY p50 ms" mass_p50
	row "mass trigger->NOTIFY p99 ms" mass_p99
	row2 "notifier CPU % kamailio/pg" ntf_kam ntf_pg
	row2 "mass CPU % kamailio/pg" mass_kam mass_pg
	row2 "machine busy % notifier/mass" ntf_mach mass_mach
	row2 "pg transactions /NOTIFY, /compl" ntf_pgx_per mass_pgx_per
	echo
	echo "replication cost in the pool (KDMQ requests, both nodes)"
	printf "%-22s %9s %8s %9s %9s %8s %9s %9s %9s %9s\n" window per "reauth" "received" "hellos" "usrloc" "reauth/x" "-hellos/x" "usrloc/x" "all/x"
	for k in ntf mass; do
		[ -n "${R[$P.$k.per]:-}" ] || continue
		printf "%-22s %9s %8s %9s %9s %8s %9s %9s %9s %9s\n" \
			"$([ $k = ntf ] && echo "notifier rounds" || echo "mass re-auth")" \
			"${R[$P.$k.per]}$([ $k = ntf ] && echo " NTF" || echo " CMP")" "${R[$P.$k.sent]}" "${R[$P.$k.recv]}" \
			"${R[$P.$k.hellos]}" "${R[$P.$k.usrloc]}" "${R[$P.$k.reauth_per]}" "${R[$P.$k.reauth_nohello_per]}" \
			"${R[$P.$k.usrloc_per]}" "${R[$P.$k.all_per]}"
	done
	echo "  x: per NOTIFY sent (NTF, reauth:notify_sent of both nodes) in the notifier rounds, per procedure completed"
	echo "  (CMP, reauth_completed) in the mass re-authentication (each completion: the re-auth NOTIFY and the refresh's)"
	echo "  reauth    the module's KDMQ sent (reauth:dmq_sent, both nodes); received: reauth:dmq_received (both nodes)"
	echo "  hellos    hellos received (reauth.nodes), part of reauth: -hellos/x leaves them out (sub.put/seq/del only)"
	echo "  usrloc    dmq_usrloc's: every KDMQ received (core:rcv_requests - the known methods) - reauth:dmq_received"
	echo "  all       every KDMQ received, both nodes (received > sent: retransmissions of requests answered late)"
	if [ -f "$TOP/var/bench/results.txt" ]; then
		echo "  for reference, test/bench/run.sh's last run (var/bench/results.txt, $(date -u -r "$TOP/var/bench/results.txt" +%Y-%m-%dT%H:%MZ);" \
			"one node, usrloc write-back to sqlite, one sipp -l 200): reauth $(awk '$1 == "reauth" { print $3; exit }' "$TOP/var/bench/results.txt") NOTIFY/s"
	fi
	echo
	echo "notifier NOTIFY/s  NOTIFYs received by both UE sipps / the round's wall time (both sipps); median round"
	echo "completions/s      reauth_completed of all nodes / (first poll (0.1 s) that saw all completed - first MESSAGE)"
	echo "mass NOTIFY/s      reauth_notify_sent of all nodes / the same interval"
	echo "p50, p99           per user: MESSAGE sent -> re-authentication NOTIFY received"
	echo "CPU                all Kamailio processes / PostgreSQL's, % of one CPU, over the measured rounds / trigger to completion"
	echo "pg transactions    PostgreSQL transactions in the mode's databases (pg_stat_database), per NOTIFY sent in the"
	echo "                   notifier rounds, per procedure completed in the mass re-authentication"
	for m in $MODES; do
		echo
		echo "[$m] ${R[$m.db]}; -m ${R[$m.shm_mb]} MB; work dir ${OUT#$TOP/}/$m"
		echo "  notifier: REGISTER ${R[$m.ntf_reg]:--}; SUBSCRIBE ${R[$m.ntf_sub]:--}"
		echo "            rounds NOTIFY/s ${R[$m.ntf_rounds]:--}; ${R[$m.ntf_recv]:--} NOTIFYs received, ${R[$m.ntf_fail]:--} flows failed, ${R[$m.ntf_secs]:--} s"
		echo "            server: notify_sent ${R[$m.ntf.notify]:--}, tm UAC transactions ${R[$m.ntf.uac]:--}, KDMQ reauth sent ${R[$m.ntf.sent]:--}, received ${R[$m.ntf.recv]:--}, all KDMQ received ${R[$m.ntf.all]:--}"
		echo "  mass:     ${R[$m.mass_ready]:--} UEs ready in ${R[$m.mass_reg_secs]:--} s; ${R[$m.mass_status]:--}; end at ${R[$m.mass_end]:--} s"
		echo "            reauth_notify_sent ${R[$m.mass_rnotify]:--}; sipp calls failed: ${R[$m.mass_fail]:--}"
		echo "            server: notify_sent ${R[$m.mass.notify]:--}, tm UAC transactions ${R[$m.mass.uac]:--}, KDMQ reauth sent ${R[$m.mass.sent]:--}, received ${R[$m.mass.recv]:--}, all KDMQ received ${R[$m.mass.all]:--}"
		echo "  kamailio logs: ${R[$m.errors]:--} ERROR lines, ${R[$m.crash]:--} crash lines (CRITICAL, BUG before the stop)"
		[ -n "${R[$m.toperr]:-}" ] && printf '%s\n' "${R[$m.toperr]}" | sed 's/^/    /'
	done
} >"$RESULTS.tmp"
mv "$RESULTS.tmp" "$RESULTS"
cat "$RESULTS"
