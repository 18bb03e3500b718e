#!/usr/bin/env bash
# Benchmark (not a test) of mass network-initiated re-authentication: N
# registered UEs, each subscribed to its own reg event, are all asked to
# re-authenticate at once; how fast does the registrar get them through
# (NOTIFY, 200, re-REGISTER with digest)? And, on the same Kamailio, the
# raw stateless message rate (OPTIONS), to put the figures in proportion;
# the delay of triggers at a steady rate; whether REGISTERs of other users
# wait meanwhile; and shared memory: per pending procedure, per UE, and
# its growth over many procedures and subscriptions.
#
# Usage: test/bench/reauth_bench.sh [N...]   (default: 10000 100000;
#                                              BENCH_QUICK=1: 1000)
#
# Per N, one Kamailio with etc/kamailio.cfg (the -A defines of
# test/integration/lib.sh's kam_launch; WORKERS, SHORTENED_EXPIRES,
# REAUTH_TIMEOUT, KEEP_FINISHED below; MAX_SUBSCRIPTIONS and QUEUE_SIZE
# raised to N + 20000 and 2 N + 20000 so that the cfg's limits, 20000
# each, refuse nothing at 100000; -m SHM) on a free port of 127.0.0.1, its
# two sqlite files made by scripts/db-init.sh, the N users u000000..@ims.test
# and the PROBE_USERS users p000000.. (password <user>-pw) inserted in one
# transaction, and one address row: group 2 (an application server, GRP_AS
# of the cfg) for 127.0.0.1 on the one port from which every trigger and
# nothing else is sent (the UEs, also on 127.0.0.1, stay untrusted).
# Phases, each bounded in time:
#
#  1 OPTIONS    sipp sends OPTIONS sip:127.0.0.1:PORT (answered 200 by
#               sl_send_reply in the request_route); OPTIONS/s = answered
#               / wall time of the sipp run.
#  2 register   one sipp (test/bench/sipp/reauth_ue.xml, -inf users, all N
#               calls open: -l N, -r REG_RATE): REGISTER 401/200, SUBSCRIBE
#               Event: reg 407/200 (the cfg challenges it like a REGISTER;
#               only a watcher proven by credentials is the UE, to which a
#               procedure sends its NOTIFY), initial NOTIFY answered; then
#               every call waits for the re-authentication NOTIFY. The
#               benchmark goes on once reauth:active_subscriptions = N, the
#               initial NOTIFYs are sent, and tm holds no transaction (all
#               answered). shm/UE: core.shmmem real_used after minus before
#               (tm empty both times), / N: one registration (usrloc) and
#               one subscription each.
#  3 re-auth    the trigger: one sipp (reauth_trigger.xml) sends N MESSAGEs
#               with X-Reauth-Identity (route[REAUTH_REQUEST] of the cfg:
#               reauth_user(), 202), -r TRIGGER_RATE -l TRIGGER_LIMIT: one
#               process, the MESSAGEs as fast as the 202s come back (a loop
#               of kamcmd reauth.user would spawn N processes). Each UE
#               answers its NOTIFY 200 and re-REGISTERs with digest (401,
#               200), then answers the NOTIFY of that refresh. The stats
#               are polled every 0.05 s until reauth_completed reaches N
#               (or stops moving for 30 s).
#               Meanwhile the REGISTER probe ("SIP workers never wait"): a
#               population of its own, PROBE_USERS users with no
#               subscription, registers (401, 200; reauth_register.xml) at
#               a steady PROBE_RATE per second, from PROBE_IDLE seconds
#               before the trigger until all N completed. Per REGISTER
#               request, the time to its answer (401 or 200); "idle": the
#               registrations started before the first trigger, "mass":
#               those started between the first trigger and the poll that
#               saw all N completed.
#               On the wire (when tcpdump runs, WIRE below): the probe's
#               packets on lo, each REGISTER to its answer as Kamailio sent
#               it: Kamailio's part of the time, without the probe sipp's
#               own delays in sending and in noticing the answer (on 2
#               CPUs shared with the UE sipp those are most of the
#               figure: about 1.1 of the 1.2 ms idle p50).
#  4 steady     triggers at a steady rate: for each RATE of STEADY_RATES,
#               min(N, RATE x STEADY_SECS) users, each once, are triggered
#               by one sipp at -r RATE -l STEADY_LIMIT (so the rate, not
#               the 202s, paces them), the next users each round; the UEs
#               (reauth_ue_again.xml: a sipp UAS on the UEs' port, the UEs
#               of phase 2, registered and subscribed) answer the NOTIFY,
#               re-REGISTER with digest (CSeqs above the earlier ones) and
#               answer the NOTIFY of the refresh: every trigger is a whole
#               procedure, as in phase 3. Per user, trigger MESSAGE sent ->
#               re-authentication NOTIFY received (T and N lines below):
#               p50, p99, max; the rate achieved; the CPU of Kamailio and
#               of the machine over the round. On the wire (WIRE below):
#               per user, its MESSAGE on lo -> the first NOTIFY to it
#               after, Kamailio's part without the two sipps' own delays
#               (tcpdump runs on the same CPUs). Each round waits for all
#               its procedures to complete (or for 10 s without one) and
#               tm to empty, and starts KEEP_FINISHED + 2 s after the last
#               completion before it: the module frees finished
#               procedures KEEP_FINISHED s after they ended, and started
#               right after phase 3 the 500/s round measured p99 250 ms at
#               N=10000, the 1000/s round after it 14 ms (the frees of
#               phase 3's 10000, presumably, fell in the first round).
#               The round's own frees come after it (STEADY_SECS is less
#               than KEEP_FINISHED).
#  5 growth     after phases 3 and 4 (N + the steady triggers: whole
#               trigger/complete cycles) and, when these were fewer than
#               GROWTH_CYCLES, more rounds of all N users (the UAS of
#               phase 4, the trigger at TRIGGER_RATE -l TRIGGER_LIMIT),
#               each until all completed, and KEEP_FINISHED + 3 s more (the
#               module keeps finished procedures that long for reauth.show,
#               then frees them), tm empty: real_used minus real_used right
#               before the first trigger of phase 3 (the UEs and the probe
#               users registered, subscribed, no procedure): what the
#               cycles left behind.
#               The target check gives no verdict when the number of
#               subscriptions changed meanwhile (a flow that failed on a
#               busy machine loses or leaves one, worth its own size).
#  6 sub cycles CYCLES whole subscriptions, one sipp (reauth_sub_cycle.xml,
#               -inf users, -l CYCLE_LIMIT): SUBSCRIBE 407, SUBSCRIBE with
#               credentials, 200, initial NOTIFY, unsubscribe (Expires: 0),
#               200, final NOTIFY. real_used after (tm empty, the UEs'
#               subscriptions of phase 2 still there) minus before, in
#               bytes and per cycle; cycles/s.
#  7 pending    shared memory of pending procedures: the UEs are gone, a
#               sipp UAS on their port (reauth_notify_200.xml) answers
#               every NOTIFY 200 and never registers; the same N are
#               triggered again, so N procedures stay pending (awaiting the
#               re-REGISTER, REAUTH_TIMEOUT away). core.shmmem real_used,
#               tm empty, after the NOTIFYs minus before the trigger, / N.
#               No finished procedure is freed meanwhile: phase 5 waited
#               for the last one.
# Phases 5 to 7 run once, in the run of the first N given (10000 by
# default), with the default workers; a run whose phase 3 did not end
# within MASS_MAX s (see below) skips phases 4 to 7.
#
# Job workers: when the module has a "workers" parameter (a grep of
# modules/reauth/*.c for "workers"), each N of W1_NS runs once more, with
# modparam("reauth", "workers", 2) added to a copy of etc/kamailio.cfg in
# the work dir (the other runs leave the module's default), phases 1 to 4;
# without the parameter those rows say n/a.
#
# Load generators at a lower CPU priority: the UEs (and the trigger, the
# application server) are not on a real S-CSCF; here they share its 2 CPUs
# with it. Each N of LG_NS runs once more (run key <N>lg, phases 1 to 4)
# with every UE and trigger sipp (phases 2 to 4) started under LG_NICE:
# 1..19 nice -n, 20 SCHED_IDLE (chrt --idle 0), the convention of the
# module's worker_nice. The probe sipp, the OPTIONS sipp, Kamailio and
# the benchmark's own polling keep the normal priority. The default run
# of the same N (load generators at normal priority) is in the same
# tables, so both figures are side by side; the header says which runs
# had it.
#
# start_rate: every run has the START_RATE of etc/kamailio.cfg (the
# module's start_rate: procedures started per second at most) but the
# <N>nr runs: each N of NR_NS runs once more (run key <N>nr, phases 1 to
# 4) with START_RATE=0, no limit, every procedure started as soon as its
# trigger is taken: the same tables show what the pace costs in
# completions/s and what it saves in REGISTER latency. "Completions/s no
# worse at the last N than at the first" is checked on both pairs: the
# <N>nr runs as they are; the paced runs on the steady state (10% to 90%
# of N), higher or at the pace (>= 99% of START_RATE), because their
# N/time is the pace plus the first 0.1 s burst and minus the last
# procedure's latency, both a ten times larger share of the smaller N.
#
# Real-time SIP workers: each N of RT_NS runs once more (run key <N>rt,
# phases 1 to 4) with -A SIP_RT_PRIO=RT_PRIO: etc/kamailio.cfg then sets
# Kamailio's real_time=4, every process SCHED_RR at RT_PRIO but the
# module's workers and DB writer (worker_nice 10: one real-time priority
# below); the load generators at normal priority, as in the default run.
#
# Timing (phases 3 and 4) comes from the stats poll and from sipp <log>
# actions with gettimeofday() (epoch, microseconds; one line per event,
# -trace_logs; no message tracing, which at 10000 UEs would cost more
# than it measures):
#   T user  the trigger sipp, just before it sends the MESSAGE
#   N user  the UE sipp, when the re-authentication NOTIFY is received
#   C user  the UE sipp, when the 200 to its authenticated re-REGISTER is
#           received (the UE's view; the module counts the completion a
#           little later, when its notifier process takes the REGISTER's
#           job off its queue)
#   R user  the UE sipp, when the NOTIFY of the refresh is received
#   G user  the probe sipp, per registration: first REGISTER sent, its 401
#           received, second REGISTER sent, its 200 received
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
#   REGISTER p99    phase 3 probe, per REGISTER request, idle and mass;
#                   ratio mass / idle
#   shm/pend        phase 7 (above); the details add real_used right after
#                   the trigger sipp ended in phase 3 minus before it, / N:
#                   every procedure exists then, most still queued for the
#                   notifier (jobs and the first NOTIFY transactions count)
# CPU of every Kamailio process and of the UE sipp is read from /proc
# from the trigger to the last completion (and around phase 1).
# "machine" figures: /proc/stat over the same window, the busy share of
# all CPUs (other processes of a shared machine included).
#
# Environment (defaults; BENCH_QUICK=1 makes a quick development run:
# N 1000, OPTIONS 20000, STEADY_SECS 1, CYCLES 2000, PROBE_IDLE 3):
#   REAUTH_BENCH_WORKERS=4          children= of the cfg (WORKERS)
#   REAUTH_BENCH_SHM_MB=            -m; default 1024, or N/25 MB if larger
#                                   (a backlog of procedures takes 5 to 15
#                                   kB each: 256 MB ran out at 10000; the
#                                   tables show max_used)
#   REAUTH_BENCH_REG_RATE=800       UE calls started per second (phase 2)
#   REAUTH_BENCH_TRIGGER_RATE=20000 MESSAGEs per second at most (phase 3/7)
#   REAUTH_BENCH_TRIGGER_LIMIT=100  MESSAGEs awaiting their 202 at most
#   REAUTH_BENCH_OPTIONS=100000     OPTIONS requests (phase 1)
#   REAUTH_BENCH_OPTIONS_LIMIT=200  OPTIONS awaiting their 200 at most
#   REAUTH_BENCH_PROBE_RATE=100     REGISTER probe, registrations per second;
#                                   0: no probe
#   REAUTH_BENCH_PROBE_IDLE=10      seconds of probe before the trigger
#   REAUTH_BENCH_PROBE_USERS=       the probe's population; default
#                                   PROBE_RATE x PROBE_IDLE / 2 (500): all
#                                   registered twice before the trigger, so
#                                   that phase 5 counts no new registration
#   REAUTH_BENCH_STEADY_RATES="500 1000 2000"   phase 4 rates; "": skip
#   REAUTH_BENCH_DEFINES="NAME=VALUE ..."  more -A defines of etc/kamailio.cfg
#                                   (e.g. MAX_NOTIFY_INFLIGHT=100 REAUTH_WORKERS=1)
#   REAUTH_BENCH_STEADY_SECS=5      phase 4 seconds per rate (users: at most N)
#   REAUTH_BENCH_STEADY_LIMIT=5000  MESSAGEs awaiting their 202 at most
#   REAUTH_BENCH_KEEP_FINISHED=10   keep_finished of the module (KEEP_FINISHED
#                                   of the cfg, 60 there): how long phase 5
#                                   waits; the module's work is the same
#   REAUTH_BENCH_MASS_MAX=300       phase 3 ends after that many seconds even
#                                   when not every procedure completed: the
#                                   run is then "overloaded", its
#                                   completions/s is completed / the time to
#                                   the last completion seen, and phases 4
#                                   to 7 are skipped (the module is still
#                                   working through the backlog)
#   REAUTH_BENCH_GROWTH_CYCLES=100000  phase 5 procedures at least
#   REAUTH_BENCH_CYCLES=100000      phase 6 subscriptions; 0: skip
#   REAUTH_BENCH_CYCLE_LIMIT=200    of them open at once at most
#   REAUTH_BENCH_PENDING=1          0: skip phase 7
#   REAUTH_BENCH_W1=N...            the N of the workers=2 runs (default: the
#                                   first N given, when the module has
#                                   the parameter); "": none
#   REAUTH_BENCH_LG_NICE=20         the load generators' priority in the <N>lg
#                                   runs (above): 1..19 nice, 20 SCHED_IDLE
#   REAUTH_BENCH_LG_NS=N...         the N of the <N>lg runs (default: the
#                                   first N given); "": none
#   REAUTH_BENCH_RT_NS=N...         the N of the <N>rt runs (default: the
#                                   first N given); "": none
#   REAUTH_BENCH_RT_PRIO=10         their SIP_RT_PRIO (SCHED_RR priority)
#   REAUTH_BENCH_NR_NS=N...         the N of the <N>nr runs (default: every
#                                   N given: "no worse at 100000 than at
#                                   10000" is checked on them); "": none
#   REAUTH_BENCH_PROBE_PRIO=5       the probe sipp SCHED_RR at this priority
#                                   (chrt --rr) in every run, so that the
#                                   probe's own wait for a CPU (it shares 2
#                                   CPUs with the UE sipp of 10000 UEs) is
#                                   not counted as the SIP workers'; the
#                                   header says so. Default 5 as root, else
#                                   empty: normal priority (2 CPUs, 10000
#                                   UEs at 3000-3500/s: probe p99 3.1-4.3 ms
#                                   at normal priority, 1.7-2.2 at SCHED_RR)
#   REAUTH_BENCH_WIRE=              1: capture the probe's packets (tcpdump
#                                   on lo, phase 3) and phase 4's triggers
#                                   and NOTIFYs; default 1 when tcpdump
#                                   is installed and this runs as root
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
#   REAUTH_BENCH_KAM_ARGS="-x tlsf"  more options of kamailio (the same for
#                                   the OPTIONS phase). Kamailio's default
#                                   memory manager, qm, looks for a free
#                                   fragment by walking its lists: with tm's
#                                   transactions and 10000 procedures it was
#                                   the first bottleneck (2800 completions/s
#                                   with qm, 5300 with tlsf); "" for qm
#   REAUTH_BENCH_OUT=var/bench/reauth   the work and results directory
# Output: the tables on stdout and in var/bench/reauth/results.txt, with
# the issue's targets checked at the end; everything of a run
# (kamailio.log, sipp logs, polls) in var/bench/reauth/nN/ (nNw2/ for
# workers=2). The work dir must stay while the script runs (it stops with
# a message when its work directory disappears); test/bench/run.sh keeps
# its own files in var/bench/stack-*, but run one benchmark at a time:
# both load the machine.
set -u
. "$(dirname "$0")/bench_lib.sh"

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH="$TOP/test/bench"
SIPP_DIR="$BENCH/sipp"
OUT=${REAUTH_BENCH_OUT:-$TOP/var/bench/reauth}
KAM_MODULES=${KAM_MODULES:-/usr/lib/x86_64-linux-gnu/kamailio/modules}
IP=127.0.0.1
DOMAIN=ims.test
QUICK=${BENCH_QUICK:-0}
[ "$QUICK" = 1 ] || QUICK=0

