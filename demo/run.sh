#!/usr/bin/env bash
# make demo: network-initiated re-authentication, shown end to end.
#
# Starts the example Kamailio (etc/kamailio.cfg with the built module) on a
# free 127.0.0.1 port with its own databases under var/demo/, then plays
# two stories with sipp user agents (the scenarios of test/sipp/ and
# demo/sipp/):
#
#   A  success: alice's UE (sip:alice@ims.test; sip:alice2@ims.test of the
#      same implicit set) and a P-CSCF-like watcher are registered and
#      subscribed; `kamcmd reauth.user sip:alice@ims.test`; the UE answers
#      the NOTIFY, registers again, is challenged, and the procedure ends
#      "completed".
#   B  failure: alice registered again, calling bob; the UE never answers
#      the NOTIFY and declines the REFER with 603; the network de-registers
#      alice, sends the P-CSCF the terminated NOTIFY and ends the call with a
#      BYE to both legs: "deregistered".
#
# For each story it prints the RPC views at each step and a ladder diagram
# built from what crossed the wire (the sipp -trace_msg files of every
# participant, merged by time stamp, and the S-CSCF's log), and writes the
# diagrams to var/demo/{success,failure}.{txt,svg,png}. Exits 0 only when
# both stories end as expected, so it doubles as a smoke check.
#
# Environment: NO_COLOR=1 (no ANSI colours), DEMO_ASCII=1 (no box-drawing
# characters), COLUMNS (terminal width), KAM_MODULES (Kamailio's modules).
# shellcheck disable=SC2317  # functions run through wait_for/expect
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
DEMO="$TOP/demo"
LIB="$DEMO/lib"
WORK="$TOP/var/demo"
TSIPP="$TOP/test/sipp"
DSIPP="$DEMO/sipp"
IP=127.0.0.1
DOMAIN=ims.test
KAM_MODULES=${KAM_MODULES:-/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)/kamailio/modules}

KAM_PID=""
BG_PIDS=""
CHECKS_OK=0
CHECKS_BAD=0
PROBLEMS=""

# ------------------------------------------------------------ presentation

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then COLOR=1; else COLOR=0; fi
WIDTH=${COLUMNS:-}
if [ -z "$WIDTH" ] && [ -t 1 ]; then WIDTH=$(tput cols 2>/dev/null || echo 120); fi
WIDTH=${WIDTH:-120}
[ "$WIDTH" -gt 140 ] && WIDTH=140
[ "$WIDTH" -lt 100 ] && WIDTH=100
ASCII=${DEMO_ASCII:-0}

