# Integration test helpers: a real Kamailio with the built module and
# etc/kamailio.cfg on a free loopback port, sipp user agents, kamcmd.
# Each test sources this file, calls kam_start, runs checks, and ends
# with finish. Every process started here is stopped by its PID.
#
# Ports: every test holds a range of 200 UDP ports of its own, slot N
# being 20000 + N*200 .. +199 (test/run.sh gives each case a TEST_SLOT,
# by hand: TEST_SLOT=100..119). The range is claimed machine-wide by
# binding its first port on 127.0.0.1 (a perl process without
# SO_REUSEADDR, held until the test ends, gone with it whatever kills it):
# a slot another test holds, from this checkout or any other (two suites
# at the same time, a test run by hand), is skipped for the next free one.
# Within its range a test takes ports in order (free_port) and never
# reuses one: no port of a UA that ended still gets a Kamailio's
# retransmissions. Nothing is written outside the checkout.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TEST_NAME=${TEST_NAME:-$(basename "$0" .sh)}
WORK="$TOP/var/test/$TEST_NAME"
SIPP_DIR="$TOP/test/sipp"
SCHEMA_DIR=${SCHEMA_DIR:-$TOP/test/schemas}
KAM_MODULES=${KAM_MODULES:-/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)/kamailio/modules}
IP=127.0.0.1
# the operator's network elements, trusted by address (permissions'
# address table): a P-CSCF and an application server. UEs, and attackers,
# send from $IP. from_pcscf / from_as run a command (sipp_run, sipp_bg...)
# with its UAs on that address.
PCSCF_IP=127.0.0.2
AS_IP=127.0.0.3
from_pcscf() { SIPP_IP=$PCSCF_IP "$@"; }
from_as() { SIPP_IP=$AS_IP "$@"; }
DOMAIN=ims.test
PASSED=0
FAILED=0
KAM_PID=""
BG_PIDS=""
# commands run when the test ends, however it ends (e.g. pg_lib.sh stops
# its PostgreSQL): at_exit COMMAND
EXIT_HOOKS=""
at_exit() { EXIT_HOOKS="$EXIT_HOOKS
$1"; }

rm -rf "$WORK"
mkdir -p "$WORK"

# whatever ends the test (a failed command, a signal, a timeout), what it
# started is stopped: our own PIDs only
cleanup_on_exit() {
	local p
	for p in $BG_PIDS; do kill "$p" 2>/dev/null; done
	[ -n "$KAM_PID" ] && kill "$KAM_PID" 2>/dev/null
	[ -n "$EXIT_HOOKS" ] && eval "$EXIT_HOOKS"
	[ -n "${SLOT_PID:-}" ] && kill "$SLOT_PID" 2>/dev/null
	return 0
}
trap cleanup_on_exit EXIT
trap 'exit 130' INT TERM

# claim_slot N: hold slot N's first port (see the header); fails when it
# is taken. The holder exits when this shell is gone.
claim_slot() {
	local port=$((20000 + $1 * 200)) i
	rm -f "$WORK/.slot"
	perl -MIO::Socket::INET -e '
		my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => $ARGV[0],
			Proto => "udp") or exit 1;
		open(my $f, ">", $ARGV[2]) and close($f);
		sleep 1 while getppid() == $ARGV[1];' "$port" "$$" "$WORK/.slot" \
		</dev/null >/dev/null 2>&1 &
	SLOT_PID=$!
	for i in $(seq 1 100); do
		[ -f "$WORK/.slot" ] && return 0
		kill -0 "$SLOT_PID" 2>/dev/null || break
		sleep 0.05
	done
	kill "$SLOT_PID" 2>/dev/null
	wait "$SLOT_PID" 2>/dev/null
	SLOT_PID=""
	return 1
}
# slots 0..199 (ports 20000..59999); from TEST_SLOT on, the first free one
SLOT=${TEST_SLOT:-$(($$ % 150 + 50))}
for _ in $(seq 1 200); do
	claim_slot "$SLOT" && break
	SLOT=$(((SLOT + 1) % 200))
done
[ -n "${SLOT_PID:-}" ] || { echo "not ok - $TEST_NAME: no free port slot"; exit 1; }
[ "$SLOT" = "${TEST_SLOT:-$SLOT}" ] || echo "# slot $TEST_SLOT is taken: slot $SLOT"
# a UDP port nobody listens on, from this test's range (its first port is
# the claim)
PORT_BASE=$((20000 + SLOT * 200))
free_port() {
	# the next port is kept in a file: callers run this in $(...)
	local p next_file="$WORK/.port_next"
	p=$(cat "$next_file" 2>/dev/null || echo $((PORT_BASE + 1)))
	while [ "$p" -lt $((PORT_BASE + 200)) ]; do
		echo $((p + 1)) >"$next_file"
		if ! ss -Hlun "sport = :$p" 2>/dev/null | grep -q .; then
			echo "$p"
			return 0
		fi
		p=$((p + 1))
	done
	echo "free_port: no port left in this test's range" >&2
	return 1
}

log() { echo "# $*"; }