WORKERS=${REAUTH_BENCH_WORKERS:-4}
KAM_ARGS=${REAUTH_BENCH_KAM_ARGS--x tlsf}
SHM_MB_SET=${REAUTH_BENCH_SHM_MB:-}
REG_RATE=${REAUTH_BENCH_REG_RATE:-800}
TRIG_RATE=${REAUTH_BENCH_TRIGGER_RATE:-20000}
TRIG_LIMIT=${REAUTH_BENCH_TRIGGER_LIMIT:-100}
OPT_COUNT=${REAUTH_BENCH_OPTIONS:-$((QUICK ? 20000 : 100000))}
OPT_LIMIT=${REAUTH_BENCH_OPTIONS_LIMIT:-200}
PROBE_RATE=${REAUTH_BENCH_PROBE_RATE:-100}
PROBE_IDLE=${REAUTH_BENCH_PROBE_IDLE:-$((QUICK ? 3 : 10))}
PROBE_USERS=${REAUTH_BENCH_PROBE_USERS:-$((PROBE_RATE * PROBE_IDLE / 2 > 0 ? PROBE_RATE * PROBE_IDLE / 2 : 1))}
STEADY_RATES=${REAUTH_BENCH_STEADY_RATES-500 1000 2000}
STEADY_SECS=${REAUTH_BENCH_STEADY_SECS:-$((QUICK ? 1 : 5))}
STEADY_LIMIT=${REAUTH_BENCH_STEADY_LIMIT:-5000}
KEEP_FINISHED=${REAUTH_BENCH_KEEP_FINISHED:-10}
CYCLES=${REAUTH_BENCH_CYCLES:-$((QUICK ? 2000 : 100000))}
CYCLE_LIMIT=${REAUTH_BENCH_CYCLE_LIMIT:-200}
MASS_MAX=${REAUTH_BENCH_MASS_MAX:-300}
GROWTH_CYCLES=${REAUTH_BENCH_GROWTH_CYCLES:-$((QUICK ? 5000 : 100000))}
DO_PENDING=${REAUTH_BENCH_PENDING:-1}
BUSY_MS=${REAUTH_BENCH_SQLITE_BUSY_MS:-0}
LG_NICE=${REAUTH_BENCH_LG_NICE:-20}
PROBE_PRIO=${REAUTH_BENCH_PROBE_PRIO-$([ "$(id -u)" = 0 ] && echo 5)}
PROBE_CMD=()
[ -n "$PROBE_PRIO" ] && PROBE_CMD=(chrt --rr "$PROBE_PRIO")
WIRE=${REAUTH_BENCH_WIRE:-$(command -v tcpdump >/dev/null && [ "$(id -u)" = 0 ] && echo 1 || echo 0)}
case "$LG_NICE" in
[1-9] | 1[0-9] | 20) ;;
*) echo "REAUTH_BENCH_LG_NICE must be 1..20" >&2; exit 2 ;;
esac
REG_EXPIRES=3600       # the UEs' registrations outlive the run
SHORTENED_EXPIRES=600  # shortened contacts do not expire during the run
REAUTH_TIMEOUT=600     # nor do pending procedures time out
SIPP_BUF=4194304       # sipp socket buffers (net.core.rmem_max caps it)

if [ $# -eq 0 ]; then
	if [ "$QUICK" = 1 ]; then set -- 1000; else set -- 10000 100000; fi
fi
for n in "$@"; do
	case "$n" in
	'' | *[!0-9]*) echo "usage: $0 [N...]  (N: number of UEs, 1..999999)" >&2; exit 2 ;;
	esac
	[ "$n" -ge 1 ] && [ "$n" -le 999999 ] || { echo "N must be 1..999999" >&2; exit 2; }
done
for t in kamailio kamcmd sipp sqlite3 ss awk; do
	command -v $t >/dev/null || { echo "$t is not installed (make deps)" >&2; exit 1; }
done
[ -f "$TOP/modules/reauth/reauth.so" ] || { echo "no modules/reauth/reauth.so: run make build" >&2; exit 1; }
mkdir -p "$OUT"

LG_NS=${REAUTH_BENCH_LG_NS-$1}
RT_NS=${REAUTH_BENCH_RT_NS-$1}
NR_NS=${REAUTH_BENCH_NR_NS-$*}
# the pace of every run but <N>nr: the cfg's, or REAUTH_BENCH_DEFINES's
START_RATE_CFG=$(sed -n 's/^#!define START_RATE //p' "$TOP/etc/kamailio.cfg")
for d in ${REAUTH_BENCH_DEFINES:-}; do
	case $d in START_RATE=*) START_RATE_CFG=${d#START_RATE=} ;; esac
done
RT_PRIO=${REAUTH_BENCH_RT_PRIO:-10}
# -A defines of the current run only (the <N>rt runs)
RUN_DEFINES=""
# the command prefix of the UE and trigger sipps of the current run (see
# the header): empty, or nice / chrt in the <N>lg runs
LG=()
lg_prefix() {
	if [ "$1" = 0 ]; then
		LG=()
	elif [ "$1" = 20 ]; then
		LG=(chrt --idle 0)
	else
		LG=(nice -n "$1")
	fi
}
lg_desc() {
	case "$1" in
	0) echo "normal priority" ;;
	20) echo "SCHED_IDLE" ;;
	*) echo "nice $1" ;;
	esac
}

