#!/usr/bin/env bash
# Benchmark (not a test) of the reg event notifier: the same registrar
# with two reg event stacks, the same sipp workload, a side-by-side table.
#
#   stack "reauth":   etc/kamailio.cfg as is; SUBSCRIBE goes to
#                     reauth_subscribe(), the module's notifier process
#                     sends the NOTIFYs.
#   stack "presence": test/bench/kamailio-presence.cfg; Kamailio's own
#                     presence + presence_reginfo (SUBSCRIBE) fed by pua +
#                     pua_reginfo (usrloc changes PUBLISHed to itself).
#
# Workload for N UEs bench0000..benchN-1@ims.test (digest auth on, each
# its own password), one sipp UA on a pinned port standing for all UEs:
#   phase 1a  REGISTER (401, REGISTER with credentials, 200)
#   phase 1b  SUBSCRIBE Event: reg to the UE's own identity (challenged
#             407 by etc/kamailio.cfg, which authenticates a UE's first
#             SUBSCRIBE like its REGISTER: sent again with the credentials;
#             the presence stack does not challenge), 200 and the
#             initial NOTIFY (either order), answered 200
#   phase 2   (measured) re-REGISTER, same Call-ID, higher CSeq (401,
#             credentials, 200) and the NOTIFY caused by the refresh
#             (either order), answered 200
# Phase 2 is meant to load the machine: the CPU time of the stack's
# Kamailio processes and of sipp over it (/proc), / wall time / CPUs, is
# the busy% of the table; near 100% the run was CPU-bound and notify/s is
# a throughput, well below it the run was latency-bound (raise
# BENCH_LIMIT). The machine's own busy share (/proc/stat) shows what
# other processes took.
# Each phase is one sipp run (-m N -r RATE -l LIMIT); the UEs' contacts
# and Call-IDs are the same in every run (-inf fields, -p, -cid_str), so
# the NOTIFYs of phase 2, sent in the SUBSCRIBE dialogs of phase 1b, land
# in the phase 2 flows. Shared memory (kamcmd core.shmmem) is read after
# start-up, after 1a and after 1b, each time once tm holds no transaction.
# Before measuring, one extra UE (benchcheck) runs the three phases with
# message tracing and its NOTIFYs must carry a reginfo document naming
# its identity and contact, or the benchmark stops.
#
# The DBs of a stack are two sqlite files in var/bench/stack-STACK/, laid
# out as scripts/db-init.sh does for etc/kamailio.cfg: Kamailio's tables
# (with the bench UEs as subscribers) in one, the module tables in the
# other (reauth's, or presence's and pua's). Both stacks get, alike: WAL journal
# mode (as db-init.sh) and a busy timeout on every sqlite connection,
# given by an LD_PRELOAD shim (sqlite_busy.c). Kamailio's db_sqlite sets
# none, so when two processes write one file at once, one write fails
# ("database is locked"): with usrloc write-through in 4 workers most
# REGISTERs then fail with 500 as soon as several are processed at once
# (at -l 100 about 90% in both stacks), which would measure lock
# collisions, not notifiers. BENCH_SQLITE_BUSY_MS=0 shows that behaviour.
#
# Usage: test/bench/run.sh [N]          (N defaults to 1000; 200 with BENCH_QUICK=1)
# Environment:
#   BENCH_QUICK=1          a quick development run: N 200, 1 round, 50 idle flows
#   BENCH_WORKERS=4        children of both stacks
#   BENCH_RATE=100000      sipp rate cap (flows/s), far above what either stack
#                          does (10000 capped the reauth stack at 9653/s)
#   BENCH_LIMIT=200        sipp cap on simultaneous flows (what bounds the load;
#                          100 left the machine 66% busy)
#   BENCH_ROUNDS=3         phase 2 rounds (notify/s: the median round)
#   BENCH_IDLE_FLOWS=200   then this many phase 2 flows one at a time (-l 1),
#                          for the delays without queueing; 0: none
#   BENCH_STACKS="reauth presence [reauth-w2]"
#                          stacks to run, in this order; "presence-wb" is
#                          stack B with presence in write-back mode
#                          (subs_db_mode 2) and memory-only presentities
#                          (publ_cache 2), the least DB work it can do;
#                          "reauth-w2" is stack A with two job workers
#                          (modparam("reauth", "workers", 2) added to a
#                          copy of the cfg), run by default when the
#                          module has that parameter (a grep of its
#                          sources for "workers"), else reported n/a
#   BENCH_REAUTH_DIR=modules/reauth
#                          where reauth.so is (`make build` makes it)
#   BENCH_REAUTH_REV=rev   instead: build git revision rev of the module in
#                          var/bench/build-reauth-REV and use that revision's
#                          etc/kamailio.cfg and etc/reauth-create.sql
#   BENCH_SQLITE_JOURNAL=wal
#                          journal mode of the sqlite files (as db-init.sh);
#                          empty: sqlite's default (rollback journal)
#   BENCH_SQLITE_BUSY_MS=5000
#                          busy timeout given to every sqlite connection of
#                          both stacks by the LD_PRELOAD shim sqlite_busy.c;
#                          0: none, Kamailio's own behaviour (a write that
#                          meets another process's lock fails at once)
#   BENCH_DB_DIR=dir       put the sqlite files in dir, e.g. /dev/shm: no
#                          fsync, so the stacks' CPU cost shows rather than
#                          the disk's (removed at the end)
# Output: the table on stdout and in var/bench/results.txt; everything of
# a stack (kamailio.log, DBs, sipp screens and errors) in
# var/bench/stack-STACK/ (var/bench/reauth/ is test/bench/reauth_bench.sh's).
set -u
. "$(dirname "$0")/bench_lib.sh"

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH="$TOP/test/bench"
OUT="$TOP/var/bench"
KAM_MODULES=${KAM_MODULES:-/usr/lib/x86_64-linux-gnu/kamailio/modules}
SCHEMA=/usr/share/kamailio/db_sqlite
IP=127.0.0.1
DOMAIN=ims.test