pass() { PASSED=$((PASSED + 1)); echo "ok - $TEST_NAME: $1"; }
fail() {
	FAILED=$((FAILED + 1))
	echo "not ok - $TEST_NAME: $1"
	[ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/#   /' | head -40
	return 0
}

# check "description" command...: passes when the command succeeds
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then pass "$desc"; else fail "$desc" "$out"; fi
}

# check_contains "description" "needle" "haystack"
check_contains() {
	if printf '%s' "$3" | grep -qF -- "$2"; then pass "$1"
	else fail "$1" "expected to find: $2
in: $3"; fi
}

check_not_contains() {
	if printf '%s' "$3" | grep -qF -- "$2"; then fail "$1" "did not expect: $2
in: $3"
	else pass "$1"; fi
}

# kam_start [extra kamailio -A defines...]: start Kamailio in the
# background on a free port with its own DB, ctl socket and log.
kam_start() {
	KAM_PORT=${KAM_PORT:-$(free_port)}
	KAM_DB="$WORK/kamailio.sqlite"
	KAM_RDB="$WORK/reauth.sqlite"
	KAM_CTL="unix:$WORK/ctl.sock"
	KAM_LOG="$WORK/kamailio.log"
	"$TOP/scripts/db-init.sh" "$KAM_DB" "$KAM_RDB" >/dev/null
	sqlite3 "$KAM_DB" "INSERT INTO address (grp, ip_addr, mask, port, tag)
		VALUES (1, '$PCSCF_IP', 32, 0, 'pcscf'), (2, '$AS_IP', 32, 0, 'as');"
	kam_launch "$@"
}

# (re)start with the same port, DB and socket, e.g. after kam_stop
# (KAM_DBURL, KAM_REAUTH_DBURL: other databases than the sqlite files,
# see pg_lib.sh)
kam_launch() {
	local defs=(-A "LISTEN=udp:$IP:$KAM_PORT"
		-A "DBURL=\"${KAM_DBURL:-sqlite://$KAM_DB}\""
		-A "REAUTH_DBURL=\"${KAM_REAUTH_DBURL:-sqlite://$KAM_RDB}\""
		-A "CTL_SOCKET=\"$KAM_CTL\"" -A "WORKERS=2")
	local d
	for d in "$@"; do defs+=(-A "$d"); done
	kamailio -DD -E -f "${KAM_CFG:-$TOP/etc/kamailio.cfg}" \
		-L "$TOP/modules/reauth:$KAM_MODULES" -Y "$WORK" \
		-m 64 -M 8 "${defs[@]}" >>"$KAM_LOG" 2>&1 &
	KAM_PID=$!
	local i
	for i in $(seq 1 100); do
		if kamcmd -s "$KAM_CTL" core.version >/dev/null 2>&1; then
			log "kamailio $KAM_PID ready on $IP:$KAM_PORT"
			return 0
		fi
		if ! kill -0 "$KAM_PID" 2>/dev/null; then
			fail "kamailio starts" "$(tail -30 "$KAM_LOG")"
			KAM_PID=""
			finish
		fi
		sleep 0.1
	done
	fail "kamailio answers kamcmd within 10s" "$(tail -30 "$KAM_LOG")"
	finish
}

kam_stop() {
	[ -n "$KAM_PID" ] || return 0
	kill "$KAM_PID" 2>/dev/null
	local i
	for i in $(seq 1 50); do
		kill -0 "$KAM_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$KAM_PID" 2>/dev/null
	wait "$KAM_PID" 2>/dev/null
	local rc=$?
	# a clean shutdown exits 0; a crash while stopping (SIGSEGV, abort)
	# is a failure like any other
	if [ $rc -ne 0 ]; then
		fail "kamailio $KAM_PID stops cleanly" "exit status $rc
$(tail -5 "$KAM_LOG")"
	fi
	KAM_PID=""
}

kamcmd_() { kamcmd -s "$KAM_CTL" "$@"; }

# wait_sql DB QUERY EXPECTED [SECONDS]: until the query prints EXPECTED
# (usrloc writes back every timer_interval, 10 s in etc/kamailio.cfg);
# prints what it last read
wait_sql() {
	local out i
	for i in $(seq 1 $((${4:-15} * 5))); do
		out=$(sqlite3 "$1" "$2" 2>&1)
		[ "$out" = "$3" ] && break
		sleep 0.2
	done
	printf '%s' "$out"
}

# (SIPP_REMOTE=HOST:PORT, SIPP_IP=ADDR: another address of Kamailio and
# of the UA, e.g. [::1]:PORT and ::1 for IPv6; the defaults otherwise)
# sipp_run_at NAME PORT SCENARIO [sipp args...]: run one sipp UA to
# completion from a given local port (a UE whose contact must stay the
# same); its messages are logged in $WORK/NAME.msg.
sipp_run_at() {
	local name=$1 port=$2 scen=$3
	shift 3
	timeout 60 sipp "${SIPP_REMOTE:-$IP:$KAM_PORT}" -sf "$SIPP_DIR/$scen" -i "${SIPP_IP:-$IP}" -p "$port" \
		-m 1 -nostdin -rtcheck loose $(sipp_traces "$name") -key domain "$DOMAIN" "$@" \
		>"$WORK/$name.out" 2>&1
	local rc=$?
	if [ $rc -ne 0 ]; then
		echo "sipp $name ($scen) on port $port exited $rc"
		tail -15 "$WORK/$name.err" "$WORK/$name.out" 2>/dev/null
	fi
	return $rc
}

