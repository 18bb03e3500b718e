#!/usr/bin/env bash
# Benchmark (not a test) of mass network-initiated re-authentication: N
# registered UEs, each subscribed to its own reg event, are all asked to
# re-authenticate at once; how fast does the registrar get them through
# (NOTIFY, 200, re-REGISTER with digest)? And, on the same Kamailio, the
# raw stateless message rate (OPTIONS), to put the figures in proportion.
#
# Usage: test/bench/reauth_bench.sh [N...]      (default: 1000 10000)
#
# Per N, one Kamailio with etc/kamailio.cfg (the -A defines of
# test/integration/lib.sh's kam_launch; WORKERS, SHORTENED_EXPIRES and
# REAUTH_TIMEOUT below; -m SHM) on a free port of 127.0.0.1, its two sqlite
# files made by scripts/db-init.sh, the N users u00000..@ims.test inserted
# in one transaction (password <user>-pw). Phases, each bounded in time:
#
#  1 OPTIONS    sipp sends OPTIONS sip:127.0.0.1:PORT (answered 200 by
#               sl_send_reply in the request_route); OPTIONS/s = answered
#               / wall time of the sipp run.
#  2 register   one sipp (test/bench/sipp/reauth_ue.xml, -inf users, all N
#               calls open: -l N, -r REG_RATE): REGISTER 401/200, SUBSCRIBE
#               Event: reg, initial NOTIFY answered; then every call waits
#               for the re-authentication NOTIFY. The benchmark goes on
#               once reauth:active_subscriptions = N, the initial NOTIFYs
#               are sent, and tm holds no transaction (all answered).
#  3 re-auth    the trigger: one sipp (reauth_trigger.xml) sends N MESSAGEs
#               with X-Reauth-Identity (route[REAUTH_REQUEST] of the cfg:
#               reauth_user(), 202), -r TRIGGER_RATE -l TRIGGER_LIMIT: one
#               process, the MESSAGEs as fast as the 202s come back (a loop
#               of kamcmd reauth.user would spawn N processes). Each UE
#               answers its NOTIFY 200 and re-REGISTERs with digest (401,
#               200), then answers the NOTIFY of that refresh. The stats
#               are polled every 0.05 s until reauth_completed reaches N
#               (or stops moving for 30 s).
#  4 pending    shared memory of pending procedures: the UEs are gone, a
#               sipp UAS on their port (reauth_notify_200.xml) answers
#               every NOTIFY 200 and never registers; the same N are
#               triggered again, so N procedures stay pending (awaiting the
#               re-REGISTER, REAUTH_TIMEOUT away). core.shmmem real_used,
#               tm empty, after the NOTIFYs minus before the trigger, / N.
#               Finished procedures of phase 3 are kept by the module for
#               keep_finished (60 s, the default; the cfg does not set it)
#               and then freed: if phase 4 could not end within 58 s of the
#               first phase-3 completion, it first waits until the last
#               one is freed, so that no free falls inside the measurement.
#
# Timing (phase 3) comes from the stats poll and from sipp <log> actions
# with gettimeofday() (epoch, microseconds; one line per event,
# -trace_logs; no message tracing, which at 10000 UEs would cost more
# than it measures):
#   T user  the trigger sipp, just before it sends the MESSAGE
#   N user  the UE sipp, when the re-authentication NOTIFY is received
#   C user  the UE sipp, when the 200 to its authenticated re-REGISTER is
#           received (the UE's view; the module counts the completion a
#           little later, when its notifier process takes the REGISTER's
#           job off its queue)
#   R user  the UE sipp, when the NOTIFY of the refresh is received
# The sipps run on this machine, one clock. Figures:
#   completions/s   reauth:reauth_completed / (first poll that saw all N
#                   completed - first T); the poll has 0.05 s steps plus a
#                   kamcmd round trip
#   NOTIFY/s        reauth:reauth_notify_sent / the same interval; the
#                   details add the NOTIFYs' own span, N lines / (last N -
#                   first T), and the NOTIFYs of every kind (notify_sent)
#   latency         per user N - T (MESSAGE sent -> NOTIFY received),
#                   p50, p99, max over the users that got both
#   trigger/s       (T lines - 1) / (last T - first T): how fast the
#                   MESSAGEs went (each waits for its 202, at most
#                   TRIGGER_LIMIT open)
#   shm/pend        phase 4 (above); the details add real_used right after
#                   the trigger sipp ended in phase 3 minus before it, / N:
#                   every procedure exists then, most still queued for the
#                   notifier (jobs and the first NOTIFY transactions count)
# CPU of every Kamailio process and of the UE sipp is read from /proc
# from the trigger to the last completion (and around phase 1).
#
# Environment (defaults):
#   REAUTH_BENCH_WORKERS=4          children= of the cfg (WORKERS)
#   REAUTH_BENCH_SHM_MB=            -m; default 256, or N/20 MB if larger
#   REAUTH_BENCH_REG_RATE=500       UE calls started per second (phase 2)
#   REAUTH_BENCH_TRIGGER_RATE=20000 MESSAGEs per second at most (phase 3/4)
#   REAUTH_BENCH_TRIGGER_LIMIT=100  MESSAGEs awaiting their 202 at most
#   REAUTH_BENCH_OPTIONS=100000     OPTIONS requests (phase 1)
#   REAUTH_BENCH_OPTIONS_LIMIT=200  OPTIONS awaiting their 200 at most
#   REAUTH_BENCH_PENDING=1          0: skip phase 4
#   REAUTH_BENCH_SQLITE_BUSY_MS=0
#       0: Kamailio as shipped. A number: that busy timeout (ms) for every
#       sqlite connection of Kamailio, by the LD_PRELOAD shim
#       test/bench/sqlite_busy.c (built into the work dir). Kamailio 5.6's
#       db_sqlite sets none, so when two processes write one sqlite file
#       at once, one write fails at once ("database is locked"). With
#       usrloc write-through (db_mode 1, etc/kamailio.cfg before 2447fa2)
#       the SIP workers and the reauth notifier (shortening contacts) all
#       wrote the usrloc file: about half the REGISTERs of 1000 UEs at
#       500/s were answered 500. With write-back (db_mode 2, the cfg now)
#       only the usrloc timer writes that file and only the notifier the
#       module's: no collision, no shim needed. The log is checked for
#       "database is locked" either way.
#   REAUTH_BENCH_OUT=var/bench/reauth   the work and results directory
# Output: a table per N on stdout and in var/bench/reauth/results.txt;
# everything of a run (kamailio.log, sipp logs, polls) in
# var/bench/reauth/nN/. Note: test/bench/run.sh empties var/bench/reauth
# (its stack "reauth") when it starts that stack; do not run both at once
# (this script stops with a message when its work directory disappears).
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH="$TOP/test/bench"
SIPP_DIR="$BENCH/sipp"
OUT=${REAUTH_BENCH_OUT:-$TOP/var/bench/reauth}
KAM_MODULES=${KAM_MODULES:-/usr/lib/x86_64-linux-gnu/kamailio/modules}
IP=127.0.0.1
DOMAIN=ims.test