QUICK=${BENCH_QUICK:-0}
[ "$QUICK" = 1 ] || QUICK=0
N=${1:-$((QUICK ? 200 : 1000))}
WORKERS=${BENCH_WORKERS:-4}
# kamailio's options, the same for both stacks: tlsf (see reauth_bench.sh)
KAM_ARGS=${BENCH_KAM_ARGS--x tlsf}
RATE=${BENCH_RATE:-100000}
ROUNDS=${BENCH_ROUNDS:-$((QUICK ? 1 : 3))}
IDLE_FLOWS=${BENCH_IDLE_FLOWS:-$((QUICK ? 50 : 200))}
LIMIT=${BENCH_LIMIT:-200}
STACKS=${BENCH_STACKS:-}
JOURNAL=${BENCH_SQLITE_JOURNAL-wal}
BUSY_MS=${BENCH_SQLITE_BUSY_MS:-5000}
DB_DIR=${BENCH_DB_DIR:-}
DB_FILES=""
REAUTH_DIR=${BENCH_REAUTH_DIR:-$TOP/modules/reauth}
REAUTH_SQL="$TOP/etc/reauth-create.sql"
REAUTH_CFG="$TOP/etc/kamailio.cfg"
SHM_MB=256
REG_EXPIRES=600
SUB_EXPIRES=3600
SIPP_TIMEOUT=$((60 + N / 10)) # seconds, a guard per sipp run
# sipp socket buffers (net.core.rmem_max caps it): with sipp's default
# (64 kB) the answers to LIMIT flows started at once overflowed the UEs'
# socket, the UEs retransmitted after 500 ms, and the faster stack
# measured sipp's timer (drops show in the CPU line of the details)
SIPP_BUF=4194304
KAM_PID=""
SIPP_PID=""

case "$N" in
'' | *[!0-9]*) echo "usage: $0 [N]  (N a positive number of UEs)" >&2; exit 2 ;;
esac
[ "$N" -ge 1 ] || { echo "N must be at least 1" >&2; exit 2; }

die() {
	echo "BENCHMARK FAILED: $*" >&2
	stop_kamailio
	exit 1
}

cleanup() {
	[ -n "$SIPP_PID" ] && kill "$SIPP_PID" 2>/dev/null
	stop_kamailio
	local f
	for f in $DB_FILES; do rm -f "$f" "$f-wal" "$f-shm" "$f-journal"; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for t in kamailio kamcmd sipp sqlite3; do
	command -v $t >/dev/null || { echo "$t is not installed (make deps)" >&2; exit 1; }
done
mkdir -p "$OUT"

# --- the reauth module under test ---

if [ -n "${BENCH_REAUTH_REV:-}" ]; then
	rev=$(git -C "$TOP" rev-parse --short "$BENCH_REAUTH_REV") || exit 1
	src="$OUT/build-reauth-$rev"
	if [ ! -f "$src/modules/reauth/reauth.so" ]; then
		echo "# building reauth at $rev in $src"
		rm -rf "$src" && mkdir -p "$src"
		git -C "$TOP" archive "$rev" modules/reauth etc/reauth-create.sql etc/kamailio.cfg | tar -x -C "$src" || exit 1
		make -C "$src/modules/reauth" COREPATH="$TOP/build/kamailio/src" quiet=silent >"$src/build.log" 2>&1 \
			|| { tail -20 "$src/build.log"; exit 1; }
	fi
	REAUTH_DIR="$src/modules/reauth"
	REAUTH_SQL="$src/etc/reauth-create.sql"
	REAUTH_CFG="$src/etc/kamailio.cfg"
	REAUTH_LABEL="reauth@$rev"
else
	REAUTH_LABEL="$REAUTH_DIR/reauth.so"
	if [ "$REAUTH_DIR" = "$TOP/modules/reauth" ]; then
		REAUTH_LABEL="reauth of the working tree ($(git -C "$TOP" rev-parse --short HEAD 2>/dev/null)$(
			[ -n "$(git -C "$TOP" status --porcelain -- modules/reauth etc 2>/dev/null)" ] && echo ", modified"))"
	fi