esc() { [ "$COLOR" = 1 ] && printf '\033[%sm' "$1"; }
rst() { [ "$COLOR" = 1 ] && printf '\033[0m'; }
rule() {
	local ch="=" i s=""
	[ "$ASCII" = 1 ] || ch="━"
	for ((i = 0; i < WIDTH; i++)); do s+=$ch; done
	printf '%s\n' "$s"
}
h1() {
	echo
	esc "1;36"; rule; printf '  %s\n' "$1"; [ -n "${2:-}" ] && printf '  %s\n' "$2"; rule; rst
}
if [ "$ASCII" = 1 ]; then H2="--"; OKM="[ok]"; BADM="[FAIL]"; else H2="──"; OKM="✔"; BADM="✘"; fi
h2() { echo; esc "1;34"; printf '%s %s\n' "$H2" "$1"; rst; }
say() { printf '   %s\n' "$*"; }
dim() { esc 2; printf '   %s\n' "$*"; rst; }
ok() {
	CHECKS_OK=$((CHECKS_OK + 1))
	esc 32; printf '   %s %s\n' "$OKM" "$1"; rst
}
bad() {
	CHECKS_BAD=$((CHECKS_BAD + 1))
	PROBLEMS="$PROBLEMS
   - $1"
	esc "1;31"; printf '   %s %s\n' "$BADM" "$1"; rst
	[ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/       /' | head -20
	return 0
}
# expect "what" COMMAND...: a check of the demo
expect() {
	local what=$1 out
	shift
	# what the check saw is shown when it fails
	if out=$("$@" 2>&1); then ok "$what"; else bad "$what" "$out"; fi
}
# show a command the way an operator would type it
cmd() { esc 1; printf '   $ %s\n' "$*"; rst; }

# ------------------------------------------------------------ processes

cleanup() {
	local p i
	for p in $BG_PIDS; do kill "$p" 2>/dev/null; done
	for p in $BG_PIDS; do wait "$p" 2>/dev/null; done
	BG_PIDS=""
	[ -n "${BLOCK_PID:-}" ] && kill "$BLOCK_PID" 2>/dev/null
	if [ -n "$KAM_PID" ]; then
		kill "$KAM_PID" 2>/dev/null
		for i in $(seq 1 50); do
			kill -0 "$KAM_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$KAM_PID" 2>/dev/null
		wait "$KAM_PID" 2>/dev/null
		KAM_PID=""
	fi
}
trap cleanup EXIT
trap 'echo; echo "demo: interrupted"; exit 130' INT TERM

die() {
	esc "1;31"; printf 'demo: %s\n' "$1"; rst
	[ -n "${2:-}" ] && printf '%s\n' "$2" | tail -20
	exit 1
}

# a UDP port nobody listens on, above the ephemeral range and the ranges of
# test/integration (so that a test running at the same time is left alone),
# from a block of 100 that this demo claims machine-wide by binding its
# first port, as test/integration/lib.sh does: demos of two checkouts at
# the same time never share a port
claim_block() {
	local i
	rm -f "$WORK/.port_block"
	perl -MIO::Socket::INET -e '
		my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => $ARGV[0],
			Proto => "udp") or exit 1;
		open(my $f, ">", $ARGV[2]) and close($f);
		sleep 1 while getppid() == $ARGV[1];' "$1" "$$" "$WORK/.port_block" \
		</dev/null >/dev/null 2>&1 &
	BLOCK_PID=$!
	for i in $(seq 1 100); do
		[ -f "$WORK/.port_block" ] && return 0
		kill -0 "$BLOCK_PID" 2>/dev/null || break
		sleep 0.05
	done
	kill "$BLOCK_PID" 2>/dev/null
	BLOCK_PID=""
	return 1
}
BLOCK_PID=""
block=$(($$ % 40))
mkdir -p "$WORK"
for _ in $(seq 1 40); do
	claim_block $((61000 + block * 100)) && break
	block=$(((block + 1) % 40))
done
[ -n "$BLOCK_PID" ] || die "no free block of UDP ports in 61000..64999"
PORT_NEXT=$((61000 + block * 100))
free_port() {
	local p=$PORT_NEXT
	while [ "$p" -lt $((61000 + block * 100 + 99)) ]; do
		p=$((p + 1))
		if ! ss -Hlun "sport = :$p" 2>/dev/null | grep -q .; then
			PORT_NEXT=$p
			return 0
		fi
	done
	die "no free UDP port"
}

# the time now as sipp writes it in its traces (local time, microseconds)
now_ts() {
	local t=$EPOCHREALTIME
	printf '%(%Y-%m-%d %H:%M:%S)T.%s' "${t%[.,]*}" "${t#*[.,]}"
}
# Kamailio's log lines, each prefixed with the time it arrived
stamp() {
	local l t
	while IFS= read -r l; do
		t=$EPOCHREALTIME
		printf '%(%Y-%m-%d %H:%M:%S)T.%s %s\n' "${t%[.,]*}" "${t#*[.,]}" "$l"
	done
}

kamcmd_() { kamcmd -s "$KAM_CTL" "$@"; }