WORKERS=${REAUTH_BENCH_WORKERS:-4}
SHM_MB_SET=${REAUTH_BENCH_SHM_MB:-}
REG_RATE=${REAUTH_BENCH_REG_RATE:-500}
TRIG_RATE=${REAUTH_BENCH_TRIGGER_RATE:-20000}
TRIG_LIMIT=${REAUTH_BENCH_TRIGGER_LIMIT:-100}
OPT_COUNT=${REAUTH_BENCH_OPTIONS:-100000}
OPT_LIMIT=${REAUTH_BENCH_OPTIONS_LIMIT:-200}
DO_PENDING=${REAUTH_BENCH_PENDING:-1}
BUSY_MS=${REAUTH_BENCH_SQLITE_BUSY_MS:-0}
REG_EXPIRES=3600       # the UEs' registrations outlive the run
SHORTENED_EXPIRES=600  # shortened contacts do not expire during the run
REAUTH_TIMEOUT=600     # nor do pending procedures time out
KEEP_FINISHED=60       # the module's default (etc/kamailio.cfg keeps it)
SIPP_BUF=4194304       # sipp socket buffers (net.core.rmem_max caps it)

if [ $# -eq 0 ]; then set -- 1000 10000; fi
for n in "$@"; do
	case "$n" in
	'' | *[!0-9]*) echo "usage: $0 [N...]  (N: number of UEs, 1..99999)" >&2; exit 2 ;;
	esac
	[ "$n" -ge 1 ] && [ "$n" -le 99999 ] || { echo "N must be 1..99999" >&2; exit 2; }
done
for t in kamailio kamcmd sipp sqlite3 ss awk; do
	command -v $t >/dev/null || { echo "$t is not installed (make deps)" >&2; exit 1; }
done
[ -f "$TOP/modules/reauth/reauth.so" ] || { echo "no modules/reauth/reauth.so: run make build" >&2; exit 1; }
mkdir -p "$OUT"

KAM_PID=""
BG_PIDS=""

stop_pid() {
	local p=$1 i
	[ -n "$p" ] || return 0
	kill "$p" 2>/dev/null || return 0
	for i in $(seq 1 50); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	return 0
}

stop_bg() {
	local p
	for p in $BG_PIDS; do stop_pid "$p"; done
	BG_PIDS=""
}

stop_kamailio() {
	stop_pid "$KAM_PID"
	KAM_PID=""
}