fi
# the module's job workers parameter: stack reauth-w2 by default
HAS_WORKERS=0
grep -q '"workers"' "$REAUTH_DIR"/*.c 2>/dev/null && HAS_WORKERS=1
if [ -z "$STACKS" ]; then
	STACKS="reauth presence"
	[ "$HAS_WORKERS" = 1 ] && STACKS="reauth presence reauth-w2"
fi

case " $STACKS " in
*" reauth "* | *" reauth-w2 "*)
	[ -f "$REAUTH_DIR/reauth.so" ] || { echo "no $REAUTH_DIR/reauth.so: run make build" >&2; exit 1; } ;;
esac

# --- sqlite busy timeout shim (see sqlite_busy.c) ---

PRELOAD=""
if [ "$BUSY_MS" -gt 0 ] 2>/dev/null; then
	shim="$OUT/sqlite_busy.so"
	if [ ! -f "$shim" ] || [ "$BENCH/sqlite_busy.c" -nt "$shim" ]; then
		cc -O2 -Wall -shared -fPIC -o "$shim" "$BENCH/sqlite_busy.c" -l:libsqlite3.so.0 -ldl \
			|| { echo "cannot build the sqlite busy timeout shim (BENCH_SQLITE_BUSY_MS=0 runs without)" >&2; exit 1; }
	fi
	PRELOAD="$shim"
fi

# --- helpers ---

fsub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }

# shm "used" and "real_used" bytes: prints "USED REAL"
shm_now() {
	kamcmd_ core.shmmem | awk '$1 == "used:" { u = $2 } $1 == "real_used:" { r = $2 } END { print u, r }'
}

# Wait until tm holds no transaction (NOTIFY/PUBLISH transactions stay
# for tm's wait timer after their final reply), so that shared memory
# holds only lasting state. Up to 30 s.
settle() {
	local i cur
	for i in $(seq 1 150); do
		cur=$(kamcmd_ tm.stats 2>/dev/null | awk '$1 == "current:" { print $2 }')
		[ "${cur:-1}" = 0 ] && return 0
		sleep 0.2
	done
	echo "# warning: tm still holds $cur transactions after 30 s" >&2
}

# sqlite_file FILE SQL...: a new sqlite file from the SQL files
sqlite_file() {
	local db=$1 f
	shift
	rm -f "$db" "$db-wal" "$db-shm"
	if [ -n "$JOURNAL" ]; then
		sqlite3 "$db" "PRAGMA journal_mode=$JOURNAL;" >/dev/null || return 1
	fi
	for f in "$@"; do
		sqlite3 "$db" <"$f" || return 1
	done
}

# make_db KIND CFG: the DBs of a stack, laid out as scripts/db-init.sh
# does for etc/kamailio.cfg: KAM_DB with Kamailio's tables and the bench
# UEs (no other subscriber; permissions' address table, which
# etc/kamailio.cfg loads, empty: no source is trusted); KAM_MDB with
# the module tables, reauth's (stack A; in KAM_DB when the cfg has no
# REAUTH_DBURL, as before the split) or presence's and pua's (stack B).
make_db() {
	local kind=$1 cfg=$2 i
	if [ "$kind" = reauth ]; then
		if grep -q REAUTH_DBURL "$cfg"; then
			sqlite_file "$KAM_DB" "$SCHEMA/standard-create.sql" "$SCHEMA/auth_db-create.sql" \
				"$SCHEMA/usrloc-create.sql" "$SCHEMA/dialog-create.sql" \
				"$SCHEMA/permissions-create.sql" || return 1
			sqlite_file "$KAM_MDB" "$SCHEMA/standard-create.sql" "$REAUTH_SQL" || return 1
		else
			sqlite_file "$KAM_DB" "$SCHEMA/standard-create.sql" "$SCHEMA/auth_db-create.sql" \
				"$SCHEMA/usrloc-create.sql" "$SCHEMA/dialog-create.sql" \
				"$SCHEMA/permissions-create.sql" "$REAUTH_SQL" || return 1
		fi
	else
		sqlite_file "$KAM_DB" "$SCHEMA/standard-create.sql" "$SCHEMA/auth_db-create.sql" \
			"$SCHEMA/usrloc-create.sql" "$SCHEMA/dialog-create.sql" \
			"$SCHEMA/permissions-create.sql" || return 1
		sqlite_file "$KAM_MDB" "$SCHEMA/standard-create.sql" "$SCHEMA/presence-create.sql" || return 1
	fi
	{
		echo "BEGIN;"
		for ((i = 0; i < N; i++)); do
			printf "INSERT INTO subscriber (username, domain, password) VALUES ('bench%04d', '%s', 'bench%04d-secret');\n" \
				"$i" "$DOMAIN" "$i"
		done
		echo "INSERT INTO subscriber (username, domain, password) VALUES ('benchcheck', '$DOMAIN', 'benchcheck-secret');"
		echo "COMMIT;"
	} | sqlite3 "$KAM_DB" || return 1
}

# sipp injection file: user;password;contact port
make_inf() {
	local f=$1 port=$2 i
	{
		echo "SEQUENTIAL"
		for ((i = 0; i < N; i++)); do
			printf "bench%04d;bench%04d-secret;%s\n" "$i" "$i" "$port"
		done
	} >"$f"
}

start_kamailio() {
	local cfg=$1 modpath=$2
	LD_PRELOAD="$PRELOAD" BENCH_SQLITE_BUSY_MS="$BUSY_MS" kamailio -DD -E -f "$cfg" -L "$modpath" -Y "$SDIR" -w "$SDIR" \
		-m $SHM_MB -M 8 $KAM_ARGS \
		-A "LISTEN=udp:$IP:$KAM_PORT" -A "DBURL=\"sqlite:///$KAM_DB\"" \
		-A "REAUTH_DBURL=\"sqlite:///$KAM_MDB\"" -A "PRES_DBURL=\"sqlite:///$KAM_MDB\"" \
		-A "CTL_SOCKET=\"$KAM_CTL\"" -A "WORKERS=$WORKERS" \
		-A "SRV_URI=\"sip:$IP:$KAM_PORT\"" $KAM_DEFS \
		>>"$KAM_LOG" 2>&1 &
	KAM_PID=$!
	local i
	for i in $(seq 1 100); do
		kamcmd_ core.version >/dev/null 2>&1 && return 0
		kill -0 "$KAM_PID" 2>/dev/null || { KAM_PID=""; tail -20 "$KAM_LOG"; die "kamailio of $STACK did not start"; }
		sleep 0.1
	done
	tail -20 "$KAM_LOG"
	die "kamailio of $STACK does not answer kamcmd within 10 s"
}

stop_kamailio() {
	[ -n "$KAM_PID" ] || return 0
	local i
	kill "$KAM_PID" 2>/dev/null
	for i in $(seq 1 50); do
		kill -0 "$KAM_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$KAM_PID" 2>/dev/null
	wait "$KAM_PID" 2>/dev/null
	KAM_PID=""
}

# run_sipp NAME SCENARIO BASE_CSEQ INF PORT CALLS [sipp args...]: one sipp
# run to completion in $SDIR/NAME; sets P_SECS (wall time) and P_RC.
run_sipp() {
	local name=$1 scen=$2 cseq=$3 inf=$4 port=$5 calls=$6
	shift 6
	local d="$SDIR/$name" t0 t1
	rm -rf "$d" && mkdir -p "$d"
	t0=$(now)
	(
		cd "$d" || exit 1
		TIMEFORMAT="%U %S"
		{ time timeout $SIPP_TIMEOUT sipp "$IP:$KAM_PORT" -sf "$BENCH/sipp/$scen" \
			-i "$IP" -p "$port" -inf "$inf" -cid_str "bench-%u@%s" -base_cseq "$cseq" \
			-key domain "$DOMAIN" -key expires $REG_EXPIRES -key sub_expires $SUB_EXPIRES \
			-m "$calls" -r "$RATE" -rp 1000 -l "$LIMIT" -buff_size $SIPP_BUF \
			-aa -oocsf "$BENCH/sipp/ooc_notify.xml" -deadcall_wait 0 \
			-nostdin -trace_screen -trace_err "$@" >"$d/sipp.out" 2>&1; } 2>"$d/sipp.cpu"
	) &
	SIPP_PID=$!
	wait $SIPP_PID
	P_RC=$?
	SIPP_PID=""
	P_SIPP_CPU=$(awk '{ printf "%.2f", $1 + $2 }' "$d/sipp.cpu" 2>/dev/null)
	[ $P_RC = 124 ] && echo "# warning: sipp $name was stopped after $SIPP_TIMEOUT s" >&2
	t1=$(now)
	P_SECS=$(fsub "$t1" "$t0")
}

# sipp_stats NAME CALLS: stats of the sipp run in $SDIR/NAME from its
# final screen (and stat.csv, when the run wrote one); sets P_OK P_FAIL
# P_NOTIFY P_RETRANS P_TIMEOUT P_UNEXP P_OOC P_RT_REG P_RT_NOTIFY P_AUTO.
# Flows that did not complete (a run stopped by the guard) count as failed.
sipp_stats() {
	local scr
	scr=$(ls "$SDIR/$1"/*_screen.log 2>/dev/null | head -1)
	if [ -z "$scr" ]; then
		P_OK=0 P_FAIL=$2 P_NOTIFY=0 P_RETRANS=0 P_TIMEOUT=0 P_UNEXP=0 P_OOC=0
		P_RT_REG="" P_RT_NOTIFY="" P_AUTO=0
		return
	fi
	eval "$(sed -E 's/ [BE]-RTD[0-9]+ / /' "$scr" | awk '
		/Successful call/ { split($0, f, "|"); gsub(/ /, "", f[3]); ok = f[3] }
		/Failed call/ { split($0, f, "|"); gsub(/ /, "", f[3]); fail = f[3] }
		/Incoming calls created/ { split($0, f, "|"); gsub(/ /, "", f[3]); ooc = f[3] }
		/<----------/ {
			if ($1 == "NOTIFY") notify += $3
			timeout += $5; unexp += $6
		}
		/---------->/ { retrans += $4 }
		/out-of-call msg/ { for (i = 1; i <= NF; i++) if ($i == "out-of-call") oocd = $(i - 1) }
		END {
			printf "P_OK=%d P_FAIL=%d P_NOTIFY=%d P_RETRANS=%d P_TIMEOUT=%d P_UNEXP=%d P_OOC=%d\n",
				ok, fail, notify, retrans, timeout, unexp, ooc + oocd
		}')"
	# response times (phase 2): mean ms from the authenticated REGISTER to
	# its 200 and to the NOTIFY, and in-call NOTIFYs auto-answered (extra)
	P_RT_REG="" P_RT_NOTIFY="" P_AUTO=0
	if [ -f "$SDIR/$1/stat.csv" ]; then
		eval "$(awk -F';' '
			NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
			{ last = $0 }
			function ms(v, t) { split(v, t, ":"); return ((t[1] * 60 + t[2]) * 60 + t[3]) * 1000 + t[4] / 1000 }
			END {
				split(last, f, ";")
				if (col["ResponseTimereg200(C)"]) printf "P_RT_REG=%.0f ", ms(f[col["ResponseTimereg200(C)"]])
				if (col["ResponseTimenotify(C)"]) printf "P_RT_NOTIFY=%.0f ", ms(f[col["ResponseTimenotify(C)"]])
				if (col["AutoAnswered(C)"]) printf "P_AUTO=%d", f[col["AutoAnswered(C)"]]
				print ""
			}' "$SDIR/$1/stat.csv")"
	fi
	[ $((P_OK + P_FAIL)) -lt "$2" ] && P_FAIL=$(($2 - P_OK))
}

# UDP datagrams the kernel dropped for a full socket receive buffer, all
# sockets of the machine (/proc/net/snmp Udp: RcvbufErrors)
udp_drops() {
	awk '$1 == "Udp:" { if (!h) { for (i = 2; i <= NF; i++) c[$i] = i; h = 1 } else { print $c["RcvbufErrors"]; exit } }' /proc/net/snmp
}

# CPU time (clock ticks) of every Kamailio process: "PID TICKS DESCRIPTION"
cpu_snap() {
	kamcmd_ core.ps 2>/dev/null | paste - - | while IFS=$'\t' read -r pid dsc; do
		[ -r "/proc/$pid/stat" ] || continue
		echo "$pid $(awk '{ print $14 + $15 }' "/proc/$pid/stat") $dsc"
	done
}

# cpu_busy BEFORE AFTER SECONDS: the busiest processes between two
# snapshots, as percent of one CPU over SECONDS
cpu_busy() {
	awk -v secs="$3" -v hz="$(getconf CLK_TCK)" '
		NR == FNR { t0[$1] = $2; next }
		{
			d = $2 - t0[$1]
			dsc = ""; for (i = 3; i <= NF; i++) dsc = dsc (i > 3 ? " " : "") $i
			sub(/ sock=.*/, "", dsc)
			if (dsc ~ /^udp receiver/) { workers += d; if (d > wmax) wmax = d; nw++ }
			else if (d > 0) printf "%s: %.0f%%\n", dsc, 100 * d / hz / secs
		}
		END {
			if (nw) printf "%d SIP workers: %.0f%% (busiest %.0f%%)\n", nw,
				100 * workers / hz / secs, 100 * wmax / hz / secs
		}' "$1" "$2" | sort -t: -k2 -rn | head -5 | paste -sd ';' | sed 's/;/; /g'
}

