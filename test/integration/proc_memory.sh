#!/usr/bin/env bash
# Procedures leave no shared memory behind: 40 re-authentications, each
# cancelled at once (its REFER to a contact nobody answers times out
# later), are all freed keep_finished (1 s here) after their outcome and
# after tm let go of their REFERs; shm real_used comes back to where it was.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"

kam_start "KEEP_FINISHED=1"
pa=$(free_port)
check "alice registers (her contact will not answer)" register_at alice "$pa" 600
shm_used() { kamcmd_ core.shmmem 2>/dev/null | awk '/real_used:/ {print $2}'; }

cycle() {
	local i
	for i in $(seq 1 "$1"); do
		kamcmd_ reauth.user sip:alice@ims.test >/dev/null 2>&1
		kamcmd_ reauth.cancel sip:alice@ims.test >/dev/null 2>&1
		# the notifier starts and cancels it before the next trigger
		for _ in $(seq 1 20); do
			kamcmd_ reauth.show sip:alice@ims.test 2>/dev/null | grep -q "outcome: cancelled" && break
			sleep 0.05
		done
	done
}
# list_empty SECONDS: until reauth.list lists nothing (keep_finished)
list_empty() {
	local i
	for i in $(seq 1 $(($1 * 10))); do
		[ -z "$(kamcmd_ reauth.list 2>&1)" ] && return 0
		sleep 0.1
	done
	kamcmd_ reauth.list 2>&1 | head -20
	return 1
}
cycle 3 # warm-up: first allocations of every kind
# REFERs time out (fr_timer 5 s), then tm's wait timer ends (5 s)
check "warm-up: tm lets go of every transaction" tm_idle 30
check "warm-up: every procedure is freed" list_empty 10
before=$(shm_used)
cycle 40
check_eq "statistics: 43 cancelled" 43 "$(reauth_stat reauth_cancelled)"
check "tm lets go of every transaction" tm_idle 30
check "reauth.list is empty (every procedure freed)" list_empty 10
after=$(shm_used)
log "shm real_used before $before, after $after"
check_range "shared memory back within 4 KiB after 40 procedures ($before -> $after)" \
	0 4096 $((after > before ? after - before : 0))

finish