cleanup() {
	stop_bg
	stop_kamailio
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- sqlite busy timeout shim (see the header) ---

PRELOAD=""
UL_DB_MODE=$(sed -n 's/^modparam("usrloc", *"db_mode", *\([0-9]*\)).*/\1/p' "$TOP/etc/kamailio.cfg" | head -1)
SQLITE_NOTE="no busy timeout (Kamailio as shipped)"
if [ "$BUSY_MS" -gt 0 ] 2>/dev/null; then
	if [ ! -f "$BENCH/sqlite_busy.c" ]; then
		echo "# warning: no $BENCH/sqlite_busy.c: running without a sqlite busy timeout" >&2
		BUSY_MS=0
	else
		PRELOAD="$OUT/sqlite_busy.so"
		SQLITE_NOTE="busy timeout $BUSY_MS ms for every connection (LD_PRELOAD test/bench/sqlite_busy.c)"
	fi
fi

# build the shim (again: before every start, the directory may have been
# emptied, and a missing LD_PRELOAD library is only a warning of ld.so)
build_shim() {
	[ -n "$PRELOAD" ] || return 0
	mkdir -p "$OUT"
	if [ ! -f "$PRELOAD" ] || [ "$BENCH/sqlite_busy.c" -nt "$PRELOAD" ]; then
		cc -O2 -Wall -shared -fPIC -o "$PRELOAD" "$BENCH/sqlite_busy.c" -l:libsqlite3.so.0 -ldl || {
			echo "cannot build the sqlite busy timeout shim (REAUTH_BENCH_SQLITE_BUSY_MS=0 runs without)" >&2
			return 1
		}
	fi
}
build_shim || exit 1

# the work directory is gone (test/bench/run.sh empties var/bench/reauth):
# nothing measured from here on would be kept; stop
wd_check() {
	[ -d "$WD" ] && return 0
	echo "BENCHMARK STOPPED: $WD was removed during the run (test/bench/run.sh empties var/bench/reauth" \
		"when it benchmarks its stack \"reauth\"; run one benchmark at a time or set REAUTH_BENCH_OUT)" >&2
	exit 1
}

# --- helpers ---

USED_PORTS=""
free_port() {
	local p tries=0
	while :; do
		p=$((20000 + (RANDOM * 32768 + RANDOM + $$) % 40000))
		tries=$((tries + 1))
		[[ " $USED_PORTS " == *" $p "* ]] && continue
		ss -Hlun "sport = :$p" 2>/dev/null | grep -q . || break
		[ $tries -gt 200 ] && break
	done
	USED_PORTS="$USED_PORTS $p"
	echo "$p"
}

now() { date +%s.%N; }
fcalc() { awk "BEGIN { $1 }"; }

kamcmd_() { kamcmd -s "$KAM_CTL" "$@"; }

# stats_now: sets S_subs S_notify S_started S_completed S_rnotify
# S_rnotify_failed S_failed S_dereg S_cancelled S_refer (one RPC)
stats_now() {
	eval "$(kamcmd_ stats.get_statistics reauth: 2>/dev/null | awk '
		{ v[$1] = $3 }
		END {
			printf "S_subs=%d S_notify=%d S_started=%d S_completed=%d S_rnotify=%d ",
				v["reauth:active_subscriptions"], v["reauth:notify_sent"],
				v["reauth:reauth_started"], v["reauth:reauth_completed"],
				v["reauth:reauth_notify_sent"]
			printf "S_rnotify_failed=%d S_failed=%d S_dereg=%d S_cancelled=%d S_refer=%d\n",
				v["reauth:reauth_notify_failed"], v["reauth:reauth_failed"],
				v["reauth:reauth_deregistered"], v["reauth:reauth_cancelled"],
				v["reauth:refer_sent"]
		}')"
}

shm_real() { kamcmd_ core.shmmem 2>/dev/null | awk '$1 == "real_used:" { print $2 }'; }
tm_current() { kamcmd_ tm.stats 2>/dev/null | awk '$1 == "current:" { print $2 }'; }

# settle [SECONDS]: until tm holds no transaction (a NOTIFY transaction
# stays for tm's wait timer, 5 s, after its 200); 0 when it did
settle() {
	local secs=${1:-30} i cur
	for i in $(seq 1 $((secs * 5))); do
		cur=$(tm_current)
		[ "${cur:-1}" = 0 ] && return 0
		sleep 0.2
	done
	echo "# warning: tm still holds ${cur:-?} transactions after $secs s" >&2
	return 1
}

# sipp_counts SCREENFILE: "OK FAILED" of a finished sipp (final screen)
sipp_counts() {
	awk -F'|' '
		/Successful call/ { s = $3 } /Failed call/ { f = $3 }
		END { gsub(/ /, "", s); gsub(/ /, "", f); print s + 0, f + 0 }' "$1" 2>/dev/null || echo "0 0"
}

alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }

# wait_pid PID SECONDS: until the process ended (reaped); 1 on timeout
wait_pid() {
	local p=$1 secs=$2 i
	for i in $(seq 1 $((secs * 10))); do
		alive "$p" || { wait "$p" 2>/dev/null; return 0; }
		sleep 0.1
	done
	return 1
}

# percentile P FILE (one number per line, sorted): the nearest-rank value
percentile() {
	awk -v p="$1" '{ v[NR] = $1 } END { if (!NR) { print "-"; exit } i = int(NR * p / 100 + 0.999999); if (i < 1) i = 1; if (i > NR) i = NR; print v[i] }' "$2"
}

# cpu_snap [PID NAME [TICKS]]: CPU ticks of every Kamailio process (and
# of process PID; TICKS when it is gone): "PID TICKS DESCRIPTION" lines
cpu_snap() {
	kamcmd_ core.ps 2>/dev/null | paste - - | while IFS=$'\t' read -r pid dsc; do
		[ -r "/proc/$pid/stat" ] || continue
		echo "$pid $(awk '{ print $14 + $15 }' "/proc/$pid/stat") $dsc"
	done
	[ -n "${1:-}" ] || return 0
	local t
	t=$(ticks "$1")
	[ -n "$t" ] || t=${3:-}
	[ -n "$t" ] && echo "$1 $t $2"
	return 0
}

# ticks PID: user + system CPU ticks of a process (empty when gone)
ticks() {
	local st
	[ -n "$1" ] && read -r -a st 2>/dev/null <"/proc/$1/stat" && echo $((st[13] + st[14]))
}

# cpu_busy BEFORE AFTER SECONDS: the busiest processes between two
# snapshots, in percent of one CPU
cpu_busy() {
	awk -v secs="$3" -v hz="$(getconf CLK_TCK)" '
		NR == FNR { t0[$1] = $2; next }
		($1 in t0) {
			d = $2 - t0[$1]; if (d < 0) d = 0
			dsc = ""; for (i = 3; i <= NF; i++) dsc = dsc (i > 3 ? " " : "") $i
			sub(/ sock=.*/, "", dsc)
			if (dsc ~ /^udp receiver/) { w += d; if (d > wmax) wmax = d; nw++; next }
			if (d > 0) printf "%.0f %s %.0f%%\n", d, dsc, 100 * d / hz / secs
		}
		END { if (nw) printf "%.0f %d SIP workers %.0f%% (busiest %.0f%%)\n", w, nw, 100 * w / hz / secs, 100 * wmax / hz / secs }' \
		"$1" "$2" | sort -rn | head -5 | cut -d' ' -f2- | paste -sd ';' | sed 's/;/; /g'
}

start_kamailio() {
	local shm=$1
	build_shim || return 1
	LD_PRELOAD="$PRELOAD" BENCH_SQLITE_BUSY_MS="$BUSY_MS" kamailio -DD -E -f "$TOP/etc/kamailio.cfg" \
		-L "$KAM_MODULES:$TOP/modules/reauth" -Y "$WD" -m "$shm" -M 8 \
		-A "LISTEN=udp:$IP:$KAM_PORT" -A "DBURL=\"sqlite://$KAM_DB\"" \
		-A "REAUTH_DBURL=\"sqlite://$KAM_RDB\"" -A "CTL_SOCKET=\"$KAM_CTL\"" \
		-A "WORKERS=$WORKERS" -A "SHORTENED_EXPIRES=$SHORTENED_EXPIRES" \
		-A "REAUTH_TIMEOUT=$REAUTH_TIMEOUT" >>"$KAM_LOG" 2>&1 &
	KAM_PID=$!
	local i
	for i in $(seq 1 100); do
		kamcmd_ core.version >/dev/null 2>&1 && return 0
		kill -0 "$KAM_PID" 2>/dev/null || { KAM_PID=""; tail -20 "$KAM_LOG"; return 1; }
		sleep 0.1
	done
	tail -20 "$KAM_LOG"
	return 1
}