# sipp_fg NAME PORT SCENARIO [args]: one UA run to its end, traced in
# $STORY_DIR/NAME.msg; returns sipp's status
sipp_fg() {
	local name=$1 port=$2 scen=$3
	shift 3
	timeout 60 sipp "$IP:$KAM_PORT" -sf "$scen" -i "${SIPP_IP:-$IP}" -p "$port" -m 1 -nostdin -rtcheck loose \
		-trace_msg -message_file "$STORY_DIR/$name.msg" \
		-trace_err -error_file "$STORY_DIR/$name.err" \
		-key domain "$DOMAIN" "$@" >"$STORY_DIR/$name.out" 2>&1
}
# sipp_bg NAME PORT SCENARIO [args]: the same in the background; its PID
# in SIPP_PID_NAME
sipp_bg() {
	local name=$1 port=$2 scen=$3
	shift 3
	timeout 90 sipp "$IP:$KAM_PORT" -sf "$scen" -i "${SIPP_IP:-$IP}" -p "$port" -m 1 -nostdin -rtcheck loose \
		-trace_msg -message_file "$STORY_DIR/$name.msg" \
		-trace_err -error_file "$STORY_DIR/$name.err" \
		-key domain "$DOMAIN" "$@" >"$STORY_DIR/$name.out" 2>&1 &
	BG_PIDS="$BG_PIDS $!"
	eval "SIPP_PID_$name=$!"
}
drop_bg() {
	local p rest=""
	for p in $BG_PIDS; do [ "$p" = "$1" ] || rest="$rest $p"; done
	BG_PIDS=$rest
}
# sipp_done NAME [SECONDS]: wait for the background sipp NAME; succeeds when
# it ended with its one call successful
sipp_done() {
	local name=$1 secs=${2:-30} pid i rc
	eval "pid=\${SIPP_PID_$name:-}"
	[ -n "$pid" ] || return 1
	for ((i = 0; i < secs * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		drop_bg "$pid"
		return 1
	fi
	wait "$pid" 2>/dev/null
	rc=$?
	drop_bg "$pid"
	return $rc
}
sipp_why() { tail -5 "$STORY_DIR/$1.err" 2>/dev/null; }

# until "COMMAND" succeeds, for SECONDS at most
wait_for() {
	local secs=$1 i
	shift
	for ((i = 0; i < secs * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# -------------------------------------------------------------- RPC views

subs_count() {
	kamcmd_ reauth.subscriptions "$@" 2>/dev/null | grep -cE '^[[:space:]]*identity:'
}
has_subs() { [ "$(subs_count "$1")" = "$2" ]; }
# proc_field IDENTITY FIELD: a field of the newest procedure of IDENTITY
proc_field() {
	kamcmd_ reauth.show "$1" 2>/dev/null | rpc_objects "id $2" \
		| sed -n "s/^id=\([0-9]*\)  $2=/\1 /p" | sort -n | tail -1 | cut -d' ' -f2-
}
outcome_is() { [ "$(proc_field "$1" outcome)" = "$2" ]; }
# alice's contact back to the registered expires, alice2's still shortened
ul_expires_ok() {
	local a b
	a=$(kamcmd_ ul.lookup location alice@ims.test | awk '/Expires:/ { print $2; exit }')
	b=$(kamcmd_ ul.lookup location alice2@ims.test | awk '/Expires:/ { print $2; exit }')
	[ "${a:-0}" -ge 590 ] && [ "${b:-999}" -le 60 ] && [ "${b:-0}" -gt 0 ]
}
stat_of() {
	kamcmd_ stats.get_statistics reauth: 2>/dev/null | sed -n "s/^reauth:$1 = //p" | head -1
}

# the objects of a kamcmd answer ({ key: value ... }), one line each,
# only the keys wanted, as key=value; nested lists joined with ","
rpc_objects() {
	awk -v keys="$1" '
	BEGIN { n = split(keys, k, " "); for (i = 1; i <= n; i++) want[k[i]] = i }
	/^[[:space:]]*\{[[:space:]]*$/ { depth++; next }
	/^[[:space:]]*\}[[:space:]]*$/ {
		depth--
		if (depth > 0) { list = ""; next }
		s = ""
		for (i = 1; i <= n; i++) if (k[i] in v) s = s (s == "" ? "" : "  ") k[i] "=" v[k[i]]
		if (s != "") print s
		for (x in v) delete v[x]
		next
	}
	{
		line = $0
		sub(/^[[:space:]]+/, "", line)
		if (line ~ /^[A-Za-z_-]+: \{$/) {
			# a nested list: its items joined with ","
			depth++
			list = line; sub(/:.*/, "", list)
			if (list in want) v[list] = ""
			else list = ""
			next
		}
		if (depth > 1) {
			if (list != "") v[list] = v[list] (v[list] == "" ? "" : ",") line
			next
		}
		i = index(line, ": ")
		if (!i) next
		key = substr(line, 1, i - 1)
		if (key in want) v[key] = substr(line, i + 2)
	}'
}

# the RPC views the operator would look at, compact
view_show() {
	local out
	cmd "kamcmd reauth.show $1"
	if ! out=$(kamcmd_ reauth.show "$1" 2>&1); then say "$out"; return; fi
	printf '%s\n' "$out" \
		| rpc_objects "id state outcome reason deadline_in notify_pending refer_pending contacts identities" \
		| sed -e 's/^/     /' -e 's/  notify_pending=/\n       notify_pending=/'
}
view_subs() {
	local out
	cmd "kamcmd reauth.subscriptions $1"
	out=$(kamcmd_ reauth.subscriptions "$1" 2>&1)
	if ! printf '%s' "$out" | grep -q 'identity:'; then say "  (no subscription)"; return; fi
	printf '%s\n' "$out" | rpc_objects "id kind watcher contact version expires" | sed 's/^/     /'
}
view_ul() {
	local aor out
	for aor in "$@"; do
		cmd "kamcmd ul.lookup location $aor"
		out=$(kamcmd_ ul.lookup location "$aor" 2>&1)
		if ! printf '%s' "$out" | grep -q 'Address:'; then
			say "  $out"
			continue
		fi
		printf '%s\n' "$out" | awk '
			/Address:/ { a = $2 }
			/Expires:/ { printf "     %s  expires=%s s\n", a, $2 }'
	done
}
view_stats() {
	cmd "kamcmd stats.get_statistics reauth:"
	kamcmd_ stats.get_statistics reauth: 2>&1 | sed -n 's/^reauth://p' \
		| awk '{ c[++n] = sprintf("%-24s %4s", $1, $3) }
		END {
			for (i = 1; i <= n; i += 3) {
				s = "     " c[i] "   " c[i + 1] "   " c[i + 2]
				sub(/ +$/, "", s)
				print s
			}
		}'
}
view_dlg() {
	local out
	cmd "kamcmd dlg.list"
	out=$(kamcmd_ dlg.list 2>&1)
	if ! printf '%s' "$out" | grep -q 'state:'; then say "  (no dialog)"; return; fi
	printf '%s\n' "$out" | awk '
		/^[[:space:]]*state:/ && !st { st = $2 }
		/^[[:space:]]*uri:/ && !u { u = $2 }
		/^[[:space:]]*from_uri:/ { f = $2 }
		/^[[:space:]]*to_uri:/ { t = $2 }
		END { printf "     %s -> %s  state=%s (4 = confirmed)\n", f, t, st }'
}

# ------------------------------------------------------------ the diagrams

# notified NAME N: the sipp NAME of this story received N NOTIFYs
notified() {
	[ "$(awk -f "$LIB/sip-events.awk" col=x "$STORY_DIR/$1.msg" 2>/dev/null \
		| awk -F'\t' '$4 == "<" && $5 == "NOTIFY"' | wc -l)" -ge "$2" ]
}

# step TEXT NOTE: an operator's action, a row of the story's ladder
step() { printf '%s\tstep\t-\t-\t%s\t%s\n' "$(now_ts)" "$1" "$2" >>"$STORY_DIR/steps.tsv"; }

# ladder STORY FROM TO TITLE SUBTITLE OUTCOME TONE COLUMN=FILE...: the
# story's rows between two times, drawn in the terminal and to
# var/demo/STORY.{txt,svg,png}
ladder() {
	local story=$1 from=$2 to=$3 title=$4 subtitle=$5 outcome=$6 tone=$7
	shift 7
	local args=() cf rows="$WORK/$story.rows.tsv"
	for cf in "$@"; do
		[ -s "${cf#*=}" ] && args+=("col=${cf%%=*}" "${cf#*=}")
	done
	{
		awk -f "$LIB/sip-events.awk" "${args[@]}"
		awk -f "$LIB/kam-notes.awk" "$KAM_LOG"
		cat "$WORK/$story/steps.tsv" 2>/dev/null
	} | awk -F'\t' -v from="$from" -v to="$to" '$1 >= from && $1 <= to' \
		| awk -f "$LIB/order.awk" | sort -t "$(printf '\t')" -k1,1 -k2,2n -s | cut -f3- >"$rows"
	awk -f "$LIB/ladder-text.awk" -v width="$WIDTH" -v color="$COLOR" -v ascii="$ASCII" "$rows"
	awk -f "$LIB/ladder-text.awk" -v width=130 -v color=0 -v ascii=0 "$rows" >"$WORK/$story.txt"
	awk -f "$LIB/ladder-svg.awk" -v title="$title" -v subtitle="$subtitle" \
		-v outcome="$outcome" -v tone="$tone" "$rows" >"$WORK/$story.svg"
	if [ -n "$RSVG" ]; then
		rsvg-convert -f png -o "$WORK/$story.png" "$WORK/$story.svg" 2>/dev/null \
			|| rm -f "$WORK/$story.png"
	fi
}

# ================================================================= set-up

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
for t in kamailio kamcmd sipp sqlite3 ss awk timeout; do
	command -v "$t" >/dev/null 2>&1 || die "$t is missing: run make deps first"
done
[ -f "$TOP/modules/reauth/reauth.so" ] || die "modules/reauth/reauth.so is missing: run make build first"
[ "${BASH_VERSINFO[0]}" -ge 5 ] || die "bash 5 is needed (EPOCHREALTIME)"

# rsvg-convert turns the SVG diagrams into PNG; installed when missing
RSVG=""
if ! command -v rsvg-convert >/dev/null 2>&1; then
	echo "demo: installing librsvg2-bin (rsvg-convert, for the PNG diagrams)"
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get install -y -qq --no-install-recommends librsvg2-bin >/dev/null 2>&1 \
		|| { $SUDO apt-get update -qq >/dev/null 2>&1 \
			&& $SUDO apt-get install -y -qq --no-install-recommends librsvg2-bin >/dev/null 2>&1; } \
		|| echo "demo: could not install librsvg2-bin: SVG diagrams only"
fi
command -v rsvg-convert >/dev/null 2>&1 && RSVG=rsvg-convert

rm -rf "$WORK"
mkdir -p "$WORK/success" "$WORK/failure"
T_START=$EPOCHREALTIME

# =============================================================== Kamailio

h1 "reauth demo: network-initiated re-authentication (3GPP TS 24.229 5.4.1.6)" \
	"Kamailio $(kamailio -v 2>/dev/null | sed -n 's/^version: kamailio \([^ ]*\).*/\1/p') + the reauth module, etc/kamailio.cfg, sipp user agents"

free_port
KAM_PORT=$PORT_NEXT
KAM_DB="$WORK/kamailio.sqlite"
KAM_RDB="$WORK/reauth.sqlite"
KAM_CTL="unix:$WORK/kamailio_ctl"
KAM_LOG="$WORK/kamailio.log"
"$TOP/scripts/db-init.sh" "$KAM_DB" "$KAM_RDB" >/dev/null || die "db-init failed"
# the P-CSCF of this story, trusted by its address (permissions, group 1)
PCSCF_IP=127.0.0.2
sqlite3 "$KAM_DB" "INSERT INTO address (grp, ip_addr, mask, port, tag) VALUES (1, '$PCSCF_IP', 32, 0, 'pcscf')"

h2 "Starting the S-CSCF"
cmd "kamailio -f etc/kamailio.cfg -A LISTEN=udp:$IP:$KAM_PORT ..."
kamailio -DD -E -f "$TOP/etc/kamailio.cfg" -L "$KAM_MODULES:$TOP/modules/reauth" \
	-Y "$WORK" -m 64 -M 8 \
	-A "LISTEN=udp:$IP:$KAM_PORT" -A "DBURL=\"sqlite://$KAM_DB\"" \
	-A "REAUTH_DBURL=\"sqlite://$KAM_RDB\"" -A "CTL_SOCKET=\"$KAM_CTL\"" \
	-A "WORKERS=2" > >(stamp >"$KAM_LOG") 2>&1 &
KAM_PID=$!
for i in $(seq 1 100); do
	kamcmd_ core.version >/dev/null 2>&1 && break
	kill -0 "$KAM_PID" 2>/dev/null || { KAM_PID=""; sleep 0.2; die "kamailio did not start" "$(tail -20 "$KAM_LOG")"; }
	sleep 0.1
done
kamcmd_ core.version >/dev/null 2>&1 || die "kamailio does not answer kamcmd" "$(tail -20 "$KAM_LOG")"
say "Kamailio (PID $KAM_PID) listens on udp:$IP:$KAM_PORT; ctl socket $KAM_CTL"
say "realm ims.test; implicit registration sets of alice (etc/reauth-identities.sql):"
sqlite3 -separator '  ' "$KAM_RDB" "select '     '||set_id, impu from reauth_identity where impi='alice@ims.test' order by set_id, impu"
dim "modparams: shortened_expires 60, reauth_timeout 120, refer_fallback 1, terminate_sessions 1,"
dim "trusted_watcher sip:pcscf@ims.test from the P-CSCF's address $PCSCF_IP (permissions),"
dim "tm fr_timer 5 s (an unanswered NOTIFY fails after 5 s)"

# ======================================================= A: success path

STORY_DIR="$WORK/success"
h1 "A. Success: the UE answers the NOTIFY and re-registers with digest" \
	"alice's UE and a P-CSCF watch alice's registration; the network asks alice to re-authenticate"

h2 "A1. alice's UE registers sip:alice2 and sip:alice (one implicit set), subscribes to reg"
A_FROM=$(now_ts)
free_port; A_P2=$PORT_NEXT
free_port; A_PA=$PORT_NEXT
free_port; A_PP=$PORT_NEXT
if sipp_fg reg-alice2 "$A_P2" "$TSIPP/ue_register.xml" -s alice2 -au alice2 -ap alice2-secret -key expires 600; then
	ok "sip:alice2@ims.test registered (digest) from :$A_P2"
else
	bad "sip:alice2@ims.test registers" "$(sipp_why reg-alice2)"
fi
sipp_bg ue "$A_PA" "$DSIPP/ue_reauth_demo.xml" -s alice -au alice -ap alice-secret -key expires 600
if wait_for 10 has_subs sip:alice@ims.test 1; then
	ok "sip:alice@ims.test registered (digest) from :$A_PA and subscribed to its reg event"
else
	bad "the UE registers and subscribes" "$(sipp_why ue)"
fi
SIPP_IP=$PCSCF_IP sipp_bg pcscf "$A_PP" "$TSIPP/sub_ue.xml" -s alice -key watcher pcscf -key sub_expires 600 -key notifies 4
if wait_for 10 has_subs sip:alice@ims.test 2; then
	ok "the P-CSCF (sip:pcscf@ims.test, a trusted watcher) subscribed to alice's reg event"
else
	bad "the P-CSCF subscribes" "$(sipp_why pcscf)"
fi
sleep 0.2
view_ul alice@ims.test alice2@ims.test
view_subs sip:alice@ims.test

h2 "A2. The network starts the re-authentication"
step "kamcmd reauth.user sip:alice@ims.test" "operator (RPC)"
cmd "kamcmd reauth.user sip:alice@ims.test"
out=$(kamcmd_ reauth.user sip:alice@ims.test 2>&1)
printf '%s\n' "$out" | rpc_objects "id identity status" | sed 's/^/     /'
case "$out" in *"status: started"*) ok "procedure started" ;; *) bad "reauth.user starts the procedure" "$out" ;; esac
sleep 0.6
say "The NOTIFY is out (alice and alice2 shortened to 60 s); the UE answered 200 and takes"
say "2 s before it registers again:"
view_show sip:alice@ims.test
view_ul alice@ims.test alice2@ims.test

h2 "A3. The UE registers again: challenged (reauth_pending()), then authenticated"
if wait_for 15 outcome_is sip:alice@ims.test completed; then
	ok "the procedure ended: $(proc_field sip:alice@ims.test outcome) ($(proc_field sip:alice@ims.test reason))"
	A_OUTCOME="completed ($(proc_field sip:alice@ims.test reason))"
else
	A_OUTCOME="$(proc_field sip:alice@ims.test outcome) ($(proc_field sip:alice@ims.test reason))"
	bad "the procedure ends completed (it is: $A_OUTCOME)"
fi
# the NOTIFY of the refreshed registration
wait_for 5 notified pcscf 3
sleep 0.3
view_show sip:alice@ims.test
view_ul alice@ims.test alice2@ims.test
dim "(alice is back to 600 s; alice2, whose UE did not re-register it, keeps the shortened expiry)"
view_stats
expect "usrloc: alice back to ~600 s, alice2 still shortened (<= 60 s)" ul_expires_ok
expect "statistics: 1 started, 1 completed, 1 re-authentication NOTIFY answered" \
	test "$(stat_of reauth_started) $(stat_of reauth_completed) $(stat_of reauth_notify_failed)" = "1 1 0"
A_TO=$(now_ts)

h2 "A. Ladder diagram (from the captured messages)"
A_OK=0
[ "$(proc_field sip:alice@ims.test outcome)" = completed ] && A_OK=1
ladder success "$A_FROM" "$A_TO" "A. Re-authentication succeeds" \
	"kamcmd reauth.user sip:alice@ims.test: NOTIFY answered, re-REGISTER challenged and authenticated" \
	"Outcome: $A_OUTCOME" "$([ $A_OK = 1 ] && echo ok || echo bad)" \
	"ue=$STORY_DIR/reg-alice2.msg" "ue=$STORY_DIR/ue.msg" "pcscf=$STORY_DIR/pcscf.msg"

# ================================================================ interlude

h2 "Between A and B: alice's registrations are removed (a clean start for B)"
cmd "kamcmd ul.rm location alice@ims.test; kamcmd ul.rm location alice2@ims.test"
kamcmd_ ul.rm location alice@ims.test >/dev/null 2>&1
kamcmd_ ul.rm location alice2@ims.test >/dev/null 2>&1
if sipp_done ue 10 && sipp_done pcscf 10; then
	ok "the UE and the P-CSCF got the terminated NOTIFY (reason=noresource) and are gone"
else
	bad "the watchers of story A end with the terminated NOTIFY" "$(sipp_why ue; sipp_why pcscf)"
fi
view_subs sip:alice@ims.test

# ======================================================= B: failure path

STORY_DIR="$WORK/failure"
h1 "B. Failure: the UE is silent, declines the REFER, and is de-registered" \
	"alice is in a call with bob; the network asks alice to re-authenticate again"

h2 "B1. alice and bob register; alice's UE and the P-CSCF subscribe; alice calls bob"
B_FROM=$(now_ts)
free_port; B_PA=$PORT_NEXT
free_port; B_PS=$PORT_NEXT
free_port; B_PP=$PORT_NEXT
free_port; B_PB=$PORT_NEXT
free_port; B_PC=$PORT_NEXT
if sipp_fg reg-alice "$B_PA" "$TSIPP/ue_register.xml" -s alice -au alice -ap alice-secret -key expires 600 \
	&& sipp_fg reg-bob "$B_PB" "$TSIPP/ue_register.xml" -s bob -au bob -ap bob-secret -key expires 600; then
	ok "sip:alice@ims.test registered from :$B_PA, sip:bob@ims.test from :$B_PB"
else
	bad "alice and bob register" "$(sipp_why reg-alice; sipp_why reg-bob)"
fi
# the UE at its registered contact: declines the REFER; its subscription
# (another socket of the UE) never answers the re-authentication NOTIFY
sipp_bg ue "$B_PA" "$TSIPP/uas_refer_decline.xml"
sipp_bg sub "$B_PS" "$TSIPP/sub_silent.xml" -s alice -au alice -ap alice-secret
SIPP_IP=$PCSCF_IP sipp_bg pcscf "$B_PP" "$TSIPP/sub_ue.xml" -s alice -key watcher pcscf -key sub_expires 600 -key notifies 3
if wait_for 10 has_subs sip:alice@ims.test 2; then
	ok "alice's UE (from :$B_PS) and the P-CSCF subscribed to alice's reg event"
else
	bad "the UE and the P-CSCF subscribe" "$(sipp_why sub; sipp_why pcscf)"
fi
sipp_bg callee "$B_PB" "$TSIPP/uas_call.xml"
sipp_bg caller "$B_PC" "$TSIPP/uac_call.xml" -s alice -key callee bob
if wait_for 10 sh -c "kamcmd -s '$KAM_CTL' dlg.list 2>/dev/null | grep -q 'state: 4'"; then
	ok "alice (from :$B_PC) called bob: the call is established, tracked by the dialog module"
else
	bad "the call alice -> bob is established" "$(sipp_why caller; sipp_why callee)"
fi
view_ul alice@ims.test bob@ims.test
view_subs sip:alice@ims.test
view_dlg

h2 "B2. The network starts the re-authentication"
step "kamcmd reauth.user sip:alice@ims.test" "operator (RPC)"
cmd "kamcmd reauth.user sip:alice@ims.test"
out=$(kamcmd_ reauth.user sip:alice@ims.test 2>&1)
printf '%s\n' "$out" | rpc_objects "id identity status" | sed 's/^/     /'
case "$out" in *"status: started"*) ok "procedure started" ;; *) bad "reauth.user starts the procedure" "$out" ;; esac
sleep 1
say "The NOTIFY went out; the UE does not answer it (tm gives up after 5 s):"
view_show sip:alice@ims.test
view_ul alice@ims.test

h2 "B3. NOTIFY timeout, REFER declined: every way failed"
if wait_for 20 outcome_is sip:alice@ims.test deregistered; then
	ok "the procedure ended: $(proc_field sip:alice@ims.test outcome) ($(proc_field sip:alice@ims.test reason))"
	B_OUTCOME="deregistered ($(proc_field sip:alice@ims.test reason))"
else
	B_OUTCOME="$(proc_field sip:alice@ims.test outcome) ($(proc_field sip:alice@ims.test reason))"
	bad "the procedure ends deregistered (it is: $B_OUTCOME)"
fi
for n in sub:"the UE's subscription got the NOTIFY (and never answered it)" \
	ue:"the UE declined the REFER with 603" \
	pcscf:"the P-CSCF got its NOTIFYs, the last one terminated" \
	caller:"alice's leg of the call got a BYE from the network" \
	callee:"bob's leg of the call got a BYE from the network"; do
	if sipp_done "${n%%:*}" 15; then ok "${n#*:}"; else bad "${n#*:}" "$(sipp_why "${n%%:*}")"; fi
done
last_ss=$(awk -f "$LIB/sip-events.awk" col=pcscf "$STORY_DIR/pcscf.msg" | awk -F'\t' '$5 == "NOTIFY"' | tail -1 | cut -f6)
case "$last_ss" in
"terminated;reason=deactivated;"*"alice deactivated"*)
	ok "the P-CSCF's last NOTIFY: ${last_ss%%; v*}, alice's contact deactivated" ;;
*) bad "the P-CSCF's last NOTIFY ends the subscription (reason=deactivated)" "$last_ss" ;;
esac
view_show sip:alice@ims.test
view_ul alice@ims.test bob@ims.test
view_subs sip:alice@ims.test
view_dlg
view_stats
expect "usrloc: alice is gone, bob is still registered" \
	sh -c "a=\$(kamcmd -s '$KAM_CTL' ul.lookup location alice@ims.test 2>&1); \
		b=\$(kamcmd -s '$KAM_CTL' ul.lookup location bob@ims.test 2>&1); \
		printf 'alice: %s\nbob: %s\n' \"\$a\" \"\$b\"; \
		echo \"\$a\" | grep -q 'AOR not found' && echo \"\$b\" | grep -q Address:"