# the module's job workers parameter (see the header)
if grep -q '"workers"' "$TOP"/modules/reauth/*.c 2>/dev/null; then
	HAS_WORKERS=1
	W1_NS=${REAUTH_BENCH_W1-$1}
else
	HAS_WORKERS=0
	W1_NS=""
fi

KAM_PID=""
BG_PIDS=""

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
# usrloc keeps the registrations in memory here (USRLOC_DB_MODE=0; the
# cfg's default is write-back, 2): its sqlite write-back is one
# transaction and one fsync per changed contact every timer_interval
# (10 s), the registrar's cost of every re-registration whatever the
# module does; it fell inside the 24 s of phase 3 at N=100000 and mostly
# outside its 2 s at N=10000 (4092 vs 5480 completions/s; 5531 at
# 100000 without it), which made the two Ns incomparable.
# REAUTH_BENCH_USRLOC_DB_MODE=2 measures with it.
UL_DB_MODE=${REAUTH_BENCH_USRLOC_DB_MODE:-0}
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

# the work directory is gone (another run of this script, or an old
# run.sh that used var/bench/reauth): nothing measured from here on would
# be kept; stop
wd_check() {
	[ -d "$WD" ] && return 0
	echo "BENCHMARK STOPPED: $WD was removed during the run" \
		"(run one benchmark at a time, or set REAUTH_BENCH_OUT)" >&2
	exit 1
}

# --- helpers ---

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

# hash_bits N: log2 of the buckets for N records, about 4 a bucket, at
# least the cfg's 14; hash_buckets N: that many
hash_bits() {
	local b=14
	while [ $(((1 << b) * 4)) -lt "$1" ]; do b=$((b + 1)); done
	echo $b
}
hash_buckets() { echo $((1 << $(hash_bits "$1"))); }

# start_kamailio SHM_MB CFG N: etc/kamailio.cfg (or the copy CFG) with the
# defines of the header; the limits of the cfg sized for N
start_kamailio() {
	local shm=$1 cfg=$2 n=$3
	build_shim || return 1
	LD_PRELOAD="$PRELOAD" BENCH_SQLITE_BUSY_MS="$BUSY_MS" kamailio -DD -E -f "$cfg" \
		-L "$KAM_MODULES:$TOP/modules/reauth" -Y "$WD" -m "$shm" -M 8 $KAM_ARGS \
		-A "LISTEN=udp:$IP:$KAM_PORT" -A "DBURL=\"sqlite://$KAM_DB\"" \
		-A "REAUTH_DBURL=\"sqlite://$KAM_RDB\"" -A "CTL_SOCKET=\"$KAM_CTL\"" \
		-A "WORKERS=$WORKERS" -A "SHORTENED_EXPIRES=$SHORTENED_EXPIRES" \
		-A "REAUTH_TIMEOUT=$REAUTH_TIMEOUT" -A "KEEP_FINISHED=$KEEP_FINISHED" \
		-A "MAX_SUBSCRIPTIONS=$((n + 20000))" -A "QUEUE_SIZE=$((2 * n + 20000))" \
		-A "USRLOC_DB_MODE=$UL_DB_MODE" -A SHM_FORCE_ALLOC \
		-A "HASH_SIZE=$(hash_buckets "$n")" -A "UL_HASH_SIZE=$(hash_bits "$n")" \
		$(for d in ${REAUTH_BENCH_DEFINES:-} $RUN_DEFINES; do printf -- '-A %s ' "$d"; done) >>"$KAM_LOG" 2>&1 &
	KAM_PID=$!
	# shm_force_alloc touches all of -m before Kamailio answers: on a
	# fresh virtual machine 4 GB (N=100000) took longer than 10 s
	local i
	for i in $(seq 1 $((100 + shm / 10))); do
		kamcmd_ core.version >/dev/null 2>&1 && return 0
		kill -0 "$KAM_PID" 2>/dev/null || { KAM_PID=""; tail -20 "$KAM_LOG"; return 1; }
		sleep 0.1
	done
	tail -20 "$KAM_LOG"
	# not left running behind the next run
	stop_pid "$KAM_PID"
	KAM_PID=""
	return 1
}

# the trigger sipp, from AS_PORT (the one trusted port):
# run_trigger NAME CALLS [background [RATE LIMIT [INF]]]
run_trigger() {
	local name=$1 calls=$2 bg=${3:-} rate=${4:-$TRIG_RATE} limit=${5:-$TRIG_LIMIT} inf=${6:-$WD/trigger.csv}
	"${LG[@]}" timeout $((60 + calls / 50)) sipp "$IP:$KAM_PORT" -sf "$SIPP_DIR/reauth_trigger.xml" \
		-i "$IP" -p "$AS_PORT" -inf "$inf" -key domain "$DOMAIN" \
		-m "$calls" -r "$rate" -rp 1000 -l "$limit" -buff_size $SIPP_BUF \
		-nostdin -trace_logs -log_file "$WD/$name.log" -trace_screen -screen_file "$WD/$name.screen" \
		-trace_err -error_file "$WD/$name.err" >"$WD/$name.out" 2>&1 &
	TRIG_PID=$!
	BG_PIDS="$BG_PIDS $TRIG_PID"
	if [ "$bg" != bg ]; then
		wait_pid "$TRIG_PID" $((70 + calls / 50))
	fi
}

# UDP datagrams the kernel dropped for a full socket receive buffer, all
# sockets of the machine (/proc/net/snmp Udp: RcvbufErrors)
udp_drops() {
	awk '$1 == "Udp:" { if (!h) { for (i = 2; i <= NF; i++) c[$i] = i; h = 1 } else { print $c["RcvbufErrors"]; exit } }' /proc/net/snmp
}

# the CPU ticks of all Kamailio processes in a cpu_snap file
snap_ticks() { awk '{ t += $2 } END { print t + 0 }' "$1"; }

# /proc/stat busy and total ticks of all CPUs: "BUSY TOTAL"
sys_ticks() { awk '$1 == "cpu" { t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t }' /proc/stat; }

# machine_busy "B0 T0" "B1 T1": percent of all CPUs busy in between
machine_busy() {
	awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " "); d = y[2] - x[2]
		printf "%.0f", (d > 0 ? 100 * (y[1] - x[1]) / d : 0) }'
}

# stats3 FILE: "p50 p99 max n" in ms of a sorted file of seconds
stats3() {
	local f=$1 fmt="%.${2:-1}f"
	if [ ! -s "$f" ]; then echo "- - - 0"; return; fi
	echo "$(percentile 50 "$f" | awk -v f="$fmt" '{ printf f, 1000 * $1 }')" \
		"$(percentile 99 "$f" | awk -v f="$fmt" '{ printf f, 1000 * $1 }')" \
		"$(percentile 100 "$f" | awk -v f="$fmt" '{ printf f, 1000 * $1 }')" "$(wc -l <"$f")"
}

# wait_completed TARGET C0 SECONDS: poll (0.2 s) until reauth_completed -
# C0 reaches TARGET, or it stops moving for SECONDS; sets W_T (the time of
# the last poll that saw it grow or reach the target)
wait_completed() {
	local target=$1 c0=$2 quiet=$3 prev=-1 prev_t=$SECONDS
	W_T=$(now)
	while :; do
		wd_check
		stats_now
		if [ "$S_completed" != "$prev" ]; then prev=$S_completed prev_t=$SECONDS W_T=$(now); fi
		[ $((S_completed - c0)) -ge "$target" ] && return 0
		[ $((SECONDS - prev_t)) -ge "$quiet" ] && return 1
		sleep 0.2
	done
}

declare -A R

# field I of a space-separated value
fld() { echo "$1" | awk -v i="$2" '{ print (NF >= i ? $i : "-") }'; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^-?[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.3f", a / b; else print "-" }'; }

# --- one run: run_n KEY N [JOB_WORKERS [MEM [LG_NICE]]] ---
# KEY names the run (N, Nw2 or Nlg); JOB_WORKERS: modparam("reauth",
# "workers", JOB_WORKERS) in a copy of the cfg; phases 5 to 7 only
# with MEM 1; LG_NICE: the load generators' priority (0: normal)

run_n() {
	local K=$1 N=$2 JW=${3:-} MEM=${4:-0} LGN=${5:-0} shm_mb cfg="$TOP/etc/kamailio.cfg"
	lg_prefix "$LGN"
	R[$K.lg]=$(lg_desc "$LGN")
	WD="$OUT/n$K"
	rm -rf "$WD" && mkdir -p "$WD"
	KAM_DB="$WD/kamailio.sqlite"
	KAM_RDB="$WD/reauth.sqlite"
	KAM_CTL="unix:$WD/ctl.sock"
	KAM_LOG="$WD/kamailio.log"
	KAM_PORT=$(free_port)
	AS_PORT=$(free_port)
	shm_mb=${SHM_MB_SET:-$((N / 25 > 1024 ? N / 25 : 1024))}
	R[$K.n]=$N R[$K.shm_mb]=$shm_mb R[$K.jw]=${JW:-default}
	R[$K.status]=ok
	local note=""

	if [ -n "$JW" ]; then
		# after the last modparam of reauth: the bench's value wins
		cfg="$WD/kamailio.cfg"
		awk -v jw="$JW" '
			{ l[NR] = $0 } /^modparam\("reauth",/ { last = NR }
			END { for (i = 1; i <= NR; i++) { print l[i]; if (i == last) printf "modparam(\"reauth\", \"workers\", %d)\n", jw } }' \
			"$TOP/etc/kamailio.cfg" >"$cfg"
	fi

	# users: the subscriber DB (db-init.sh + one transaction), the CSVs,
	# the trusted trigger port
	"$TOP/scripts/db-init.sh" "$KAM_DB" "$KAM_RDB" >/dev/null || { R[$K.status]="db-init failed"; return 1; }
	local t0 t1
	t0=$(now)
	awk -v n="$N" -v p="$PROBE_USERS" -v d="$DOMAIN" -v as="$AS_PORT" 'BEGIN {
		print "BEGIN;"
		for (i = 0; i < n; i++) printf "INSERT INTO subscriber (username, domain, password) VALUES (\047u%06d\047, \047%s\047, \047u%06d-pw\047);\n", i, d, i
		for (i = 0; i < p; i++) printf "INSERT INTO subscriber (username, domain, password) VALUES (\047p%06d\047, \047%s\047, \047p%06d-pw\047);\n", i, d, i
		printf "INSERT INTO address (grp, ip_addr, mask, port, tag) VALUES (2, \047127.0.0.1\047, 32, %d, \047bench-as\047);\n", as
		print "COMMIT;"
	}' | sqlite3 "$KAM_DB" || { R[$K.status]="cannot insert the users"; return 1; }
	awk -v n="$N" 'BEGIN { print "SEQUENTIAL"; for (i = 0; i < n; i++) printf "u%06d;u%06d-pw\n", i, i }' >"$WD/users.csv"
	awk -v n="$PROBE_USERS" 'BEGIN { print "SEQUENTIAL"; for (i = 0; i < n; i++) printf "p%06d;p%06d-pw\n", i, i }' >"$WD/probe.csv"
	t1=$(now)
	R[$K.insert_secs]=$(fcalc "printf \"%.1f\", $t1 - $t0")

	echo "# run $K: N=$N, kamailio on $IP:$KAM_PORT, WORKERS=$WORKERS, job workers ${JW:-default}, -m $shm_mb," \
		"UE and trigger sipps at ${R[$K.lg]}; work dir $WD"
	start_kamailio "$shm_mb" "$cfg" "$N" || { R[$K.status]="kamailio did not start"; KAM_PID=""; return 1; }

	# --- phase 1: OPTIONS ---
	local p
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
	R[$K.opt_cpu]=$(cpu_busy "$WD/cpu_options.before" "$WD/cpu_options.after" "$(fcalc "printf \"%.3f\", $t1 - $t0")")
	local ok fail
	read -r ok fail < <(sipp_counts "$WD/options.screen")
	R[$K.opt_ok]=$ok R[$K.opt_fail]=$fail
	R[$K.opt_secs]=$(fcalc "printf \"%.3f\", $t1 - $t0")
	R[$K.opt_rate]=$(fcalc "printf \"%.0f\", $ok / ($t1 - $t0)")
	R[$K.opt_sipp_cpu]=$(awk -v s="${R[$K.opt_secs]}" '{ printf "%.0f%%", 100 * ($1 + $2) / s }' "$WD/options.cpu" 2>/dev/null)
	echo "# run $K phase 1 OPTIONS: $ok answered, $fail failed in ${R[$K.opt_secs]} s: ${R[$K.opt_rate]}/s (sipp CPU ${R[$K.opt_sipp_cpu]})"
	settle 10 >/dev/null

	# --- phase 2: register + subscribe; the UEs then wait ---
	local ue_port wait_ms guard shm_p2
	shm_p2=$(shm_real)
	ue_port=$(free_port)
	R[$K.ue_port]=$ue_port
	wait_ms=$(((N / REG_RATE + 240) * 1000))
	guard=$((N / REG_RATE + 400))
	t0=$(now)
	"${LG[@]}" timeout $guard sipp "$IP:$KAM_PORT" -sf "$SIPP_DIR/reauth_ue.xml" -i "$IP" -p "$ue_port" \
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
	R[$K.reg_secs]=$(fcalc "printf \"%.1f\", $t1 - $t0")
	settle 30 >/dev/null
	stats_now
	local target=$S_subs
	R[$K.subs]=$S_subs
	R[$K.shm_ue]=$((($(shm_real) - shm_p2) / (S_subs > 0 ? S_subs : 1)))
	# the users to trigger: those whose UE is subscribed and waiting (all
	# N, unless some failed to register or subscribe)
	awk '$1 == "S" { print $2 }' "$WD/ue.log" 2>/dev/null >"$WD/ready.txt"
	{ echo "SEQUENTIAL"; sed 's/$/;-/' "$WD/ready.txt"; } >"$WD/trigger.csv"
	local ready
	ready=$(wc -l <"$WD/ready.txt")
	[ "$ready" -lt "$target" ] && target=$ready
	echo "# run $K phase 2 register+subscribe: $S_subs subscriptions, $S_notify NOTIFYs in ${R[$K.reg_secs]} s," \
		"${R[$K.shm_ue]} bytes per UE${note:+ ($note)}"
	if [ "$target" -lt 1 ]; then
		R[$K.status]="no subscription: $note"
		return 1
	fi
	[ -n "$note" ] && R[$K.status]="$note"
	R[$K.target]=$target

	# --- phase 3: trigger all, until every procedure completed; the
	# REGISTER probe from PROBE_IDLE s before ---
	local probe_pid="" probe_sipp="" wire_pid=""
	if [ "$PROBE_RATE" -gt 0 ]; then
		local pp
		pp=$(free_port)
		"${PROBE_CMD[@]}" timeout $((PROBE_IDLE + 600 + target / 20)) sipp "$IP:$KAM_PORT" -sf "$SIPP_DIR/reauth_register.xml" \
			-i "$IP" -p "$pp" -inf "$WD/probe.csv" -key domain "$DOMAIN" -key expires $REG_EXPIRES \
			-r "$PROBE_RATE" -rp 1000 -l 1000 -buff_size $SIPP_BUF -nostdin -trace_logs -log_file "$WD/probe.log" \
			-trace_screen -screen_file "$WD/probe.screen" -trace_err -error_file "$WD/probe.err" \
			>"$WD/probe.out" 2>&1 &
		probe_pid=$!
		BG_PIDS="$BG_PIDS $probe_pid"
		# the probe's packets on the wire (see the header)
		if [ "$WIRE" = 1 ]; then
			tcpdump -i lo -n -U -w "$WD/probe.pcap" "udp port $pp" >"$WD/tcpdump.out" 2>&1 &
			wire_pid=$!
			BG_PIDS="$BG_PIDS $wire_pid"
		fi
		sleep "$PROBE_IDLE"
		probe_sipp=$(ps -o pid= --ppid "$probe_pid" 2>/dev/null | head -1 | tr -d ' ')
	fi
	local shm_before shm_inflight="" t_inflight="" rn0 c0 n0
	shm_before=$(shm_real)
	stats_now
	local subs_before=$S_subs
	rn0=$S_rnotify c0=$S_completed n0=$S_notify
	: >"$WD/poll1.txt"
	# the sipp under timeout (its CPU is reported with Kamailio's)
	UE_SIPP=$(ps -o pid= --ppid "$UE_PID" 2>/dev/null | head -1 | tr -d ' ')
	cpu_snap "$UE_SIPP" "UE sipp" >"$WD/cpu1.before"
	local sys0 sys1
	sys0=$(sys_ticks)
	local drops0
	drops0=$(udp_drops)
	local t_cpu0 t_cpu1="" ue_ticks="" ue_ticks_last=""
	t_cpu0=$(now)
	run_trigger trigger1 "$target" bg
	local t_done="" t_inc="" prev_c=-1 prev_t=$SECONDS
	deadline=$((SECONDS + MASS_MAX))
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
			R[$K.inflight_state]="$((S_started)) started by the notifier, $((S_rnotify - rn0)) NOTIFYs sent, $((S_completed - c0)) completed"
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
	sys1=$(sys_ticks)
	R[$K.cpu]="$(cpu_busy "$WD/cpu1.before" "$WD/cpu1.after" "$(fcalc "printf \"%.3f\", $t_cpu1 - $t_cpu0")"); machine $(machine_busy "$sys0" "$sys1")% busy of $(nproc) CPUs; UDP receive buffer drops (machine-wide) $(($(udp_drops) - drops0))"
	# the probe ends with the mass re-authentication (sipp writes each
	# <log> line when it happens)
	[ -n "$probe_pid" ] && stop_pid "$probe_pid"
	[ -n "$wire_pid" ] && stop_pid "$wire_pid"
	wait_pid "$TRIG_PID" 30 || stop_pid "$TRIG_PID"
	# the UEs end with the NOTIFY of their refresh (queued behind the rest)
	local ue_wait=$((60 + target / 50 > 120 ? 120 : 60 + target / 50))
	[ -n "$t_done" ] || ue_wait=0
	wait_pid "$UE_PID" $ue_wait || {
		note="UE sipp still running $ue_wait s after the last completion seen: stopped"
		stop_pid "$UE_PID"
	}
	stats_now
	R[$K.completed]=$((S_completed - c0))
	R[$K.rnotify]=$((S_rnotify - rn0))
	R[$K.notify_all]=$((S_notify - n0))
	R[$K.rnotify_failed]=$S_rnotify_failed R[$K.dereg]=$S_dereg R[$K.refer]=$S_refer R[$K.started]=$S_started
	read -r ok fail < <(sipp_counts "$WD/trigger1.screen")
	R[$K.trig_ok]=$ok R[$K.trig_fail]=$fail
	read -r ok fail < <(sipp_counts "$WD/ue.screen")
	R[$K.ue_ok]=$ok R[$K.ue_fail]=$fail

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
	R[$K.span]=$(fcalc "printf \"%.3f\", $C_LAST - $T_FIRST")
	R[$K.trig_span]=$(fcalc "printf \"%.3f\", $T_LAST - $T_FIRST")
	R[$K.trig_rate]=$(fcalc "d = $T_LAST - $T_FIRST; printf \"%.0f\", (d > 0 ? ($NT - 1) / d : 0)")
	R[$K.nt]=$NT R[$K.nn]=$NN R[$K.nc]=$NC R[$K.nr]=$NR
	R[$K.r_span]=$(fcalc "printf \"%.3f\", ($NR > 0 ? $R_LAST - $T_FIRST : 0)")
	# the end: the first poll that saw every procedure completed (or the
	# last one that saw the count grow)
	local t_end=${t_done:-${t_inc:-$T_FIRST}}
	R[$K.end_span]=$(fcalc "printf \"%.3f\", $t_end - $T_FIRST")
	R[$K.cps]=$(fcalc "d = $t_end - $T_FIRST; printf \"%.0f\", (d > 0 ? ${R[$K.completed]} / d : 0)")
	R[$K.nps]=$(fcalc "d = $t_end - $T_FIRST; printf \"%.0f\", (d > 0 ? ${R[$K.rnotify]} / d : 0)")
	# the steady state: completions from 10% to 90% of N over the polls
	# between (leaves out the first burst of start_rate and the last
	# procedure's own latency, which weigh more at a small N)
	R[$K.slope]=$(awk -v n="$target" '{ if (t1 == "" && $4 >= 0.1 * n) { t1 = $1; c1 = $4 }
		if (t2 == "" && $4 >= 0.9 * n) { t2 = $1; c2 = $4 } }
		END { if (t1 != "" && t2 != "" && t2 > t1) printf "%.0f", (c2 - c1) / (t2 - t1); else print "-" }' "$WD/poll1.txt")
	R[$K.cps_ue]=$(fcalc "d = $C_LAST - $T_FIRST; printf \"%.0f\", (d > 0 && $NC > 0 ? $NC / d : 0)")
	R[$K.n_span]=$(fcalc "printf \"%.3f\", $N_LAST - $T_FIRST")
	R[$K.nps_own]=$(fcalc "d = $N_LAST - $T_FIRST; printf \"%.0f\", (d > 0 ? $NN / d : 0)")
	read -r R[$K.p50] R[$K.p99] R[$K.pmax] R[$K.lat_n] < <(stats3 "$WD/latency1.txt")
	if [ -n "$shm_inflight" ]; then
		R[$K.shm_inflight]=$(((shm_inflight - shm_before) / target))
		R[$K.inflight_at]=$(fcalc "printf \"%.2f\", $t_inflight - $T_FIRST")
	else
		R[$K.shm_inflight]="-" R[$K.inflight_at]="-"
	fi
	echo "# run $K phase 3 re-authentication: ${R[$K.completed]} completed, ${R[$K.rnotify]} NOTIFYs," \
		"trigger ${R[$K.trig_span]} s, $([ -n "$t_done" ] && echo "all completed" || echo "the last completion seen") at ${R[$K.end_span]} s: ${R[$K.cps]} completions/s," \
		"latency p50 ${R[$K.p50]} ms p99 ${R[$K.p99]} ms${note:+ ($note)}"
	[ "${R[$K.completed]}" -lt "$target" ] && R[$K.status]="${R[$K.completed]} of $target completed"

	# the probe: per REGISTER request, the time to its answer; idle:
	# registrations started before the first trigger, mass: from it to
	# the end of phase 3
	R[$K.reg_idle]="- - - 0" R[$K.reg_mass]="- - - 0" R[$K.reg_ratio]="-"
	if [ -n "$probe_pid" ]; then
		awk -v t0="$T_FIRST" -v te="$t_end" -v d="$WD" '$1 == "G" {
			s = $3 + $4 / 1e6; a = $5 + $6 / 1e6 - s; b = $9 + $10 / 1e6 - ($7 + $8 / 1e6)
			f = (s < t0 ? d "/probe_idle.txt" : (s <= te ? d "/probe_mass.txt" : ""))
			if (f != "") { print a > f; print b > f }
		}' "$WD/probe.log" 2>/dev/null
		sort -g -o "$WD/probe_idle.txt" "$WD/probe_idle.txt" 2>/dev/null
		sort -g -o "$WD/probe_mass.txt" "$WD/probe_mass.txt" 2>/dev/null
		R[$K.reg_idle]=$(stats3 "$WD/probe_idle.txt")
		R[$K.reg_mass]=$(stats3 "$WD/probe_mass.txt")
		R[$K.reg_ratio]=$(ratio "$(echo "${R[$K.reg_mass]}" | cut -d' ' -f2)" "$(echo "${R[$K.reg_idle]}" | cut -d' ' -f2)")
		read -r ok fail < <(sipp_counts "$WD/probe.screen")
		R[$K.probe_fail]=$fail
		# on the wire: request (Call-ID, CSeq) -> its first answer
		R[$K.wire_idle]="- - - 0" R[$K.wire_mass]="- - - 0" R[$K.wire_ratio]="-"
		if [ -n "$wire_pid" ] && [ -s "$WD/probe.pcap" ]; then
			tcpdump -r "$WD/probe.pcap" -tt -n -A 2>/dev/null | tr -d '\r' | awk -v t0="$T_FIRST" -v te="$t_end" -v d="$WD" '
				/^[0-9]+\.[0-9]+ IP / { ts = $1; req = -1; next }
				/REGISTER sip:/ { req = 1 }  # the request line (after header bytes)
				/SIP\/2\.0 [0-9][0-9][0-9] / && req != 1 { req = 0 }
				/^Call-ID:/ { cid = $2 }
				/^CSeq:/ {
					k = cid " " $2
					if (req == 1 && !(k in q)) q[k] = ts
					else if (req == 0 && (k in q) && !(k in a)) a[k] = ts
				}
				END {
					for (k in a) {
						f = (q[k] < t0 ? d "/wire_idle.txt" : (q[k] <= te ? d "/wire_mass.txt" : ""))
						if (f != "") printf "%.6f\n", a[k] - q[k] > f
					}
				}'
			sort -g -o "$WD/wire_idle.txt" "$WD/wire_idle.txt" 2>/dev/null
			sort -g -o "$WD/wire_mass.txt" "$WD/wire_mass.txt" 2>/dev/null
			R[$K.wire_idle]=$(stats3 "$WD/wire_idle.txt" 2)
			R[$K.wire_mass]=$(stats3 "$WD/wire_mass.txt" 2)
			R[$K.wire_ratio]=$(ratio "$(fld "${R[$K.wire_mass]}" 2)" "$(fld "${R[$K.wire_idle]}" 2)")
			echo "# run $K phase 3 REGISTER probe on the wire (Kamailio's part), ms (p50 p99 max n): idle ${R[$K.wire_idle]}," \
				"during the mass re-authentication ${R[$K.wire_mass]}: p99 ratio ${R[$K.wire_ratio]}"
		fi
		echo "# run $K phase 3 REGISTER probe at $PROBE_RATE/s, ms per request (p50 p99 max n): idle ${R[$K.reg_idle]}," \
			"during the mass re-authentication ${R[$K.reg_mass]}: p99 ratio ${R[$K.reg_ratio]}"
	fi

	if [ -z "$t_done" ]; then
		R[$K.status]="OVERLOADED: ${R[$K.completed]} of $target completed when phase 3 ended ($MASS_MAX s or no progress for 30 s); phases 4 to 7 skipped"
		echo "# run $K: ${R[$K.status]}"
		R[$K.growth_note]="skipped (overloaded)" R[$K.cycles_note]="skipped (overloaded)" R[$K.pending_note]="skipped (overloaded)"
		finish_run "$K"
		return 0
	fi

	# --- phase 4: triggers at a steady rate ---
	local rate off=0 round=0 last_c=""
	R[$K.steady]=""
	settle 30 >/dev/null
	for rate in $STEADY_RATES; do
		wd_check
		round=$((round + 1))
		# the finished procedures of the earlier rounds (or of phase 3) are
		# freed KEEP_FINISHED s after they ended, in one go: not during this
		# round
		local fw
		fw=$(fcalc "w = ${last_c:-$t_end} + $KEEP_FINISHED + 2 - $(now); printf \"%.0f\", (w > 0 ? w : 0)")
		sleep "$fw"
		settle 30 >/dev/null
		local cnt=$((rate * STEADY_SECS)) name="steady$rate" uas_pid c1 csum
		[ "$cnt" -gt "$target" ] && cnt=$target
		[ "$cnt" -lt 1 ] && continue
		# the next cnt ready users, from where the last round stopped
		{ echo "SEQUENTIAL"
		  awk -v o="$off" -v c="$cnt" -v n="$target" '{ u[NR - 1] = $1 } END { for (i = 0; i < c; i++) print u[(o + i) % n] ";-" }' "$WD/ready.txt"
		} >"$WD/$name.csv"
		off=$(((off + cnt) % target))
		"${LG[@]}" timeout $((120 + cnt / 20)) sipp -sf "$SIPP_DIR/reauth_ue_again.xml" -i "$IP" -p "$ue_port" \
			-key domain "$DOMAIN" -key expires $REG_EXPIRES -key cseq1 $((10 * round + 1)) -key cseq2 $((10 * round + 2)) \
			-m "$cnt" -buff_size $SIPP_BUF -nostdin -trace_logs -log_file "$WD/$name.ue.log" \
			-trace_screen -screen_file "$WD/$name.ue.screen" -trace_err -error_file "$WD/$name.ue.err" \
			>"$WD/$name.ue.out" 2>&1 &
		uas_pid=$!
		BG_PIDS="$BG_PIDS $uas_pid"
		sleep 0.3
		stats_now
		c1=$S_completed
		cpu_snap >"$WD/$name.cpu0"
		sys0=$(sys_ticks)
		drops0=$(udp_drops)
		# the triggers and NOTIFYs on the wire (see the header)
		local wire4_pid=""
		if [ "$WIRE" = 1 ]; then
			tcpdump -i lo -n -U -w "$WD/$name.pcap" "udp port $AS_PORT or udp port $ue_port" \
				>"$WD/$name.tcpdump.out" 2>&1 &
			wire4_pid=$!
			BG_PIDS="$BG_PIDS $wire4_pid"
			sleep 0.5
		fi
		t0=$(now)
		run_trigger "$name" "$cnt" bg "$rate" "$STEADY_LIMIT" "$WD/$name.csv"
		wait_pid "$TRIG_PID" $((70 + cnt / 50)) || stop_pid "$TRIG_PID"
		t1=$(now)
		cpu_snap >"$WD/$name.cpu1"
		sys1=$(sys_ticks)
		wait_completed "$cnt" "$c1" 10
		last_c=$W_T
		wait_pid "$uas_pid" 30 || stop_pid "$uas_pid"
		stats_now
		read -r ok fail < <(sipp_counts "$WD/$name.screen")
		awk '$1 == "T" || $1 == "N" { printf "%s %s %.6f\n", $1, $2, $3 + $4 / 1e6 }' \
			"$WD/$name.log" "$WD/$name.ue.log" 2>/dev/null | awk -v f="$WD/$name.lat.txt" '
			$1 == "T" { t[$2] = $3; nt++; if (!t0 || $3 < t0) t0 = $3; if ($3 > tl) tl = $3 }
			$1 == "N" { n[$2] = $3 }
			END { for (u in n) if (u in t) print n[u] - t[u] > f
				printf "%.0f\n", (tl > t0 ? (nt - 1) / (tl - t0) : 0) }' >"$WD/$name.rate"
		sort -g -o "$WD/$name.lat.txt" "$WD/$name.lat.txt" 2>/dev/null
		local st kam_pct wire4="- - - 0"
		st=$(stats3 "$WD/$name.lat.txt")
		# on the wire: each user's MESSAGE in -> its first NOTIFY out after it
		if [ -n "$wire4_pid" ]; then
			stop_pid "$wire4_pid"
			tcpdump -r "$WD/$name.pcap" -tt -n -A 2>/dev/null | tr -d '\r' | awk -v f="$WD/$name.wire.txt" '
				/^[0-9]+\.[0-9]+ IP / { ts = $1; kind = ""; next }
				/MESSAGE sip:/ { kind = "M" }
				/NOTIFY sip:/ { kind = "N" }
				/SIP\/2\.0 [0-9][0-9][0-9] / { kind = "" }
				kind == "M" && /^X-Reauth-Identity:/ { u = $2; sub(/^sip:/, "", u); sub(/@.*/, "", u)
					if (!(u in m)) m[u] = ts }
				kind == "N" && /^To:/ { u = $0; sub(/^To: *<sip:/, "", u); sub(/@.*/, "", u)
					if ((u in m) && !(u in n) && ts >= m[u]) n[u] = ts }
				END { for (u in n) printf "%.6f\n", n[u] - m[u] > f }'
			sort -g -o "$WD/$name.wire.txt" "$WD/$name.wire.txt" 2>/dev/null
			wire4=$(stats3 "$WD/$name.wire.txt" 2)
		fi
		kam_pct=$(awk -v a="$(snap_ticks "$WD/$name.cpu0")" -v b="$(snap_ticks "$WD/$name.cpu1")" \
			-v hz="$(getconf CLK_TCK)" -v s="$(fcalc "printf \"%.3f\", $t1 - $t0")" 'BEGIN { printf "%.0f", (s > 0 ? 100 * (b - a) / hz / s : 0) }')
		# rate triggers achieved/s p50 p99 max n completed failed kam% machine%
		R[$K.steady.$rate]="$cnt $(cat "$WD/$name.rate") $st $((S_completed - c1)) $fail $kam_pct $(machine_busy "$sys0" "$sys1") $(($(udp_drops) - drops0))"
		R[$K.steady]="${R[$K.steady]} $rate"
		R[$K.steady_wire.$rate]=$wire4
		echo "# run $K phase 4 steady $rate/s: $cnt triggers at $(cat "$WD/$name.rate")/s, trigger->NOTIFY ms p50 p99 max n: $st;" \
			"$((S_completed - c1)) completed, $fail trigger calls failed; Kamailio CPU ${kam_pct}% of one CPU," \
			"machine $(machine_busy "$sys0" "$sys1")% busy, $(fld "${R[$K.steady.$rate]}" 11) UDP receive buffer drops;" \
			"on the wire (Kamailio's part, MESSAGE in -> NOTIFY out) p50 p99 max n: $wire4"
		settle 30 >/dev/null
	done

	if [ -n "$JW" ] || [ "$MEM" != 1 ]; then
		local why="workers=$JW run"
		[ -n "$JW" ] || why="phases 5 to 7 run with N=$MEM_N only"
		R[$K.shm_pending]="-" R[$K.pending_note]="skipped ($why)"
		R[$K.growth_note]="skipped ($why)" R[$K.cycles_note]="skipped ($why)"
		finish_run "$K"
		return 0
	fi

	# --- phase 5: growth after the trigger/complete cycles ---
	local cycles_done wait_s shm_g
	stats_now
	# more rounds of all ready users (at the trigger's rate) until
	# GROWTH_CYCLES procedures completed since before phase 3
	while [ $((S_completed - c0)) -lt "$GROWTH_CYCLES" ]; do
		wd_check
		round=$((round + 1))
		local gname="growth$round" gpid gc1
		{ echo "SEQUENTIAL"; sed 's/$/;-/' "$WD/ready.txt"; } >"$WD/$gname.csv"
		"${LG[@]}" timeout $((120 + target / 20)) sipp -sf "$SIPP_DIR/reauth_ue_again.xml" -i "$IP" -p "$ue_port" \
			-key domain "$DOMAIN" -key expires $REG_EXPIRES -key cseq1 $((10 * round + 1)) -key cseq2 $((10 * round + 2)) \
			-m "$target" -buff_size $SIPP_BUF -nostdin -trace_screen -screen_file "$WD/$gname.ue.screen" \
			-trace_err -error_file "$WD/$gname.ue.err" >"$WD/$gname.ue.out" 2>&1 &
		gpid=$!
		BG_PIDS="$BG_PIDS $gpid"
		sleep 0.3
		gc1=$S_completed
		run_trigger "$gname" "$target" "" "$TRIG_RATE" "$TRIG_LIMIT" "$WD/$gname.csv"
		wait_completed "$target" "$gc1" 10
		last_c=$W_T
		wait_pid "$gpid" 30 || stop_pid "$gpid"
		stats_now
		echo "# run $K phase 5 round $round: $((S_completed - gc1)) of $target completed; $((S_completed - c0)) since phase 3"
		[ $((S_completed - gc1)) -gt 0 ] || break
		settle 30 >/dev/null
	done
	cycles_done=$((S_completed - c0))
	[ -n "$last_c" ] || last_c=$t_end
	wait_s=$(fcalc "w = $last_c + $KEEP_FINISHED + 3 - $(now); printf \"%.0f\", (w > 0 ? w : 0)")
	echo "# run $K phase 5: waiting $wait_s s until the module freed the finished procedures (keep_finished $KEEP_FINISHED s)"
	sleep "$wait_s"
	settle 30 >/dev/null
	shm_g=$(shm_real)
	R[$K.growth]=$((shm_g - shm_before))
	R[$K.growth_cycles]=$cycles_done
	stats_now
	R[$K.growth_subs]="$subs_before $S_subs"
	R[$K.growth_note]="$cycles_done procedures triggered and completed (phases 3, 4, 5); real_used $shm_before before the first trigger, $shm_g after: $((shm_g - shm_before)) bytes; subscriptions $subs_before before, $S_subs after"
	echo "# run $K phase 5 growth: ${R[$K.growth_note]}"

	# --- phase 6: subscribe/unsubscribe cycles ---
	R[$K.cycles]="-" R[$K.cycles_growth]="-" R[$K.cycles_note]="skipped"
	if [ "$CYCLES" -gt 0 ]; then
		local shm_s0 shm_s1 cp
		shm_s0=$(shm_real)
		stats_now
		local subs0=$S_subs
		cp=$(free_port)
		t0=$(now)
		timeout $((120 + CYCLES / 20)) sipp "$IP:$KAM_PORT" -sf "$SIPP_DIR/reauth_sub_cycle.xml" -i "$IP" -p "$cp" \
			-inf "$WD/users.csv" -key domain "$DOMAIN" -key sub_expires 600 -rtcheck loose \
			-m "$CYCLES" -r 100000 -rp 1000 -l "$CYCLE_LIMIT" -buff_size $SIPP_BUF -nostdin \
			-trace_screen -screen_file "$WD/cycles.screen" -trace_err -error_file "$WD/cycles.err" \
			>"$WD/cycles.out" 2>&1
		t1=$(now)
		settle 30 >/dev/null
		shm_s1=$(shm_real)
		stats_now
		read -r ok fail < <(sipp_counts "$WD/cycles.screen")
		R[$K.cycles]=$ok R[$K.cycles_fail]=$fail
		R[$K.cycles_rate]=$(fcalc "printf \"%.0f\", $ok / ($t1 - $t0)")
		R[$K.cycles_growth]=$((shm_s1 - shm_s0))
		R[$K.cycles_subs]="$subs0 $S_subs"
		R[$K.cycles_note]="$ok cycles ok, $fail failed in $(fcalc "printf \"%.1f\", $t1 - $t0") s (${R[$K.cycles_rate]}/s); subscriptions $subs0 before, $S_subs after; real_used $shm_s0 -> $shm_s1: $((shm_s1 - shm_s0)) bytes ($(fcalc "printf \"%.3f\", ($shm_s1 - $shm_s0) / ($ok > 0 ? $ok : 1)") per cycle)"
		echo "# run $K phase 6 subscription cycles: ${R[$K.cycles_note]}"
	fi

	# --- phase 7: pending procedures ---
	R[$K.shm_pending]="-" R[$K.pending_note]="skipped"
	if [ "$DO_PENDING" = 1 ] && [ "$NC" -gt 0 ]; then
		local shm0 shm1 rn1 rf1 dr1 resp_pid
		settle 30 >/dev/null
		shm0=$(shm_real)
		stats_now
		rn1=$S_rnotify rf1=$S_refer dr1=$S_dereg
		"${LG[@]}" timeout $((120 + target / 20)) sipp -sf "$SIPP_DIR/reauth_notify_200.xml" -i "$IP" -p "$ue_port" \
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
		stats_now
		local pend=$((S_started - S_completed - S_dereg - S_cancelled))
		wait_pid "$resp_pid" 5 || stop_pid "$resp_pid"
		read -r ok fail < <(sipp_counts "$WD/trigger2.screen")
		R[$K.pending]=$pend
		R[$K.shm_pending]=$(((shm1 - shm0) / (pend > 0 ? pend : 1)))
		R[$K.pending_note]="$pend pending (trigger $ok x 202, $((S_rnotify - rn1)) NOTIFYs answered, REFERs $((S_refer - rf1)), de-registered $((S_dereg - dr1))) in $((SECONDS - t4)) s, shm real_used $shm0 -> $shm1"
		[ $((S_rnotify - rn1)) -lt "$pend" ] && R[$K.pending_note]="${R[$K.pending_note]}; WARNING: fewer NOTIFYs than pending procedures"
		echo "# run $K phase 7 pending: ${R[$K.pending_note]}: ${R[$K.shm_pending]} bytes per pending procedure"
	fi
	finish_run "$K"
	return 0
}