# the trigger sipp: run_trigger NAME CALLS [background]
run_trigger() {
	local name=$1 calls=$2 bg=${3:-}
	TRIG_PORT=$(free_port)
	timeout $((60 + calls / 50)) sipp "$IP:$KAM_PORT" -sf "$SIPP_DIR/reauth_trigger.xml" \
		-i "$IP" -p "$TRIG_PORT" -inf "$WD/trigger.csv" -key domain "$DOMAIN" \
		-m "$calls" -r "$TRIG_RATE" -rp 1000 -l "$TRIG_LIMIT" -buff_size $SIPP_BUF \
		-nostdin -trace_logs -log_file "$WD/$name.log" -trace_screen -screen_file "$WD/$name.screen" \
		-trace_err -error_file "$WD/$name.err" >"$WD/$name.out" 2>&1 &
	TRIG_PID=$!
	BG_PIDS="$BG_PIDS $TRIG_PID"
	if [ -z "$bg" ]; then
		wait_pid "$TRIG_PID" $((70 + calls / 50))
	fi
}

declare -A R

# --- one N ---

run_n() {
	local N=$1 shm_mb
	WD="$OUT/n$N"
	rm -rf "$WD" && mkdir -p "$WD"
	KAM_DB="$WD/kamailio.sqlite"
	KAM_RDB="$WD/reauth.sqlite"
	KAM_CTL="unix:$WD/ctl.sock"
	KAM_LOG="$WD/kamailio.log"
	KAM_PORT=$(free_port)
	shm_mb=${SHM_MB_SET:-$((N / 20 > 256 ? N / 20 : 256))}
	R[$N.shm_mb]=$shm_mb
	R[$N.status]=ok
	local note=""

	# users: the subscriber DB (db-init.sh + one transaction) and the CSV
	"$TOP/scripts/db-init.sh" "$KAM_DB" "$KAM_RDB" >/dev/null || { R[$N.status]="db-init failed"; return 1; }
	local i
	{
		echo "BEGIN;"
		for ((i = 0; i < N; i++)); do
			printf "INSERT INTO subscriber (username, domain, password) VALUES ('u%05d', '%s', 'u%05d-pw');\n" "$i" "$DOMAIN" "$i"
		done
		echo "COMMIT;"
	} | sqlite3 "$KAM_DB" || { R[$N.status]="cannot insert the users"; return 1; }
	{
		echo "SEQUENTIAL"
		for ((i = 0; i < N; i++)); do printf "u%05d;u%05d-pw\n" "$i" "$i"; done
	} >"$WD/users.csv"

	echo "# N=$N: kamailio on $IP:$KAM_PORT, WORKERS=$WORKERS, -m $shm_mb; work dir $WD"
	start_kamailio "$shm_mb" || { R[$N.status]="kamailio did not start"; KAM_PID=""; return 1; }

	# --- phase 1: OPTIONS ---
	local p t0 t1
	p=$(free_port)
	cpu_snap >"$WD/cpu_options.before"
	t0=$(now)
	( TIMEFORMAT="%U %S"
	  time timeout 120 sipp "$IP:$KAM_PORT" -sf "$SIPP_DIR/reauth_options.xml" -i "$IP" -p "$p" \
		-m "$OPT_COUNT" -r 1000000 -rp 1000 -l "$OPT_LIMIT" -buff_size $SIPP_BUF -nostdin \
		-trace_screen -screen_file "$WD/options.screen" -trace_err -error_file "$WD/options.err" \
		>"$WD/options.out" 2>&1 ) 2>"$WD/options.cpu"
	t1=$(now)
	cpu_snap >"$WD/cpu_options.after"
	R[$N.opt_cpu]=$(cpu_busy "$WD/cpu_options.before" "$WD/cpu_options.after" "$(fcalc "printf \"%.3f\", $t1 - $t0")")
	local ok fail
	read -r ok fail < <(sipp_counts "$WD/options.screen")
	R[$N.opt_ok]=$ok R[$N.opt_fail]=$fail
	R[$N.opt_secs]=$(fcalc "printf \"%.3f\", $t1 - $t0")
	R[$N.opt_rate]=$(fcalc "printf \"%.0f\", $ok / ($t1 - $t0)")
	R[$N.opt_sipp_cpu]=$(awk -v s="${R[$N.opt_secs]}" '{ printf "%.0f%%", 100 * ($1 + $2) / s }' "$WD/options.cpu" 2>/dev/null)
	echo "# N=$N phase 1 OPTIONS: $ok answered, $fail failed in ${R[$N.opt_secs]} s: ${R[$N.opt_rate]}/s (sipp CPU ${R[$N.opt_sipp_cpu]})"
	settle 10 >/dev/null

	# --- phase 2: register + subscribe; the UEs then wait ---
	local ue_port wait_ms guard
	ue_port=$(free_port)
	R[$N.ue_port]=$ue_port
	wait_ms=$(((N / REG_RATE + 240) * 1000))
	guard=$((N / REG_RATE + 400))
	t0=$(now)
	timeout $guard sipp "$IP:$KAM_PORT" -sf "$SIPP_DIR/reauth_ue.xml" -i "$IP" -p "$ue_port" \
		-inf "$WD/users.csv" -key domain "$DOMAIN" -key expires $REG_EXPIRES \
		-m "$N" -r "$REG_RATE" -rp 1000 -l "$N" -recv_timeout $wait_ms -aa -buff_size $SIPP_BUF \
		-nostdin -trace_logs -log_file "$WD/ue.log" -trace_screen -screen_file "$WD/ue.screen" \
		-trace_err -error_file "$WD/ue.err" >"$WD/ue.out" 2>&1 &
	UE_PID=$!
	BG_PIDS="$BG_PIDS $UE_PID"
	local last=-1 last_t=$SECONDS deadline=$((SECONDS + N * 3 / REG_RATE + 60))
	while :; do
		wd_check
		stats_now
		[ "$S_subs" -ge "$N" ] && [ "$S_notify" -ge "$N" ] && break
		if [ "$S_subs" != "$last" ]; then last=$S_subs last_t=$SECONDS; fi
		if ! alive "$UE_PID"; then note="UE sipp ended early"; break; fi
		if [ $SECONDS -ge $deadline ] || [ $((SECONDS - last_t)) -ge 20 ]; then
			note="only $S_subs of $N subscriptions, no progress for $((SECONDS - last_t)) s"
			break
		fi
		sleep 0.2
	done
	t1=$(now)
	R[$N.reg_secs]=$(fcalc "printf \"%.1f\", $t1 - $t0")
	settle 30 >/dev/null
	stats_now
	local target=$S_subs
	R[$N.subs]=$S_subs
	# the users to trigger: those whose UE is subscribed and waiting (all
	# N, unless some failed to register or subscribe)
	{
		echo "SEQUENTIAL"
		awk '$1 == "S" { print $2 ";-" }' "$WD/ue.log" 2>/dev/null
	} >"$WD/trigger.csv"
	local ready=$(($(wc -l <"$WD/trigger.csv") - 1))
	[ "$ready" -lt "$target" ] && target=$ready
	echo "# N=$N phase 2 register+subscribe: $S_subs subscriptions, $S_notify NOTIFYs in ${R[$N.reg_secs]} s${note:+ ($note)}"
	if [ "$target" -lt 1 ]; then
		R[$N.status]="no subscription: $note"
		return 1
	fi
	[ -n "$note" ] && R[$N.status]="$note"
	R[$N.target]=$target

	# --- phase 3: trigger all, until every procedure completed ---
	local shm_before shm_inflight="" t_inflight="" rn0 c0 n0
	shm_before=$(shm_real)
	stats_now
	rn0=$S_rnotify c0=$S_completed n0=$S_notify
	: >"$WD/poll1.txt"
	# the sipp under timeout (its CPU is reported with Kamailio's)
	UE_SIPP=$(ps -o pid= --ppid "$UE_PID" 2>/dev/null | head -1 | tr -d ' ')
	cpu_snap "$UE_SIPP" "UE sipp" >"$WD/cpu1.before"
	local t_cpu0 t_cpu1="" ue_ticks="" ue_ticks_last=""
	t_cpu0=$(now)
	run_trigger trigger1 "$target" bg
	local t_done="" t_inc="" prev_c=-1 prev_t=$SECONDS
	deadline=$((SECONDS + 120 + target / 20))
	while :; do
		wd_check
		t1=$(now)
		ue_ticks=$(ticks "$UE_SIPP") || ue_ticks=$ue_ticks_last
		ue_ticks_last=${ue_ticks:-$ue_ticks_last}
		stats_now
		echo "$t1 $S_started $S_rnotify $S_completed $S_rnotify_failed $S_dereg" >>"$WD/poll1.txt"
		if [ -z "$shm_inflight" ] && ! alive "$TRIG_PID"; then
			# right after the trigger: every procedure exists, most of
			# them still queued for the notifier
			shm_inflight=$(shm_real)
			t_inflight=$(now)
			R[$N.inflight_state]="$((S_started)) started by the notifier, $((S_rnotify - rn0)) NOTIFYs sent, $((S_completed - c0)) completed"
		fi
		if [ $((S_completed - c0)) -ge "$target" ]; then
			t_done=$t1
			cpu_snap "$UE_SIPP" "UE sipp" "$ue_ticks_last" >"$WD/cpu1.after"
			t_cpu1=$(now)
			break
		fi
		if [ "$S_completed" != "$prev_c" ]; then prev_c=$S_completed prev_t=$SECONDS t_inc=$t1; fi
		if ! alive "$TRIG_PID" && [ $((SECONDS - prev_t)) -ge 30 ]; then break; fi
		[ $SECONDS -ge $deadline ] && break
		sleep 0.05
	done
	if [ -z "$t_cpu1" ]; then
		cpu_snap "$UE_SIPP" "UE sipp" "$ue_ticks_last" >"$WD/cpu1.after"
		t_cpu1=$(now)
	fi
	R[$N.cpu]=$(cpu_busy "$WD/cpu1.before" "$WD/cpu1.after" "$(fcalc "printf \"%.3f\", $t_cpu1 - $t_cpu0")")
	wait_pid "$TRIG_PID" 30 || stop_pid "$TRIG_PID"
	# the UEs end with the NOTIFY of their refresh (queued behind the rest)
	wait_pid "$UE_PID" $((60 + target / 50)) || {
		note="UE sipp still running $((60 + target / 50)) s after the last completion: stopped"
		stop_pid "$UE_PID"
	}
	stats_now
	R[$N.completed]=$((S_completed - c0))
	R[$N.rnotify]=$((S_rnotify - rn0))
	R[$N.notify_all]=$((S_notify - n0))
	R[$N.rnotify_failed]=$S_rnotify_failed R[$N.dereg]=$S_dereg R[$N.refer]=$S_refer R[$N.started]=$S_started
	read -r ok fail < <(sipp_counts "$WD/trigger1.screen")
	R[$N.trig_ok]=$ok R[$N.trig_fail]=$fail
	read -r ok fail < <(sipp_counts "$WD/ue.screen")
	R[$N.ue_ok]=$ok R[$N.ue_fail]=$fail

	# times from the sipp logs: T (trigger sent), N (NOTIFY in), C (200 in)
	awk '$1 == "T" || $1 == "N" || $1 == "C" || $1 == "R" { printf "%s %s %.6f\n", $1, $2, $3 + $4 / 1e6 }' \
		"$WD/trigger1.log" "$WD/ue.log" 2>/dev/null >"$WD/times1.txt"
	eval "$(awk '
		$1 == "T" { if (!nt || $3 < t0) t0 = $3; if ($3 > tl) tl = $3; nt++; t[$2] = $3 }
		$1 == "N" { if ($3 > nl) nl = $3; nn++; n[$2] = $3 }
		$1 == "C" { if (!nc || $3 < c0) c0 = $3; if ($3 > cl) cl = $3; nc++ }
		$1 == "R" { if ($3 > rl) rl = $3; nr++ }
		END {
			printf "T_FIRST=%.6f T_LAST=%.6f NT=%d N_LAST=%.6f NN=%d C_FIRST=%.6f C_LAST=%.6f NC=%d R_LAST=%.6f NR=%d\n",
				t0, tl, nt, nl, nn, c0, cl, nc, rl, nr
			for (u in n) if (u in t) print n[u] - t[u] > "'"$WD/latency1.txt"'"
		}' "$WD/times1.txt")"
	sort -g -o "$WD/latency1.txt" "$WD/latency1.txt" 2>/dev/null
	local span
	span=$(fcalc "printf \"%.3f\", $C_LAST - $T_FIRST")
	R[$N.span]=$span
	R[$N.trig_span]=$(fcalc "printf \"%.3f\", $T_LAST - $T_FIRST")
	R[$N.trig_rate]=$(fcalc "d = $T_LAST - $T_FIRST; printf \"%.0f\", (d > 0 ? ($NT - 1) / d : 0)")
	R[$N.nt]=$NT R[$N.nn]=$NN R[$N.nc]=$NC R[$N.nr]=$NR
	R[$N.r_span]=$(fcalc "printf \"%.3f\", ($NR > 0 ? $R_LAST - $T_FIRST : 0)")
	# the end: the first poll that saw every procedure completed (or the
	# last one that saw the count grow)
	local t_end=${t_done:-${t_inc:-$T_FIRST}}
	R[$N.end_span]=$(fcalc "printf \"%.3f\", $t_end - $T_FIRST")
	R[$N.cps]=$(fcalc "d = $t_end - $T_FIRST; printf \"%.0f\", (d > 0 ? ${R[$N.completed]} / d : 0)")
	R[$N.nps]=$(fcalc "d = $t_end - $T_FIRST; printf \"%.0f\", (d > 0 ? ${R[$N.rnotify]} / d : 0)")
	R[$N.cps_ue]=$(fcalc "d = $C_LAST - $T_FIRST; printf \"%.0f\", (d > 0 && $NC > 0 ? $NC / d : 0)")
	R[$N.n_span]=$(fcalc "printf \"%.3f\", $N_LAST - $T_FIRST")
	R[$N.nps_own]=$(fcalc "d = $N_LAST - $T_FIRST; printf \"%.0f\", (d > 0 ? $NN / d : 0)")
	R[$N.lat_n]=$(wc -l <"$WD/latency1.txt")
	R[$N.p50]=$(fcalc "printf \"%.1f\", 1000 * $(percentile 50 "$WD/latency1.txt" | sed 's/^-$/0/')")
	R[$N.p99]=$(fcalc "printf \"%.1f\", 1000 * $(percentile 99 "$WD/latency1.txt" | sed 's/^-$/0/')")
	R[$N.pmax]=$(fcalc "printf \"%.1f\", 1000 * $(percentile 100 "$WD/latency1.txt" | sed 's/^-$/0/')")
	if [ -n "$shm_inflight" ]; then
		R[$N.shm_inflight]=$(((shm_inflight - shm_before) / target))
		R[$N.inflight_at]=$(fcalc "printf \"%.2f\", $t_inflight - $T_FIRST")
	else
		R[$N.shm_inflight]="-" R[$N.inflight_at]="-"
	fi
	echo "# N=$N phase 3 re-authentication: ${R[$N.completed]} completed, ${R[$N.rnotify]} NOTIFYs," \
		"trigger ${R[$N.trig_span]} s, all completed at ${R[$N.end_span]} s: ${R[$N.cps]} completions/s," \
		"latency p50 ${R[$N.p50]} ms p99 ${R[$N.p99]} ms${note:+ ($note)}"
	[ "${R[$N.completed]}" -lt "$target" ] && R[$N.status]="${R[$N.completed]} of $target completed"

	# --- phase 4: pending procedures ---
	R[$N.shm_pending]="-" R[$N.pending_note]="skipped"
	if [ "$DO_PENDING" = 1 ] && [ "$NC" -gt 0 ]; then
		local est nowt waited=""
		settle 30 >/dev/null
		# phase 4 takes about the trigger-to-last-NOTIFY span of phase 3
		# plus two settles; it must end before the first phase-3 record
		# is freed: no procedure ended before the UE got its 200 (C_FIRST),
		# freed KEEP_FINISHED s after it ended (1 s tick, 1 s rounding).
		# Else wait until the last one (ended when the poll saw all
		# completed, t_end) is freed.
		est=$(fcalc "printf \"%.0f\", $N_LAST - $T_FIRST + 15")
		nowt=$(now)
		if fcalc "exit !($nowt + $est > $C_FIRST + $KEEP_FINISHED - 2)"; then
			local w
			w=$(fcalc "w = $t_end + $KEEP_FINISHED + 3 - $nowt; printf \"%.0f\", (w > 0 ? w : 0)")
			echo "# N=$N phase 4: waiting $w s until the module freed the $NC finished procedures of phase 3 (keep_finished $KEEP_FINISHED s)"
			sleep "$w"
			waited="after waiting ${w} s for the finished procedures to be freed"
		fi
		local shm0 shm1 rn1 rf1 dr1 resp_pid
		shm0=$(shm_real)
		stats_now
		rn1=$S_rnotify rf1=$S_refer dr1=$S_dereg
		timeout $((120 + target / 20)) sipp -sf "$SIPP_DIR/reauth_notify_200.xml" -i "$IP" -p "$ue_port" \
			-m "$target" -buff_size $SIPP_BUF -nostdin -trace_logs -log_file "$WD/pending_ue.log" \
			-trace_screen -screen_file "$WD/pending_ue.screen" -trace_err -error_file "$WD/pending_ue.err" \
			>"$WD/pending_ue.out" 2>&1 &
		resp_pid=$!
		BG_PIDS="$BG_PIDS $resp_pid"
		sleep 0.3
		local t4=$SECONDS
		run_trigger trigger2 "$target"
		deadline=$((SECONDS + 60 + target / 20))
		local prev=-1 prev_t=$SECONDS
		while :; do
			wd_check
			stats_now
			[ $((S_rnotify - rn1)) -ge "$target" ] && break
			[ $SECONDS -ge $deadline ] && break
			if [ "$S_rnotify" != "$prev" ]; then prev=$S_rnotify prev_t=$SECONDS; fi
			[ $((SECONDS - prev_t)) -ge 15 ] && break
			sleep 0.2
		done
		settle 30
		shm1=$(shm_real)
		nowt=$(now)
		stats_now
		local pend=$((S_started - S_completed - S_dereg - S_cancelled))
		wait_pid "$resp_pid" 5 || stop_pid "$resp_pid"
		read -r ok fail < <(sipp_counts "$WD/trigger2.screen")
		R[$N.pending]=$pend
		R[$N.shm_pending]=$(((shm1 - shm0) / (pend > 0 ? pend : 1)))
		R[$N.pending_note]="$pend pending (trigger $ok x 202, $((S_rnotify - rn1)) NOTIFYs answered, REFERs $((S_refer - rf1)), de-registered $((S_dereg - dr1))) in $((SECONDS - t4)) s, shm real_used $shm0 -> $shm1${waited:+, $waited}"
		[ $((S_rnotify - rn1)) -lt "$pend" ] && R[$N.pending_note]="${R[$N.pending_note]}; WARNING: fewer NOTIFYs than pending procedures"
		if [ -z "$waited" ] && fcalc "exit !($nowt >= $C_FIRST + $KEEP_FINISHED - 1)"; then
			R[$N.pending_note]="${R[$N.pending_note]}; WARNING: measured after the first finished procedure may have been freed (lower bound)"
		fi
		echo "# N=$N phase 4 pending: ${R[$N.pending_note]}: ${R[$N.shm_pending]} bytes per pending procedure"
	fi

	wd_check
	kill -0 "$KAM_PID" 2>/dev/null || R[$N.status]="KAMAILIO DIED"
	kamcmd_ stats.get_statistics all >"$WD/stats.txt" 2>&1
	R[$N.tm]=$(grep -E '^(tmx:UAC_transactions|tmx:(4|5|6)xx_transactions|sl:(sent_replies|sent_err_replies|5xx_replies)|core:(drop_requests|err_requests)) ' "$WD/stats.txt" | tr -s ' \n' ' ')
	stop_kamailio
	stop_bg
	R[$N.errors]=$(grep -c ' ERROR: ' "$KAM_LOG")
	R[$N.locked]=$(grep -c 'database is locked' "$KAM_LOG")
	R[$N.reg500]=$(grep -c 'stateless error reply used' "$KAM_LOG")
	R[$N.crash]=$(grep -cE 'CRITICAL|segfault|BUG:|exited by a signal' "$KAM_LOG")
	R[$N.toperr]=$(grep -E ' (ERROR|CRITICAL|ALERT): ' "$KAM_LOG" \
		| sed -E 's/^ *[0-9]+\([0-9]+\) //; s/\{[^}]*\} //; s/[0-9]+/#/g' \
		| sort | uniq -c | sort -rn | head -8)
	R[$N.ue_errs]=$(grep -oE "Aborting call on unexpected message[^']*'[^']*': while expecting '[^']*' \(index [0-9]+\), received '[^\r]*" "$WD/ue.err" 2>/dev/null \
		| sed -E "s/Call-Id '[^']*'/Call-Id X/; s/received '(SIP\/2.0 [0-9]+|[A-Z]+ ).*/received '\1/" | sort | uniq -c | sort -rn | head -4)
	return 0
}