expect "no reg event subscription of alice and no dialog left" \
	sh -c "! kamcmd -s '$KAM_CTL' reauth.subscriptions sip:alice@ims.test | grep -q identity: \
		&& ! kamcmd -s '$KAM_CTL' dlg.list | grep -q state:"
expect "statistics: 1 deregistered, 1 session ended, 1 REFER failed" \
	test "$(stat_of reauth_deregistered) $(stat_of sessions_ended) $(stat_of refer_failed)" = "1 1 1"
B_TO=$(now_ts)

h2 "B. Ladder diagram (from the captured messages)"
B_OK=0
[ "$(proc_field sip:alice@ims.test outcome)" = deregistered ] && B_OK=1
ladder failure "$B_FROM" "$B_TO" "B. Re-authentication fails: de-registration" \
	"kamcmd reauth.user sip:alice@ims.test: NOTIFY never answered, REFER declined, alice de-registered, call ended" \
	"Outcome: $B_OUTCOME" bad \
	"ue=$STORY_DIR/reg-alice.msg" "bob=$STORY_DIR/reg-bob.msg" "ue=$STORY_DIR/ue.msg" \
	"ue=$STORY_DIR/sub.msg" "pcscf=$STORY_DIR/pcscf.msg" "ue=$STORY_DIR/caller.msg" \
	"bob=$STORY_DIR/callee.msg"