# sipp_run NAME SCENARIO [sipp args...]: the same from a free port
sipp_run() {
	local name=$1 scen=$2
	shift 2
	sipp_run_at "$name" "$(free_port)" "$scen" "$@"
}

# sipp_traces NAME: sipp's trace options into $WORK/NAME.{msg,err,log}
sipp_traces() {
	echo "-trace_msg -message_file $WORK/$1.msg -trace_err -error_file $WORK/$1.err" \
		"-trace_logs -log_file $WORK/$1.log"
}

# sipp_bg NAME SCENARIO PORT [args...]: a UA that keeps running (a UE
# waiting for NOTIFY/REFER); its PID is remembered and stopped at finish.
sipp_bg() {
	local name=$1 scen=$2 port=$3
	shift 3
	timeout 120 sipp "${SIPP_REMOTE:-$IP:$KAM_PORT}" -sf "$SIPP_DIR/$scen" -i "${SIPP_IP:-$IP}" -p "$port" \
		-m 1 -nostdin -rtcheck loose $(sipp_traces "$name") -key domain "$DOMAIN" "$@" \
		>"$WORK/$name.out" 2>&1 &
	BG_PIDS="$BG_PIDS $!"
	eval "SIPP_PID_$name=$!"
}

# register USER [expires]: a UE registers with digest auth; prints nothing
register() {
	local user=$1 expires=${2:-600}
	sipp_run "reg-$user-$RANDOM" ue_register.xml -s "$user" -au "$user" \
		-ap "$user-secret" -key expires "$expires"
}

# validate_reginfo FILE: the body validates against RFC 3680, offline
validate_reginfo() {
	XML_CATALOG_FILES="$SCHEMA_DIR/catalog.xml" xmllint --nonet --noout \
		--schema "$SCHEMA_DIR/reginfo.xsd" "$1"
}

finish() {
	local p
	for p in $BG_PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	if [ -n "$KAM_PID" ] && ! kill -0 "$KAM_PID" 2>/dev/null; then
		fail "kamailio still running at the end" "$(tail -30 "$KAM_LOG")"
		KAM_PID=""
	fi
	kam_stop
	if grep -qE "CRITICAL|segfault|[^E]BUG:" "$KAM_LOG" 2>/dev/null; then
		fail "kamailio log has no crash or memory errors" "$(grep -E "CRITICAL|segfault|[^E]BUG:" "$KAM_LOG" | head)"
	fi
	echo "# $TEST_NAME: $PASSED passed, $FAILED failed"
	echo "$PASSED $FAILED" >"$WORK/result"
	[ "$FAILED" -eq 0 ]
	exit $?
}

# wait_stat GROUP:NAME VALUE [SECONDS]: until Kamailio's statistic (e.g.
# reauth:notify_sent) reads VALUE, 10 s at most; prints what it last read.
# For "nothing more happened" checks, wait for a later marker first (a
# message that must come after, e.g. a new subscription's NOTIFY), then
# this reads the counter that marker settles.
wait_stat() {
	local out i
	for i in $(seq 1 $((${3:-10} * 10))); do
		# kamcmd answers for a group ("reauth:") or a bare name, not both
		out=$(kamcmd_ stats.get_statistics "${1%%:*}:" 2>&1 | sed -n "s/^$1 = //p" | head -1)
		[ "$out" = "$2" ] && break
		sleep 0.1
	done
	printf '%s' "$out"
}

# tm_idle SECONDS: until tm holds no transaction (finished ones are kept
# for its wait timer); fails after SECONDS
tm_idle() {
	local i
	for i in $(seq 1 $(($1 * 10))); do
		[ "$(kamcmd_ tm.stats 2>/dev/null | awk '$1 == "current:" { print $2 }')" = 0 ] && return 0
		sleep 0.1
	done
	kamcmd_ tm.stats
	return 1
}

# wait_log TEXT [SECONDS]: until the Kamailio log has a line with TEXT
# (10 s at most); fails if it never comes
wait_log() {
	local i
	for i in $(seq 1 $((${2:-10} * 10))); do
		grep -qF -- "$1" "$KAM_LOG" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "no line with '$1' in $KAM_LOG within ${2:-10}s"
	return 1
}

# kam_stop_tcp: kam_stop for a Kamailio that listened on TCP. At shutdown
# its tcp_main process logs "CRITICAL: receive_fd(): EOF on N" for each
# SIP worker that exited before it (the unix socket it passes connections
# over is closed): shutdown order, not a fault. Those lines, and only
# those, are dropped from the log before finish reads it.
kam_stop_tcp() {
	kam_stop
	[ -f "$KAM_LOG" ] && sed -i '/CRITICAL: <core> \[core\/pass_fd.c:[0-9]*\]: receive_fd(): EOF on [0-9]*$/d' "$KAM_LOG"
	return 0
}