# the body of the last NOTIFY in a sipp -trace_msg log
last_notify() {
	awk '
		/^-+ [0-9]/ { inmsg = 0 }
		/^NOTIFY sip:/ { inmsg = 1; msg = "" }
		inmsg { msg = msg $0 "\n" }
		END { printf "%s", msg }' "$1"
}

# --- sanity: one UE, traced; its NOTIFYs must be real reginfo ---

sanity_check() {
	local port inf d msg what
	port=$(free_port)
	inf="$SDIR/check.csv"
	printf "SEQUENTIAL\nbenchcheck;benchcheck-secret;%s\n" "$port" >"$inf"
	for what in "check-reg ue_register.xml 1" "check-sub ue_subscribe.xml 10" "check-rereg ue_reregister.xml 20"; do
		set -- $what
		run_sipp "$1" "$2" "$3" "$inf" "$port" 1 -trace_msg -cid_str "check-%u@%s"
		[ "$P_RC" = 0 ] || die "$STACK: sanity flow $1 ($2) failed (sipp exit $P_RC):
$(tail -c 1500 "$SDIR/$1"/*_errors.log 2>/dev/null)
--- kamailio.log:
$(tail -15 "$KAM_LOG")"
	done
	for what in check-sub check-rereg; do
		msg=$(last_notify "$SDIR/$what"/*_messages.log)
		printf '%s' "$msg" >"$SDIR/$what.notify.txt"
		printf '%s' "$msg" | grep -qi '^Event: *reg' || die "$STACK: the NOTIFY of $what has no 'Event: reg':
$msg"
		printf '%s' "$msg" | grep -qi '^Content-Type: *application/reginfo+xml' \
			|| die "$STACK: the NOTIFY of $what is not application/reginfo+xml:
$msg"
		printf '%s' "$msg" | grep -q '<reginfo' || die "$STACK: the NOTIFY of $what has no reginfo body:
$msg"
		printf '%s' "$msg" | grep -q "aor=\"sip:benchcheck@$DOMAIN\"" \
			|| die "$STACK: the reginfo of $what does not name sip:benchcheck@$DOMAIN:
$msg"
		printf '%s' "$msg" | grep -q "<uri>sip:benchcheck@$IP:$port" \
			|| die "$STACK: the reginfo of $what does not carry the UE's contact:
$msg"
		printf '%s' "$msg" | grep -q 'state="active"' || die "$STACK: the reginfo of $what has no active state:
$msg"
	done
	# not fatal, but reported: the refresh is named, the version grows
	local v1 v2
	v1=$(grep -o '<reginfo[^>]*version="[0-9]*"' "$SDIR/check-sub.notify.txt" | grep -o '[0-9]*"$' | tr -d '"')
	v2=$(grep -o '<reginfo[^>]*version="[0-9]*"' "$SDIR/check-rereg.notify.txt" | grep -o '[0-9]*"$' | tr -d '"')
	SANITY="reginfo NOTIFYs ok (versions ${v1:-?} then ${v2:-?})"
	if [ -z "$v1" ] || [ -z "$v2" ] || [ "$v2" -le "$v1" ]; then
		SANITY="$SANITY; WARNING: the version does not grow (RFC 3680 watchers discard such NOTIFYs)"
	fi
	if grep -q 'event="refreshed"' "$SDIR/check-rereg.notify.txt"; then
		SANITY="$SANITY; the refresh is event=\"refreshed\""
	else
		SANITY="$SANITY; WARNING: the refresh NOTIFY has no event=\"refreshed\""
	fi
	echo "# $STACK sanity: $SANITY (NOTIFYs in $SDIR/check-*.notify.txt)"
}

# --- one stack ---

declare -A R

run_stack() {
	STACK=$1
	local cfg modpath kind
	KAM_DEFS=""
	case "$STACK" in
	reauth)
		cfg="$REAUTH_CFG"
		modpath="$KAM_MODULES:$REAUTH_DIR"
		kind=reauth
		;;
	reauth-w2)
		# the same with two job workers (one is the default): the cfg
		# copied with modparam("reauth", "workers", 2) after its last
		# reauth modparam
		[ "$HAS_WORKERS" = 1 ] || die "stack reauth-w2: $REAUTH_DIR has no \"workers\" parameter"
		cfg="$OUT/kamailio-reauth-w2.cfg"
		awk '{ l[NR] = $0 } /^modparam\("reauth",/ { last = NR }
			END { for (i = 1; i <= NR; i++) { print l[i]; if (i == last) print "modparam(\"reauth\", \"workers\", 2)" } }' \
			"$REAUTH_CFG" >"$cfg" || die "cannot write $cfg"
		modpath="$KAM_MODULES:$REAUTH_DIR"
		kind=reauth
		;;
	presence)
		cfg="$BENCH/kamailio-presence.cfg"
		modpath="$KAM_MODULES"
		kind=presence
		;;
	presence-wb)
		cfg="$BENCH/kamailio-presence.cfg"
		modpath="$KAM_MODULES"
		kind=presence
		KAM_DEFS="-A PRES_SUBS_DB_MODE=2 -A PRES_PUBL_CACHE=2"
		;;
	*) die "unknown stack $STACK" ;;
	esac
	SDIR="$OUT/stack-$STACK"
	rm -rf "$SDIR" && mkdir -p "$SDIR"
	KAM_DB="$SDIR/bench.sqlite"
	KAM_MDB="$SDIR/module.sqlite"
	if [ -n "$DB_DIR" ]; then
		mkdir -p "$DB_DIR" || die "cannot create $DB_DIR"
		KAM_DB="$DB_DIR/bench-$STACK-$$.sqlite"
		KAM_MDB="$DB_DIR/module-$STACK-$$.sqlite"
		DB_FILES="$DB_FILES $KAM_DB $KAM_MDB"
	fi
	KAM_CTL="unix:$SDIR/ctl.sock"
	KAM_LOG="$SDIR/kamailio.log"
	KAM_PORT=$(free_port)
	local ue_port inf
	ue_port=$(free_port)
	inf="$SDIR/ues.csv"
	make_db "$kind" "$cfg" || die "$STACK: cannot create its sqlite files"
	make_inf "$inf" "$ue_port"

	echo "# $STACK: kamailio on $IP:$KAM_PORT ($cfg), UEs on $IP:$ue_port, N=$N"
	start_kamailio "$cfg" "$modpath"
	sanity_check
	settle
	local shm0 shm1 shm2
	shm0=$(shm_now)

	run_sipp p1a-register ue_register.xml 1 "$inf" "$ue_port" "$N"
	sipp_stats p1a-register "$N"
	R[$STACK.p1a_ok]=$P_OK R[$STACK.p1a_fail]=$P_FAIL R[$STACK.p1a_secs]=$P_SECS
	echo "# $STACK phase 1a (REGISTER): $P_OK ok, $P_FAIL failed, $P_SECS s"
	settle
	shm1=$(shm_now)

	run_sipp p1b-subscribe ue_subscribe.xml 10 "$inf" "$ue_port" "$N"
	sipp_stats p1b-subscribe "$N"
	R[$STACK.p1b_ok]=$P_OK R[$STACK.p1b_fail]=$P_FAIL R[$STACK.p1b_secs]=$P_SECS
	R[$STACK.p1b_notify]=$P_NOTIFY
	echo "# $STACK phase 1b (SUBSCRIBE + NOTIFY): $P_OK ok, $P_FAIL failed, $P_NOTIFY NOTIFYs, $P_SECS s"
	settle
	shm2=$(shm_now)

	# phase 2, ROUNDS times (each round refreshes every binding again);
	# notify/s is the median round, the counts are the sums
	local r nps_list="" rt_reg_list="" rt_ntf_list="" auto=0 secs_sum=0 sipp_cpu=0 ok=0 fail=0 notify=0 tmo=0 unexp=0 retr=0 ooc=0
	cpu_snap >"$SDIR/cpu0"
	local sys0 sys1
	sys0=$(head -1 /proc/stat)
	local drops0 drops1
	drops0=$(udp_drops)
	for ((r = 1; r <= ROUNDS; r++)); do
		run_sipp p2-reregister-$r ue_reregister.xml $((10 + 10 * r)) "$inf" "$ue_port" "$N" \
			-trace_stat -fd 3600 -stf stat.csv
		sipp_stats p2-reregister-$r "$N"
		P_NPS=$(awk -v n="$P_NOTIFY" -v s="$P_SECS" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
		echo "# $STACK phase 2 round $r (re-REGISTER + NOTIFY): $P_OK ok, $P_FAIL failed," \
			"$P_NOTIFY NOTIFYs in $P_SECS s: $P_NPS NOTIFY/s; mean ms to 200 ${P_RT_REG:-?}, to NOTIFY ${P_RT_NOTIFY:-?}"
		nps_list="$nps_list $P_NPS"
		rt_reg_list="$rt_reg_list ${P_RT_REG:-0}" rt_ntf_list="$rt_ntf_list ${P_RT_NOTIFY:-0}" auto=$((auto + P_AUTO))
		secs_sum=$(awk -v a="$secs_sum" -v b="$P_SECS" 'BEGIN { print a + b }')
		sipp_cpu=$(awk -v a="$sipp_cpu" -v b="$P_SIPP_CPU" 'BEGIN { print a + b }')
		ok=$((ok + P_OK)) fail=$((fail + P_FAIL)) notify=$((notify + P_NOTIFY))
		tmo=$((tmo + P_TIMEOUT)) unexp=$((unexp + P_UNEXP)) retr=$((retr + P_RETRANS)) ooc=$((ooc + P_OOC))
	done
	cpu_snap >"$SDIR/cpu1"
	sys1=$(head -1 /proc/stat)
	drops1=$(udp_drops)
	R[$STACK.cpu]="$(cpu_busy "$SDIR/cpu0" "$SDIR/cpu1" "$secs_sum"); sipp: $(awk -v c="$sipp_cpu" -v s="$secs_sum" 'BEGIN { printf "%.0f%%", 100 * c / s }')"
	# the whole machine: busy share of all CPUs, and what other processes
	# than this Kamailio and sipp used (% of one CPU): a shared machine
	# disturbs the figures
	local mach own kam
	mach=$(printf '%s\n%s\n' "$sys0" "$sys1" | awk '
		{ idle[NR] = $5 + $6; tot[NR] = 0; for (i = 2; i <= NF; i++) tot[NR] += $i }
		END { d = tot[2] - tot[1]; printf "%.0f", (d > 0 ? 100 * (1 - (idle[2] - idle[1]) / d) : 0) }')
	own=$(awk -v hz="$(getconf CLK_TCK)" -v secs="$secs_sum" -v sc="$sipp_cpu" '
		NR == FNR { t0[$1] = $2; next }
		{ if ($2 > t0[$1]) d += $2 - t0[$1] }
		END { printf "%.0f", (secs > 0 ? 100 * (d / hz + sc) / secs : 0) }' "$SDIR/cpu0" "$SDIR/cpu1")
	kam=$(awk -v hz="$(getconf CLK_TCK)" -v secs="$secs_sum" '
		NR == FNR { t0[$1] = $2; next }
		{ if ($2 > t0[$1]) d += $2 - t0[$1] }
		END { printf "%.0f", (secs > 0 ? 100 * d / hz / secs : 0) }' "$SDIR/cpu0" "$SDIR/cpu1")
	R[$STACK.busy]=$(awk -v o="$own" -v c="$(nproc)" 'BEGIN { printf "%.0f", o / c }')
	R[$STACK.kbusy]=$(awk -v o="$kam" -v c="$(nproc)" 'BEGIN { printf "%.0f", o / c }')
	R[$STACK.mach]=$mach
	R[$STACK.others]=$((mach * $(nproc) - own))
	R[$STACK.cpu]="${R[$STACK.cpu]}; machine: $mach% busy of $(nproc) CPUs, other processes ${R[$STACK.others]}%; UDP datagrams dropped by full receive buffers (machine-wide): $((drops1 - drops0))"
	R[$STACK.ok]=$ok R[$STACK.fail]=$fail R[$STACK.secs]=$secs_sum R[$STACK.notify]=$notify
	R[$STACK.timeout]=$tmo R[$STACK.unexp]=$unexp R[$STACK.retrans]=$retr R[$STACK.ooc]=$ooc
	# one flow at a time: the delays without queueing
	local idle=$((IDLE_FLOWS < N ? IDLE_FLOWS : N))
	R[$STACK.idle_reg]="-" R[$STACK.idle_ntf]="-"
	if [ "$idle" -gt 0 ]; then
		run_sipp p2-idle ue_reregister.xml $((20 + 10 * ROUNDS)) "$inf" "$ue_port" "$idle" \
			-trace_stat -fd 3600 -stf stat.csv -l 1
		sipp_stats p2-idle "$idle"
		echo "# $STACK phase 2, one flow at a time: $P_OK ok, $P_FAIL failed;" \
			"mean ms to 200 ${P_RT_REG:-?}, to NOTIFY ${P_RT_NOTIFY:-?}"
		R[$STACK.idle_reg]=${P_RT_REG:--} R[$STACK.idle_ntf]=${P_RT_NOTIFY:--}
		[ "$P_FAIL" -gt 0 ] && R[$STACK.idle_fail]=$P_FAIL
	fi
	R[$STACK.rounds]=${nps_list# } R[$STACK.auto]=$auto
	R[$STACK.rt_reg]=$(printf '%s\n' $rt_reg_list | awk '{ s += $1 } END { printf "%.0f", s / NR }')
	R[$STACK.rt_ntf]=$(printf '%s\n' $rt_ntf_list | awk '{ s += $1 } END { printf "%.0f", s / NR }')
	R[$STACK.rt_rounds]="to 200:${rt_reg_list}; to NOTIFY:${rt_ntf_list}"
	R[$STACK.nps]=$(printf '%s\n' $nps_list | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')

	# shm per UE: registration only, subscription only, both
	read -r u0 r0 <<<"$shm0"
	read -r u1 r1 <<<"$shm1"
	read -r u2 r2 <<<"$shm2"
	R[$STACK.shm_reg]=$(((u1 - u0) / N)) R[$STACK.shm_sub]=$(((u2 - u1) / N))
	R[$STACK.shm_all]=$(((u2 - u0) / N))
	R[$STACK.rshm_reg]=$(((r1 - r0) / N)) R[$STACK.rshm_sub]=$(((r2 - r1) / N))
	R[$STACK.rshm_all]=$(((r2 - r0) / N))
	R[$STACK.sanity]=$SANITY

	settle
	R[$STACK.srv]=$(kamcmd_ stats.get_statistics all 2>/dev/null \
		| grep -E '^(reauth:(active_subscriptions|notify_sent|notify_failed) |tmx:UAC_transactions|tmx:5xx|sl:5xx)' | tr -s ' \n' ' ')
	kill -0 "$KAM_PID" 2>/dev/null || R[$STACK.died]=1
	stop_kamailio
	# what the log says: error lines, the most frequent kinds
	R[$STACK.errors]=$(grep -c ' ERROR: ' "$KAM_LOG")
	R[$STACK.warnings]=$(grep -c ' WARNING: ' "$KAM_LOG")
	R[$STACK.locked]=$(grep -c 'database is locked' "$KAM_LOG")
	R[$STACK.crash]=$(grep -cE 'CRITICAL|segfault|[^E]BUG:|exited by a signal' "$KAM_LOG")
	R[$STACK.toperr]=$(grep -E ' (ERROR|WARNING|CRITICAL|ALERT): ' "$KAM_LOG" \
		| sed -E 's/^ *[0-9]+\([0-9]+\) //; s/\{[^}]*\} //; s/[0-9]+/#/g' \
		| sort | uniq -c | sort -rn | head -6)
}

# --- run ---

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)

: >"$OUT/results.tmp"
for s in $STACKS; do
	run_stack "$s"
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.2f", a / b; else print "-" }'; }

{
	echo "reg event notifier benchmark: N=$N UEs, WORKERS=$WORKERS, sipp -r $RATE -l $LIMIT, $ROUNDS phase-2 rounds," \
		"$(kamailio -v 2>/dev/null | awk '/^version:/ { print $2, $3 }'), $(nproc) CPUs, load before start $LOAD0"
	echo "sqlite: ${DB_DIR:-var/bench}, journal ${JOURNAL:-default}, busy timeout ${BUSY_MS} ms; kamailio -m $SHM_MB -M 8 ${KAM_ARGS:-(none)}; $(date -u +%Y-%m-%dT%H:%MZ)"
	echo "stack A reauth   = $REAUTH_LABEL with etc/kamailio.cfg"
	echo "stack B presence = presence + presence_reginfo + pua + pua_reginfo, test/bench/kamailio-presence.cfg"
	echo
	printf "%-13s %6s %8s %6s %5s %9s %7s %14s %7s %8s %8s %6s %8s\n" stack flows notify/s busy% kam% notify-ms idle-ms \
		"shm/sub(bytes)" shm/reg sub-only sub-real failed timeouts
	for s in $STACKS; do
		printf "%-13s %6s %8s %6s %5s %9s %7s %14s %7s %8s %8s %6s %8s\n" "$s" "${R[$s.ok]}" "${R[$s.nps]}" "${R[$s.busy]}" \
			"${R[$s.kbusy]}" "${R[$s.rt_ntf]}" "${R[$s.idle_ntf]}" "${R[$s.shm_all]}" "${R[$s.shm_reg]}" \
			"${R[$s.shm_sub]}" "${R[$s.rshm_sub]}" "${R[$s.fail]}" "${R[$s.timeout]}"
	done
	set -- $STACKS
	if [ $# -ge 2 ]; then
		a=$1
		shift
		for b in "$@"; do
			printf "%-13s %6s %8s %6s %5s %9s %7s %14s %7s %8s %8s\n" "ratio A/B" "" "$(ratio "${R[$a.nps]}" "${R[$b.nps]}")" "" "" \
				"$(ratio "${R[$a.rt_ntf]}" "${R[$b.rt_ntf]}")" "$(ratio "${R[$a.idle_ntf]}" "${R[$b.idle_ntf]}")" \
				"$(ratio "${R[$a.shm_all]}" "${R[$b.shm_all]}")" "$(ratio "${R[$a.shm_reg]}" "${R[$b.shm_reg]}")" \
				"$(ratio "${R[$a.shm_sub]}" "${R[$b.shm_sub]}")" \
				"$(ratio "${R[$a.rshm_sub]}" "${R[$b.rshm_sub]}")"
			[ $# -gt 1 ] && echo "  (A = $a, B = $b)"
		done
	fi
	echo
	echo "flows     phase 2 flows completed (re-REGISTER with digest auth, 200, the NOTIFY it causes, 200),"
	echo "          over all rounds (N x $ROUNDS)"
	echo "notify/s  NOTIFYs received by the UEs in a phase 2 round / the round's wall time (median round)"
	echo "busy%     CPU time of the stack's Kamailio processes (/proc/PID/stat) and of sipp over phase 2, / its"
	echo "          wall time / $(nproc) CPUs; kam%: Kamailio alone. Near 100: the run was CPU-bound, notify/s is"
	echo "          what the machine can do; well below: latency-bound ($LIMIT flows in flight did not load it)"
	echo "notify-ms mean time from the authenticated re-REGISTER to its NOTIFY (sipp, all rounds; at"
	echo "          -l $LIMIT flows in flight it includes queueing); idle-ms: the same, one flow at a"
	echo "          time (min(N, $IDLE_FLOWS) flows after the rounds)"
	echo "shm/sub   kamcmd core.shmmem 'used' after phase 1b minus before phase 1a, per UE: one"
	echo "          registration and one subscription; shm/reg = phase 1a (REGISTER only), sub-only = 1b"
	echo "sub-real  the same as sub-only with 'real_used' (the allocator's overhead included): per subscription"
	echo "failed    phase 2 flows failed (any round); timeouts: expected messages not received in 10 s"
	for s in $STACKS; do
		[ "${R[$s.others]:-0}" -gt 30 ] && echo "WARNING: other processes used ${R[$s.others]}% of a CPU during" \
			"phase 2 of $s (a shared machine?): its figures are disturbed"
	done
	echo
	echo "targets (issue 10)"
	if [[ " $STACKS " == *" reauth "* ]]; then
		for b in $STACKS; do
			case "$b" in presence*) ;; *) continue ;; esac
			r=$(ratio "${R[reauth.nps]}" "${R[$b.nps]}")
			echo "  notify/s reauth >= 4 x $b: $(awk -v r="$r" 'BEGIN { print (r ~ /^[0-9.]+$/ ? (r >= 4 ? "yes" : "NO") : "-") }')" \
				"(${R[reauth.nps]} vs ${R[$b.nps]}: $r x; busy% ${R[reauth.busy]} and ${R[$b.busy]}" \
				"of $(nproc) CPUs, machine ${R[reauth.mach]}% and ${R[$b.mach]}%)"
		done
		echo "  shm per subscription (sub-real) <= 512 bytes: $(awk -v v="${R[reauth.rshm_sub]}" 'BEGIN { print (v ~ /^-?[0-9]+$/ ? (v <= 512 ? "yes" : "NO") : "-") }')" \
			"(${R[reauth.rshm_sub]})"
		if [[ " $STACKS " == *" reauth-w2 "* ]]; then
			echo "  workers=2 vs default (1): notify/s ${R[reauth-w2.nps]} vs ${R[reauth.nps]} ($(ratio "${R[reauth-w2.nps]}" "${R[reauth.nps]}") x)"
		else
			echo "  workers=2 vs default (1): n/a$([ "$HAS_WORKERS" = 1 ] || echo " (no \"workers\" parameter in $REAUTH_DIR)")"
		fi
	fi
	for s in $STACKS; do
		echo
		echo "[$s]"
		echo "  phase 1a REGISTER: ${R[$s.p1a_ok]} ok, ${R[$s.p1a_fail]} failed, ${R[$s.p1a_secs]} s;" \
			"phase 1b SUBSCRIBE: ${R[$s.p1b_ok]} ok, ${R[$s.p1b_fail]} failed, ${R[$s.p1b_notify]} NOTIFYs, ${R[$s.p1b_secs]} s"
		echo "  phase 2: NOTIFY/s per round ${R[$s.rounds]}; ${R[$s.notify]} NOTIFYs, ${R[$s.ok]} ok, ${R[$s.fail]} failed," \
			"${R[$s.timeout]} timeouts, ${R[$s.unexp]} unexpected, ${R[$s.retrans]} UE retransmissions," \
			"${R[$s.ooc]} out-of-call, ${R[$s.auto]} extra NOTIFYs auto-answered, ${R[$s.secs]} s"
		echo "  phase 2 mean ms per round, ${R[$s.rt_rounds]}; one flow at a time: to 200" \
			"${R[$s.idle_reg]}, to NOTIFY ${R[$s.idle_ntf]}${R[$s.idle_fail]:+, ${R[$s.idle_fail]} failed}"
		echo "  CPU in phase 2 (% of one CPU): ${R[$s.cpu]}"
		echo "  shm real_used per UE: reg+sub ${R[$s.rshm_all]}, reg ${R[$s.rshm_reg]}, sub ${R[$s.rshm_sub]}"
		echo "  server counters: ${R[$s.srv]}"
		echo "  sanity: ${R[$s.sanity]}"
		echo "  kamailio.log: ${R[$s.errors]} ERROR, ${R[$s.warnings]} WARNING, ${R[$s.locked]} 'database is locked'," \
			"${R[$s.crash]} crash lines${R[$s.died]:+, KAMAILIO DIED during the run}"
		[ -n "${R[$s.toperr]}" ] && printf '%s\n' "${R[$s.toperr]}" | sed 's/^/    /'
	done
} >"$OUT/results.tmp"
mv "$OUT/results.tmp" "$OUT/results.txt"
cat "$OUT/results.txt"