# --- run ---

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
T_START=$SECONDS
for n in "$@"; do
	run_n "$n"
	# after an early return too: nothing of this N keeps running
	stop_kamailio
	stop_bg
	echo "# N=$n done (${R[$n.status]}), $((SECONDS - T_START)) s since the start"
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a != "-") printf "%.3f", a / b; else print "-" }'; }

{
	echo "mass re-authentication benchmark: $(kamailio -v 2>/dev/null | awk '/^version:/ { print $2, $3 }')," \
		"reauth $(git -C "$TOP" rev-parse --short HEAD 2>/dev/null)$(
			[ -n "$(git -C "$TOP" status --porcelain -- modules/reauth etc 2>/dev/null)" ] && echo " (modified)"),"
	echo "  etc/kamailio.cfg WORKERS=$WORKERS SHORTENED_EXPIRES=$SHORTENED_EXPIRES REAUTH_TIMEOUT=$REAUTH_TIMEOUT;" \
		"$(nproc) CPUs, load before start $LOAD0; $(date -u +%Y-%m-%dT%H:%MZ)"
	echo "  sqlite: $SQLITE_NOTE; usrloc db_mode ${UL_DB_MODE:-?} in etc/kamailio.cfg"
	echo "  UEs: one sipp, -l N -r $REG_RATE; trigger: one sipp, N MESSAGE X-Reauth-Identity, -r $TRIG_RATE -l $TRIG_LIMIT;" \
		"OPTIONS: one sipp, $OPT_COUNT requests, -l $OPT_LIMIT"
	echo
	printf "%6s %7s %9s %9s %9s %9s %9s %9s %9s %9s %9s %9s\n" N done "trigger/s" "compl/s" "NOTIFY/s" \
		"p50 ms" "p99 ms" "shm/pend" "OPTIONS/s" "compl/OPT" "NTFY/OPT" "fail"
	for n in "$@"; do
		printf "%6s %7s %9s %9s %9s %9s %9s %9s %9s %9s %9s %9s\n" "$n" "${R[$n.completed]:--}" \
			"${R[$n.trig_rate]:--}" "${R[$n.cps]:--}" "${R[$n.nps]:--}" "${R[$n.p50]:--}" "${R[$n.p99]:--}" \
			"${R[$n.shm_pending]:--}" "${R[$n.opt_rate]:--}" \
			"$(ratio "${R[$n.cps]:--}" "${R[$n.opt_rate]:-0}")" "$(ratio "${R[$n.nps]:--}" "${R[$n.opt_rate]:-0}")" \
			"$(( ${R[$n.ue_fail]:-0} + ${R[$n.trig_fail]:-0} ))"
	done
	echo
	echo "done       reauth:reauth_completed in phase 3 (of N triggered)"
	echo "trigger/s  MESSAGEs sent per second by the trigger sipp (first to last send; each waits for its 202)"
	echo "compl/s    reauth_completed / (first stats poll (every 0.05 s) that saw all N completed - first trigger sent)"
	echo "NOTIFY/s   reauth:reauth_notify_sent / the same interval"
	echo "p50, p99   per user: trigger MESSAGE sent -> re-authentication NOTIFY received by the UE"
	echo "shm/pend   bytes of shared memory (real_used) per pending procedure, NOTIFY answered,"
	echo "           re-REGISTER awaited, tm empty (phase 4)"
	echo "OPTIONS/s  stateless 200 to OPTIONS, same Kamailio, one sipp"
	echo "compl/OPT, NTFY/OPT  compl/s and NOTIFY/s divided by OPTIONS/s"
	echo "fail       sipp calls failed: UEs + trigger"
	for n in "$@"; do
		echo
		echo "[N=$n] ${R[$n.status]}; kamailio -m ${R[$n.shm_mb]:-?}; work dir ${OUT#$TOP/}/n$n"
		echo "  phase 2: ${R[$n.subs]:--} subscriptions (REGISTER, SUBSCRIBE, initial NOTIFY) in ${R[$n.reg_secs]:--} s;" \
			"${R[$n.target]:--} UEs ready and triggered"
		echo "  phase 3: trigger ${R[$n.nt]:--} MESSAGEs in ${R[$n.trig_span]:--} s (${R[$n.trig_ok]:--} x 202, ${R[$n.trig_fail]:--} failed);" \
			"UEs got ${R[$n.nn]:--} re-auth NOTIFYs (last at ${R[$n.n_span]:--} s: ${R[$n.nps_own]:--} NOTIFY/s over their own span)"
		echo "           the stats poll saw ${R[$n.completed]:--} completed at ${R[$n.end_span]:--} s; the UEs got ${R[$n.nc]:--} 200s to their" \
			"re-REGISTER, the last at ${R[$n.span]:--} s (${R[$n.cps_ue]:--}/s as the UEs see it)"
		echo "           the UEs got ${R[$n.nr]:--} NOTIFYs of their refresh, the last at ${R[$n.r_span]:--} s;" \
			"NOTIFYs of every kind in phase 3: ${R[$n.notify_all]:--}"
		echo "           latency trigger->NOTIFY over ${R[$n.lat_n]:--} users: p50 ${R[$n.p50]:--} ms, p99 ${R[$n.p99]:--} ms, max ${R[$n.pmax]:--} ms"
		echo "           UE calls ${R[$n.ue_ok]:--} ok, ${R[$n.ue_fail]:--} failed; server: reauth_started ${R[$n.started]:--}," \
			"reauth_notify_sent ${R[$n.rnotify]:--}, reauth_notify_failed ${R[$n.rnotify_failed]:--}," \
			"refer_sent ${R[$n.refer]:--}, deregistered ${R[$n.dereg]:--}"
		echo "           shm right after the trigger: ${R[$n.shm_inflight]:--} bytes per procedure (real_used when the trigger sipp" \
			"ended, ${R[$n.inflight_at]:--} s after the first MESSAGE, minus before; ${R[$n.inflight_state]:--};" \
			"queued jobs and NOTIFY transactions included)"
		echo "           CPU from the trigger to all completed (% of one CPU): ${R[$n.cpu]:--}"
		echo "  phase 4: ${R[$n.pending_note]:--}"
		echo "  phase 1: OPTIONS ${R[$n.opt_ok]:--} answered, ${R[$n.opt_fail]:--} failed in ${R[$n.opt_secs]:--} s;" \
			"CPU (% of one CPU): sipp ${R[$n.opt_sipp_cpu]:--}; ${R[$n.opt_cpu]:--}"
		echo "  counters: ${R[$n.tm]:--}"
		echo "  kamailio.log: ${R[$n.errors]:--} ERROR lines, ${R[$n.locked]:--} 'database is locked'," \
			"${R[$n.reg500]:--} stateless 5xx error replies, ${R[$n.crash]:--} crash lines"
		[ -n "${R[$n.toperr]:-}" ] && printf '%s\n' "${R[$n.toperr]}" | sed 's/^/    /'
		[ -n "${R[$n.ue_errs]:-}" ] && { echo "  UE sipp aborts:"; printf '%s\n' "${R[$n.ue_errs]}" | sed 's/^/    /'; }
	done
} >"$OUT/results.tmp"
mv "$OUT/results.tmp" "$OUT/results.txt"
cat "$OUT/results.txt"
