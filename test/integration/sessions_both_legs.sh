#!/usr/bin/env bash
# A de-registration ends every ongoing call of the user, both legs, every
# time. The caller answers its BYE with 200 at once (no pause), as a UE
# close to the S-CSCF does: that 200 can move the dialog out of the
# confirmed state before the dialog module has sent the callee's BYE
# (dlg_bye_all sends the legs one after the other and refuses the second
# one then). The module must still get a BYE to the callee.
# ROUNDS de-registrations of alice, each with CALLS calls to bob at once
# (10 x 10: on the old code about one call in ten lost its callee BYE).
# Then a call where alice is the callee: ended too.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"

ROUNDS=${ROUNDS:-10}
CALLS=${CALLS:-10}
TOTAL=$((ROUNDS * CALLS))

# no subscription and no REFER: reauth.user de-registers at once
kam_start REFER_FALLBACK=0

# sipp_calls NAME N: the finished sipp NAME counted N successful calls and
# no failed one
sipp_calls() {
	awk -F'|' -v n="$2" '/Successful call/ { s = $3 } /Failed call/ { f = $3 }
		END { gsub(/ /, "", s); gsub(/ /, "", f); exit !(s == n && f == 0) }' \
		"$WORK/$1.out" 2>/dev/null && return 0
	echo "sipp $1 did not end with $2 successful calls"
	tail -15 "$WORK/$1.err" "$WORK/$1.out" 2>/dev/null
	return 1
}

# sipp_done NAME [SECONDS]: until the sipp started by sipp_bg NAME ended
sipp_done() {
	local pid st i
	eval "pid=\${SIPP_PID_$1:-}"
	for i in $(seq 1 $((${2:-10} * 10))); do
		st=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)
		{ [ -z "$st" ] || [ "$st" = Z ]; } && return 0
		sleep 0.1
	done
	return 1
}

# byes NAME: BYEs (not retransmissions) the sipp NAME received
byes() { sipp_extract "$WORK/$1.msg" received '^BYE ' "$WORK/$1.bye" body; }

# wait_byes NAME N [SECONDS]: until NAME received N BYEs; prints the count
wait_byes() {
	local n i
	for i in $(seq 1 $((${3:-5} * 10))); do
		n=$(byes "$1")
		[ "$n" = "$2" ] && break
		sleep 0.1
	done
	printf '%s' "$n"
}

# confirmed: dialogs in state 4 (confirmed) in dlg.list
confirmed() { kamcmd_ dlg.list 2>/dev/null | grep -c "state: 4"; }

pb=$(free_port)
check "bob registers at :$pb" register_at bob "$pb" 600
# one callee for every call of every round
sipp_bg callee uas_call.xml "$pb" -m "$TOTAL"

callee_byes=0 caller_byes=0
for r in $(seq 1 "$ROUNDS"); do
	pa=$(free_port)
	register_at alice "$pa" 600 || fail "round $r: alice registers at :$pa"
	sipp_bg "caller$r" uac_call_instant.xml "$(free_port)" -s alice -key callee bob \
		-m "$CALLS" -l "$CALLS" -r 100
	for i in $(seq 1 50); do
		[ "$(confirmed)" = "$CALLS" ] && break
		sleep 0.1
	done
	n=$(confirmed)
	[ "$n" = "$CALLS" ] || fail "round $r: $CALLS calls established" "dialogs confirmed: $n"
	reauth_start sip:alice@ims.test >/dev/null
	n=$(wait_stat reauth:reauth_deregistered "$r" 5)
	[ "$n" = "$r" ] || fail "round $r: alice is de-registered" "reauth_deregistered: $n"
	# the caller leg: its sipp ends when every call got its BYE
	if ! sipp_done "caller$r" 10; then
		fail "round $r: the caller's sipp ends (a BYE for every call)"
	else
		out=$(sipp_calls "caller$r" "$CALLS") || fail "round $r: every call of the caller ended with a BYE" "$out"
	fi
	n=$(byes "caller$r")
	caller_byes=$((caller_byes + n))
	[ "$n" = "$CALLS" ] || fail "round $r: the caller received $CALLS BYEs" "received $n"
	callee_byes=$((callee_byes + CALLS))
	n=$(wait_byes callee "$callee_byes" 5)
	[ "$n" = "$callee_byes" ] || fail "round $r: the callee received a BYE for every call" \
		"received $n BYEs in all, $callee_byes expected; $(grep -c 'terminating non-confirmed' "$KAM_LOG") refused by the dialog module"
	[ "$n" = "$callee_byes" ] || callee_byes=$n
done

check_eq "the caller legs received one BYE per call" "$TOTAL" "$caller_byes"
check_eq "the callee leg received one BYE per call" "$TOTAL" "$(wait_byes callee "$TOTAL" 1)"
if sipp_done callee 5; then
	check "the callee's sipp: every call ended well" sipp_calls callee "$TOTAL"
else
	fail "the callee's sipp ends (a BYE for every call)"
fi
# alice as the callee: the dialog module keeps the Request-URI after
# lookup (her contact); the call is found by its To
pa=$(free_port)
check "alice registers again at :$pa" register_at alice "$pa" 600
sipp_bg alice_callee uas_call.xml "$pa" -m 1
sleep 0.3
sipp_bg bob_caller uac_call.xml "$(free_port)" -s bob -key callee alice -m 1
for i in $(seq 1 50); do
	[ "$(confirmed)" = 1 ] && break
	sleep 0.1
done
check_eq "bob calls alice: one confirmed dialog" 1 "$(confirmed)"
reauth_start sip:alice@ims.test >/dev/null
check_eq "alice is de-registered again" "$((ROUNDS + 1))" \
	"$(wait_stat reauth:reauth_deregistered $((ROUNDS + 1)) 5)"
check_eq "the caller (bob) gets a BYE" 1 "$(wait_byes bob_caller 1 5)"
check_eq "the callee (alice) gets a BYE" 1 "$(wait_byes alice_callee 1 5)"
TOTAL=$((TOTAL + 1))
ROUNDS=$((ROUNDS + 1))

check_eq "statistics: de-registrations" "$ROUNDS" "$(reauth_stat reauth_deregistered)"
check_eq "statistics: every session ended" "$TOTAL" "$(wait_stat reauth:sessions_ended "$TOTAL" 2)"
check_eq "statistics: no session failed to end" 0 "$(reauth_stat sessions_end_failed)"
check_eq "statistics: every call was indexed (sessions_untracked)" 0 "$(reauth_stat sessions_untracked)"
check_eq "no dialog left (dlg.list)" "" "$(kamcmd_ dlg.list 2>&1)"
check_eq "the session index is empty after the last de-registration" 0 \
	"$(grep -o "[0-9]* session entries left" "$KAM_LOG" | tail -1 | cut -d" " -f1)"

finish
