#!/usr/bin/env bash
# start_rate: a burst of triggers starts its procedures at the configured
# pace, in trigger order; a trigger that waits for its turn still counts in
# queue_length and against queue_size (503 past it), shows in reauth.show
# as idle, and is counted by starts_held; its deadline counts from its
# start. A negative start_rate keeps Kamailio from starting.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"

# one worker, one procedure a second, a burst of one: four triggers at
# once start at least a second apart each
kam_start START_RATE=1 QUEUE_SIZE=3 REAUTH_WORKERS=1 REAUTH_TIMEOUT=60
users="alice bob carol dave"
pu=$(free_port)
for u in $users; do
	# no subscription: each procedure's first message on the wire is its
	# REFER, to the one UE port below
	check "$u registers at :$pu" register_at "$u" "$pu" 600
done
# the UEs' port: logs the arrival time and Request-URI of each request,
# answers nothing (the REFERs fail, and each procedure de-registers: this
# test only looks at when each started)
perl -MIO::Socket::INET -MTime::HiRes=time -e '
	$| = 1;
	my $s = IO::Socket::INET->new(LocalAddr => $ARGV[0], LocalPort => $ARGV[1],
		Proto => "udp") or die "bind: $!";
	while (defined $s->recv(my $d, 65535)) {
		my ($m, $r) = $d =~ /^(\S+) (\S+)/;
		printf "%.3f %s %s\n", time, $m, $r;
	}' "$IP" "$pu" >"$WORK/ue.log" 2>&1 &
BG_PIDS="$BG_PIDS $!"
sleep 0.3
for u in $users; do
	check_contains "reauth.user $u is accepted" "status: started" "$(reauth_start "sip:$u@ims.test")"
done
# at most one procedure started within the first second; the others wait
check_contains "past queue_size (3 waiting), a trigger gets an RPC error" \
	"503 - too much work queued" "$(reauth_start sip:alice@ims.test)"
check_range "statistics: starts_held counts the waiting triggers" 2 3 "$(reauth_stat starts_held)"
check_range "statistics: queue_length counts them" 1 3 "$(reauth_stat queue_length)"
check_eq "reauth.show: dave waits, idle" idle "$(proc_field sip:dave@ims.test state)"
check_eq "... not started yet" 0 "$(proc_field sip:dave@ims.test started)"

check_eq "every procedure starts in the end" 4 "$(wait_stat reauth:reauth_started 4 20)"
check_eq "the queue is empty again" 0 "$(wait_stat reauth:queue_length 0 5)"
prev=""
for u in $users; do
	s=$(proc_field "sip:$u@ims.test" started)
	dl=$(proc_field "sip:$u@ims.test" deadline_in)
	log "$u started at $s, deadline in $dl s"
	[ -n "$prev" ] && check "$u started after the one triggered before it" test "$s" -ge "$prev"
	[ -z "$prev" ] && first=$s
	prev=$s
done
# 1 per second: dave's start at least 3 s after alice's (2 in whole seconds)
check_range "the pace: dave started 2..15 s after alice" 2 15 "$((prev - first))"
check "the log says start_rate at start-up" log_has "start_rate 1/s"
# on the wire: each user's first REFER (retransmissions left out), in
# trigger order, dave's at least 3 s after alice's (1 per second)
refer_at() { awk -v u="sip:$1@" '$2 == "REFER" && index($3, u) == 1 { print $1; exit }' "$WORK/ue.log"; }
prev=""
for u in $users; do
	t=$(refer_at "$u")
	check "the REFER to $u went out" test -n "$t"
	[ -n "$prev" ] && [ -n "$t" ] && check "... after the one to the user triggered before" \
		awk -v a="$t" -v b="$prev" 'BEGIN { exit !(a >= b) }'
	[ -z "$prev" ] && t_first=$t
	prev=$t
done
gap=$(awk -v a="${prev:-0}" -v b="${t_first:-0}" 'BEGIN { printf "%.2f", a - b }')
check "on the wire: dave's REFER $gap s after alice's, at least 2.9" \
	awk -v g="$gap" 'BEGIN { exit !(g >= 2.9) }'

# a negative rate: Kamailio refuses to start and says why
kam_stop
out=$(timeout 20 kamailio -DD -E -f "$TOP/etc/kamailio.cfg" -L "$TOP/modules/reauth:$KAM_MODULES" \
	-Y "$WORK" -m 64 -M 8 -A "LISTEN=udp:$IP:$KAM_PORT" -A "DBURL=\"sqlite://$KAM_DB\"" \
	-A "REAUTH_DBURL=\"sqlite://$KAM_RDB\"" -A "CTL_SOCKET=\"unix:$WORK/ctl-neg.sock\"" \
	-A "WORKERS=2" -A "START_RATE=-1" 2>&1)
rc=$?
check "start_rate -1: Kamailio does not start" test "$rc" -ne 0 -a "$rc" -ne 124
check_contains "... and says why" "start_rate must be 0 (no limit) or positive (is -1)" "$out"

finish