# the end of a run: counters, Kamailio stopped, its log read
finish_run() {
	local K=$1
	wd_check
	kill -0 "$KAM_PID" 2>/dev/null || R[$K.status]="KAMAILIO DIED"
	kamcmd_ stats.get_statistics all >"$WD/stats.txt" 2>&1
	R[$K.tm]=$(grep -E '^(tmx:UAC_transactions|tmx:(4|5|6)xx_transactions|sl:(sent_replies|sent_err_replies|5xx_replies)|core:(drop_requests|err_requests)|reauth:queue_dropped) ' "$WD/stats.txt" | tr -s ' \n' ' ')
	R[$K.shm_max]=$(kamcmd_ core.shmmem 2>/dev/null | awk '$1 == "max_used:" { printf "%.0f", $2 / 1048576 }')
	stop_kamailio
	stop_bg
	R[$K.errors]=$(grep -c ' ERROR: ' "$KAM_LOG")
	R[$K.locked]=$(grep -c 'database is locked' "$KAM_LOG")
	R[$K.reg500]=$(grep -c 'stateless error reply used' "$KAM_LOG")
	R[$K.crash]=$(grep -cE 'CRITICAL|segfault|[^E]BUG:|exited by a signal' "$KAM_LOG")
	R[$K.toperr]=$(grep -E ' (ERROR|CRITICAL|ALERT): ' "$KAM_LOG" \
		| sed -E 's/^ *[0-9]+\([0-9]+\) //; s/\{[^}]*\} //; s/[0-9]+/#/g' \
		| sort | uniq -c | sort -rn | head -8)
	R[$K.ue_errs]=$(grep -ohE "Aborting call on unexpected message[^']*'[^']*': while expecting '[^']*' \(index [0-9]+\), received '[^\r]*" "$WD"/*.err 2>/dev/null \
		| sed -E "s/Call-Id '[^']*'/Call-Id X/; s/received '(SIP\/2.0 [0-9]+|[A-Z]+ ).*/received '\1/" | sort | uniq -c | sort -rn | head -4)
}

# --- run ---

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
T_START=$SECONDS
MEM_N=$1
RUNS=""
for n in "$@"; do
	RUNS="$RUNS $n"
	run_n "$n" "$n" "" "$([ "$n" = "$MEM_N" ] && echo 1)"
	# after an early return too: nothing of this N keeps running
	stop_kamailio
	stop_bg
	echo "# run $n done (${R[$n.status]}), $((SECONDS - T_START)) s since the start"
done
for n in $LG_NS; do
	RUNS="$RUNS ${n}lg"
	run_n "${n}lg" "$n" "" 0 "$LG_NICE"
	stop_kamailio
	stop_bg
	echo "# run ${n}lg done (${R[${n}lg.status]}), $((SECONDS - T_START)) s since the start"
done
lg_prefix 0
# run_defined KEY N DEFINES WHAT: one more run of N (phases 1 to 4) with
# these -A defines of etc/kamailio.cfg; WHAT goes to its description
run_defined() {
	local k=$1 n=$2
	RUNS="$RUNS $k"
	RUN_DEFINES=$3
	run_n "$k" "$n" "" 0 0
	RUN_DEFINES=""
	R[$k.lg]="${R[$k.lg]}, $4"
	stop_kamailio
	stop_bg
	echo "# run $k done (${R[$k.status]}), $((SECONDS - T_START)) s since the start"
}
for n in $RT_NS; do
	run_defined "${n}rt" "$n" "SIP_RT_PRIO=$RT_PRIO" "SIP workers SCHED_RR"
done
for n in $NR_NS; do
	run_defined "${n}nr" "$n" "START_RATE=0" "start_rate 0"
done
for n in $W1_NS; do
	RUNS="$RUNS ${n}w2"
	run_n "${n}w2" "$n" 2
	stop_kamailio
	stop_bg
	echo "# run ${n}w2 done (${R[${n}w2.status]}), $((SECONDS - T_START)) s since the start"
done

# "yes"/"NO" for an awk condition over a and b; "-" when a figure is missing
verdict() { awk -v a="$1" -v b="$2" "BEGIN { if (a !~ /^-?[0-9.]+\$/ || b !~ /^-?[0-9.]+\$/) print \"-\"; else print (($3) ? \"yes\" : \"NO\") }"; }
# growth_verdict BYTES CYCLES "SUBS_BEFORE SUBS_AFTER": less than a byte per
# cycle, when the number of subscriptions is the same before and after
# (a subscription lost or left over by a failed flow moves real_used by
# its own size: then no verdict)
growth_verdict() {
	local s0 s1
	read -r s0 s1 <<<"$3"
	if [ -n "$s0" ] && [ "$s0" != "$s1" ]; then
		echo "- ($1 bytes, but subscriptions $s0 before and $s1 after: no verdict)"
	else
		echo "$(verdict "$1" "$2" "a < b") ($1 bytes)"
	fi
}

{
	echo "mass re-authentication benchmark: $(kamailio -v 2>/dev/null | awk '/^version:/ { print $2, $3 }')," \
		"reauth $(git -C "$TOP" rev-parse --short HEAD 2>/dev/null)$(
			[ -n "$(git -C "$TOP" status --porcelain -- modules/reauth etc 2>/dev/null)" ] && echo " (modified)"),"
	echo "  etc/kamailio.cfg WORKERS=$WORKERS SHORTENED_EXPIRES=$SHORTENED_EXPIRES REAUTH_TIMEOUT=$REAUTH_TIMEOUT" \
		"KEEP_FINISHED=$KEEP_FINISHED; $(nproc) CPUs, load before start $LOAD0; $(date -u +%Y-%m-%dT%H:%MZ)$(
			[ "$QUICK" = 1 ] && echo "; QUICK MODE")"
	echo "  sqlite: $SQLITE_NOTE; usrloc db_mode $UL_DB_MODE (USRLOC_DB_MODE; the cfg's default: 2, write-back)"
	echo "  kamailio options: -m SHM -M 8 ${KAM_ARGS:-(none)}, shm_force_alloc (all of -m touched at start: at N=100000 the kernel zeroing fresh pages took 6% of the worker in phase 3); hash tables sized for N: module hash_size, usrloc hash_size 2^bits (about 4 records a bucket, at least the cfg's)"
	echo "  UEs: one sipp, -l N -r $REG_RATE; trigger: one sipp, N MESSAGE X-Reauth-Identity, -r $TRIG_RATE -l $TRIG_LIMIT;" \
		"OPTIONS: one sipp, $OPT_COUNT requests, -l $OPT_LIMIT"
	echo "  load generators (UE and trigger sipps, phases 2 to 4): normal priority; $(lg_desc "$LG_NICE") in the <N>lg runs:" \
		"$([ -n "$LG_NS" ] && printf '%slg ' $LG_NS || echo "none ")(the OPTIONS sipp and Kamailio: normal priority in every run but <N>rt; the probe: next line)"
	echo "  REGISTER probe sipp: $([ -n "$PROBE_PRIO" ] && echo "SCHED_RR $PROBE_PRIO (REAUTH_BENCH_PROBE_PRIO)" || echo "normal priority")"
	echo "  start_rate: the cfg's START_RATE ($START_RATE_CFG procedures started per second) in every run but <N>nr, START_RATE=0 (no limit) there:" \
		"$([ -n "$NR_NS" ] && printf '%snr ' $NR_NS || echo "none")"
	echo "  real-time SIP workers (-A SIP_RT_PRIO=$RT_PRIO: real_time=4, SCHED_RR; the module's processes one real-time priority below, worker_nice 10) in the <N>rt runs:" \
		"$([ -n "$RT_NS" ] && printf '%srt ' $RT_NS || echo "none")"
	echo "  job workers (modparam reauth workers): $([ "$HAS_WORKERS" = 1 ] && echo "default (1), and 2 for N = ${W1_NS:-none}" \
		|| echo "n/a (the module has no \"workers\" parameter)")"
	echo
	echo "mass re-authentication (phase 3) and OPTIONS (phase 1)"
	printf "%-8s %6s %7s %7s %9s %8s %8s %7s %7s %9s %9s %9s %5s\n" run N jobw done "trigger/s" "compl/s" "NOTIFY/s" \
		"p50 ms" "p99 ms" "OPTIONS/s" "compl/OPT" "NTFY/OPT" fail
	for k in $RUNS; do
		printf "%-8s %6s %7s %7s %9s %8s %8s %7s %7s %9s %9s %9s %5s\n" "$k" "${R[$k.n]:--}" "${R[$k.jw]:--}" \
			"${R[$k.completed]:--}" "${R[$k.trig_rate]:--}" "${R[$k.cps]:--}" "${R[$k.nps]:--}" "${R[$k.p50]:--}" \
			"${R[$k.p99]:--}" "${R[$k.opt_rate]:--}" \
			"$(ratio "${R[$k.cps]:--}" "${R[$k.opt_rate]:-0}")" "$(ratio "${R[$k.nps]:--}" "${R[$k.opt_rate]:-0}")" \
			"$(( ${R[$k.ue_fail]:-0} + ${R[$k.trig_fail]:-0} ))"
	done
	[ "$HAS_WORKERS" = 1 ] || printf "%-8s %6s %7s %7s\n" "w2" "-" 2 "n/a"
	echo
	echo "REGISTER probe at $PROBE_RATE/s ($PROBE_USERS users of its own), ms per REGISTER request to its answer"
	printf "%-8s %9s %9s %9s %6s %9s %9s %9s %6s %11s  %s\n" run "idle p50" "idle p99" "idle max" n "mass p50" "mass p99" \
		"mass max" n "p99 mass/idle" "UE+trigger sipps; SIP workers"
	for k in $RUNS; do
		local_i=${R[$k.reg_idle]:-- - - 0} local_m=${R[$k.reg_mass]:-- - - 0}
		printf "%-8s %9s %9s %9s %6s %9s %9s %9s %6s %11s  %s\n" "$k" $local_i $local_m "${R[$k.reg_ratio]:--}" "${R[$k.lg]:--}"
	done
	if [ "$WIRE" = 1 ]; then
		echo "the same REGISTERs on the wire (tcpdump on lo): Kamailio's part, request to answer, ms"
		for k in $RUNS; do
			local_i=${R[$k.wire_idle]:-- - - 0} local_m=${R[$k.wire_mass]:-- - - 0}
			printf "%-8s %9s %9s %9s %6s %9s %9s %9s %6s %11s  %s\n" "$k" $local_i $local_m "${R[$k.wire_ratio]:--}" "${R[$k.lg]:--}"
		done
	fi
	echo
	echo "steady triggers (phase 4): trigger MESSAGE sent -> re-authentication NOTIFY received, ms"
	echo "(wire: the same on the wire, tcpdump on lo: Kamailio's part, MESSAGE in -> NOTIFY out)"
	printf "%-8s %6s %8s %9s %7s %7s %7s %9s %6s %6s %8s %5s %9s %9s\n" run "rate/s" triggers "achieved" "p50" "p99" "max" completed failed \
		"kam%" "machine%" drops "wire p50" "wire p99"
	for k in $RUNS; do
		for rate in ${R[$k.steady]:-}; do
			v=${R[$k.steady.$rate]} w=${R[$k.steady_wire.$rate]:-- - - 0}
			printf "%-8s %6s %8s %9s %7s %7s %7s %9s %6s %6s %8s %5s %9s %9s\n" "$k" "$rate" "$(fld "$v" 1)" "$(fld "$v" 2)" \
				"$(fld "$v" 3)" "$(fld "$v" 4)" "$(fld "$v" 5)" "$(fld "$v" 7)" "$(fld "$v" 8)" "$(fld "$v" 9)" "$(fld "$v" 10)" "$(fld "$v" 11)" \
				"$(fld "$w" 1)" "$(fld "$w" 2)"
		done
	done
	echo
	echo "shared memory (core.shmmem real_used, tm empty), bytes"
	printf "%-8s %8s %9s %12s %9s %10s %9s %10s %7s\n" run "per UE" "per pend" "in flight" "cycles" "growth" "sub cyc" "growth" "max MB"
	for k in $RUNS; do
		printf "%-8s %8s %9s %12s %9s %10s %9s %10s %7s\n" "$k" "${R[$k.shm_ue]:--}" "${R[$k.shm_pending]:--}" \
			"${R[$k.shm_inflight]:--}" "${R[$k.growth_cycles]:--}" "${R[$k.growth]:--}" "${R[$k.cycles]:--}" \
			"${R[$k.cycles_growth]:--}" "${R[$k.shm_max]:--}"
	done
	echo
	echo "done       reauth:reauth_completed in phase 3 (of N triggered); jobw: the module's job workers"
	echo "trigger/s  MESSAGEs sent per second by the trigger sipp (first to last send; each waits for its 202)"
	echo "compl/s    reauth_completed / (first stats poll (every 0.05 s) that saw all N completed - first trigger sent);"
	echo "           the details and the targets add the steady state: completions from 10% to 90% of N / the time between"
	echo "NOTIFY/s   reauth:reauth_notify_sent / the same interval"
	echo "p50, p99   per user: trigger MESSAGE sent -> re-authentication NOTIFY received by the UE"
	echo "OPTIONS/s  stateless 200 to OPTIONS, same Kamailio, one sipp"
	echo "compl/OPT, NTFY/OPT  compl/s and NOTIFY/s divided by OPTIONS/s"
	echo "fail       sipp calls failed: UEs + trigger"
	echo "probe      idle: registrations started in the $PROBE_IDLE s before the first trigger; mass: started from it until"
	echo "           the poll saw all N completed; n: REGISTER requests (two per registration)"
	echo "steady     achieved: triggers/s the sipp sent (first to last); completed: procedures completed in the round;"
	echo "           failed: trigger calls; kam%: all Kamailio processes, % of one CPU, over the trigger's run;"
	echo "           machine%: the busy share of all $(nproc) CPUs then (/proc/stat); drops: UDP datagrams dropped"
	echo "           for a full receive buffer meanwhile, all sockets of the machine (/proc/net/snmp)"
	echo "per UE     phase 2: after minus before, / N: one registration and one subscription"
	echo "per pend   phase 7: per pending procedure (NOTIFY answered, re-REGISTER awaited)"
	echo "in flight  right after the phase-3 trigger sipp ended, per procedure (queued jobs, NOTIFY transactions)"
	echo "cycles, growth   phase 5: procedures triggered and completed (phases 3 and 4), and real_used after them"
	echo "           (finished ones freed) minus before the first trigger"
	echo "sub cyc, growth  phase 6: subscribe/unsubscribe cycles, and real_used after minus before"
	echo "max MB     core.shmmem max_used at the end of the run (of -m, in the details)"

	echo
	echo "targets (issue 10)"
	first=""; lastk=""
	for n in "$@"; do [ -z "$first" ] && first=$n; lastk=$n; done
	for k in $RUNS; do
		echo "  $k: completions/s >= 0.1 x OPTIONS/s: $(verdict "${R[$k.cps]:--}" "${R[$k.opt_rate]:--}" "a >= 0.1 * b")" \
			"(${R[$k.cps]:--} vs ${R[$k.opt_rate]:--}: $(ratio "${R[$k.cps]:--}" "${R[$k.opt_rate]:-0}"))"
	done
	# the module's own scaling. A paced run goes at start_rate whatever
	# N: its N/time is the pace, plus the first 0.1 s burst and minus the
	# last procedure's latency, both a ten times larger share of the
	# smaller N; so a paced pair is judged on the steady state, where
	# "no worse" is "keeps the pace" (within 1%: the polls' timing) when
	# it is not simply higher. The <N>nr runs (no pace) show the scaling
	# itself, judged as they are.
	if [ "$first" != "$lastk" ]; then
		for sfx in nr ""; do
			[ -n "${R[$first$sfx.cps]:-}" ] && [ -n "${R[$lastk$sfx.cps]:-}" ] || continue
			if [ -n "$sfx" ] || [ "${START_RATE_CFG:-0}" -le 0 ]; then
				echo "  completions/s at N=$lastk no worse than at N=$first (<N>$sfx runs, start_rate 0):" \
					"$(verdict "${R[$lastk$sfx.cps]:--}" "${R[$first$sfx.cps]:--}" "a >= b")" \
					"(${R[$lastk$sfx.cps]:--} vs ${R[$first$sfx.cps]:--}; per OPTIONS/s" \
					"$(ratio "${R[$lastk$sfx.cps]:--}" "${R[$lastk$sfx.opt_rate]:-0}") vs $(ratio "${R[$first$sfx.cps]:--}" "${R[$first$sfx.opt_rate]:-0}"));" \
					"steady state (10% to 90% of N): $(verdict "${R[$lastk$sfx.slope]:--}" "${R[$first$sfx.slope]:--}" "a >= b")" \
					"(${R[$lastk$sfx.slope]:--} vs ${R[$first$sfx.slope]:--})"
				continue
			fi
			echo "  completions/s at N=$lastk no worse than at N=$first (paced by start_rate $START_RATE_CFG/s):" \
				"steady state (10% to 90% of N) higher or at the pace (>= 99% of it):" \
				"$(verdict "${R[$lastk$sfx.slope]:--}" "${R[$first$sfx.slope]:--}" "a >= b || a >= 0.99 * $START_RATE_CFG")" \
				"(${R[$lastk$sfx.slope]:--} vs ${R[$first$sfx.slope]:--});" \
				"N/time, beside it: ${R[$lastk$sfx.cps]:--} vs ${R[$first$sfx.cps]:--} (per OPTIONS/s" \
				"$(ratio "${R[$lastk$sfx.cps]:--}" "${R[$lastk$sfx.opt_rate]:-0}") vs $(ratio "${R[$first$sfx.cps]:--}" "${R[$first$sfx.opt_rate]:-0}"))"
		done
	fi
	for k in $RUNS; do
		for rate in ${R[$k.steady]:-}; do
			v=${R[$k.steady.$rate]}
			echo "  $k: steady $rate/s trigger->NOTIFY p99 <= 5 ms: $(verdict "$(fld "$v" 4)" 5 "a <= b") ($(fld "$v" 4) ms" \
				"over $(fld "$v" 6) users, at $(fld "$v" 2)/s achieved; on the wire, Kamailio's part: $(fld "${R[$k.steady_wire.$rate]:--}" 2) ms)"
		done
	done
	for k in $RUNS; do
		echo "  $k: REGISTER p99 during mass re-authentication <= 2 x idle: $(verdict "${R[$k.reg_ratio]:--}" 2 "a <= b")" \
			"($(fld "${R[$k.reg_mass]:--}" 2) vs $(fld "${R[$k.reg_idle]:--}" 2) ms: ${R[$k.reg_ratio]:--}; UE and trigger sipps at ${R[$k.lg]:--})"
	done
	for k in $RUNS; do
		# phases 5 to 7: the plain runs only (not w2, lg, rt, nr)
		[ "$k" = "${R[$k.n]}" ] || continue
		echo "  $k: shm per pending procedure <= 512 bytes: $(verdict "${R[$k.shm_pending]:--}" 512 "a <= b") (${R[$k.shm_pending]:--})"
		echo "  $k: no growth after ${R[$k.growth_cycles]:--} trigger/complete cycles (< 1 byte per cycle):" \
			"$(growth_verdict "${R[$k.growth]:--}" "${R[$k.growth_cycles]:--}" "${R[$k.growth_subs]:-}")"
		echo "  $k: no growth after ${R[$k.cycles]:--} subscribe/unsubscribe cycles (< 1 byte per cycle):" \
			"$(growth_verdict "${R[$k.cycles_growth]:--}" "${R[$k.cycles]:--}" "${R[$k.cycles_subs]:-}")"
	done
	echo "  shm per subscription: test/bench/run.sh (var/bench/results.txt, sub-only real_used)"
	for n in $W1_NS; do
		echo "  workers=2 vs default (1) at N=$n: completions/s ${R[${n}w2.cps]:--} vs ${R[$n.cps]:--}" \
			"($(ratio "${R[${n}w2.cps]:--}" "${R[$n.cps]:-0}") x)"
	done
	[ "$HAS_WORKERS" = 1 ] || echo "  workers=2 vs default (1): n/a (no \"workers\" parameter in modules/reauth)"

	for k in $RUNS; do
		n=${R[$k.n]}
		echo
		echo "[$k] N=$n, job workers ${R[$k.jw]}, UE and trigger sipps at ${R[$k.lg]}: ${R[$k.status]}; kamailio -m ${R[$k.shm_mb]:-?} (max_used ${R[$k.shm_max]:-?} MB);" \
			"work dir ${OUT#$TOP/}/n$k; users inserted in ${R[$k.insert_secs]:--} s"
		echo "  phase 2: ${R[$k.subs]:--} subscriptions (REGISTER, SUBSCRIBE, initial NOTIFY) in ${R[$k.reg_secs]:--} s;" \
			"${R[$k.target]:--} UEs ready and triggered; ${R[$k.shm_ue]:--} bytes real_used per UE"
		echo "  phase 3: trigger ${R[$k.nt]:--} MESSAGEs in ${R[$k.trig_span]:--} s (${R[$k.trig_ok]:--} x 202, ${R[$k.trig_fail]:--} failed);" \
			"UEs got ${R[$k.nn]:--} re-auth NOTIFYs (last at ${R[$k.n_span]:--} s: ${R[$k.nps_own]:--} NOTIFY/s over their own span)"
		echo "           the stats poll saw ${R[$k.completed]:--} completed at ${R[$k.end_span]:--} s; the UEs got ${R[$k.nc]:--} 200s to their" \
			"re-REGISTER, the last at ${R[$k.span]:--} s (${R[$k.cps_ue]:--}/s as the UEs see it)"
		echo "           the UEs got ${R[$k.nr]:--} NOTIFYs of their refresh, the last at ${R[$k.r_span]:--} s;" \
			"NOTIFYs of every kind in phase 3: ${R[$k.notify_all]:--}"
		echo "           completions/s from 10% to 90% of N (stats polls): ${R[$k.slope]:--}"
		echo "           latency trigger->NOTIFY over ${R[$k.lat_n]:--} users: p50 ${R[$k.p50]:--} ms, p99 ${R[$k.p99]:--} ms, max ${R[$k.pmax]:--} ms"
		echo "           UE calls ${R[$k.ue_ok]:--} ok, ${R[$k.ue_fail]:--} failed; server: reauth_started ${R[$k.started]:--}," \
			"reauth_notify_sent ${R[$k.rnotify]:--}, reauth_notify_failed ${R[$k.rnotify_failed]:--}," \
			"refer_sent ${R[$k.refer]:--}, deregistered ${R[$k.dereg]:--}"
		echo "           shm right after the trigger: ${R[$k.shm_inflight]:--} bytes per procedure (real_used when the trigger sipp" \
			"ended, ${R[$k.inflight_at]:--} s after the first MESSAGE, minus before; ${R[$k.inflight_state]:--};" \
			"queued jobs and NOTIFY transactions included)"
		echo "           CPU from the trigger to all completed (% of one CPU): ${R[$k.cpu]:--}"
		echo "           REGISTER probe (p50 p99 max ms, n): idle ${R[$k.reg_idle]:--}; mass ${R[$k.reg_mass]:--};" \
			"${R[$k.probe_fail]:-0} probe registrations failed; on the wire: idle ${R[$k.wire_idle]:--}; mass ${R[$k.wire_mass]:--}"
		echo "  phase 5: ${R[$k.growth_note]:--}"
		echo "  phase 6: ${R[$k.cycles_note]:--}"
		echo "  phase 7: ${R[$k.pending_note]:--}"
		echo "  phase 1: OPTIONS ${R[$k.opt_ok]:--} answered, ${R[$k.opt_fail]:--} failed in ${R[$k.opt_secs]:--} s;" \
			"CPU (% of one CPU): sipp ${R[$k.opt_sipp_cpu]:--}; ${R[$k.opt_cpu]:--}"
		echo "  counters: ${R[$k.tm]:--}"
		echo "  kamailio.log: ${R[$k.errors]:--} ERROR lines, ${R[$k.locked]:--} 'database is locked'," \
			"${R[$k.reg500]:--} stateless 5xx error replies, ${R[$k.crash]:--} crash lines"
		[ -n "${R[$k.toperr]:-}" ] && printf '%s\n' "${R[$k.toperr]}" | sed 's/^/    /'
		[ -n "${R[$k.ue_errs]:-}" ] && { echo "  sipp aborts:"; printf '%s\n' "${R[$k.ue_errs]}" | sed 's/^/    /'; }
	done
} >"$OUT/results.tmp"
mv "$OUT/results.tmp" "$OUT/results.txt"
cat "$OUT/results.txt"