# ================================================================ summary

cleanup
if grep -qE "CRITICAL|segfault|BUG:" "$KAM_LOG"; then
	bad "the Kamailio log has no crash or memory error" "$(grep -E "CRITICAL|segfault|BUG:" "$KAM_LOG" | head -5)"
fi
T_END=$EPOCHREALTIME
h1 "Summary"
mark() { if [ "$1" = 1 ]; then esc 32; printf '%s' "$OKM"; else esc "1;31"; printf '%s' "$BADM"; fi; rst; }
printf '   %s  A. success path: %s\n' "$(mark $A_OK)" "$A_OUTCOME"
say "     NOTIFY (contacts shortened) -> 200 -> REGISTER -> 401 -> REGISTER (digest) -> 200"
printf '   %s  B. failure path: %s\n' "$(mark $B_OK)" "$B_OUTCOME"
say "     NOTIFY unanswered (408) -> REFER -> 603 -> de-registered, P-CSCF NOTIFY terminated,"
say "     BYE to alice and to bob"
echo
say "ladder diagrams:   var/demo/success.{txt,svg$([ -n "$RSVG" ] && echo ,png)}"
say "                   var/demo/failure.{txt,svg$([ -n "$RSVG" ] && echo ,png)}"
say "captured messages: var/demo/success/*.msg, var/demo/failure/*.msg (sipp -trace_msg)"
say "S-CSCF log:        var/demo/kamailio.log; databases var/demo/*.sqlite"
say "$CHECKS_OK checks passed, $CHECKS_BAD failed, in $(awk -v a="$T_START" -v b="$T_END" 'BEGIN { gsub(",", ".", a); gsub(",", ".", b); printf "%.1f", b - a }') s"
if [ "$CHECKS_BAD" -gt 0 ] || [ "$A_OK" != 1 ] || [ "$B_OK" != 1 ]; then
	esc "1;31"; printf '   demo FAILED:%s\n' "$PROBLEMS"; rst
	exit 1
fi
esc "1;32"; say "demo OK: both paths ended as expected"; rst
exit 0
