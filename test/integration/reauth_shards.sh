#!/usr/bin/env bash
# One user's burst does not delay another user's outcome: with two
# workers (REAUTH_WORKERS=2), every job of a user goes to the worker of its
# shard. Y's worker is held up on purpose (three mute watchers of Y, each
# initial NOTIFY waited out with max_notify_inflight 1, tm fr_timer 5 s);
# meanwhile a user A of the other worker is re-authenticated from trigger
# to completion at once. With one worker (reauth_deadline_race.sh) A
# would wait behind Y.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"

kam_start REAUTH_TIMEOUT=30 MAX_NOTIFY_INFLIGHT=1 REAUTH_WORKERS=2
# twelve users: which worker a user gets is a hash, so among twelve two
# workers are all but certain (all on one: 1 in 2048)
users=$(seq -f 'u%02g' 1 12)
for u in $users; do
	sqlite3 "$KAM_DB" "INSERT INTO subscriber (username, domain, password)
		VALUES ('$u', '$DOMAIN', '$u-secret');"
done
declare -A port worker
for u in $users; do
	port[$u]=$(free_port)
	register_at "$u" "${port[$u]}" 600 || fail "$u registers"
	# its UE watches itself and answers every NOTIFY until the test ends
	sipp_bg "ue_$u" sub_ue.xml "$(free_port)" -s "$u" -key watcher "$u" -au "$u" \
		-ap "$u-secret" -key sub_expires 600 -key notifies 99
done
for u in $users; do
	wait_subs 1 "sip:$u@$DOMAIN" >/dev/null || fail "$u's UE subscribes"
	worker[$u]=$(subs_field worker "sip:$u@$DOMAIN" | xargs)
done
check "every subscription was given a worker (0 or 1)" \
	test -z "$(for u in $users; do echo "${worker[$u]}"; done | grep -v '^[01]$')"
A=u01 Y=""
for u in $users; do [ "${worker[$u]}" != "${worker[$A]}" ] && { Y=$u; break; }; done
check "the users are spread over both workers" test -n "$Y"
log "A=$A (worker ${worker[$A]}), Y=$Y (worker ${worker[$Y]})"

# hold Y's worker: three mute watchers, each NOTIFY waited out 5 s
pm=$(free_port)
perl -MIO::Socket::INET -e '
	my $s = IO::Socket::INET->new(LocalAddr => $ARGV[0], LocalPort => $ARGV[1],
		Proto => "udp") or die "bind: $!";
	1 while defined $s->recv(my $d, 65535);' "$PCSCF_IP" "$pm" &
BG_PIDS="$BG_PIDS $!"
from_pcscf sipp_run mute sub_mute.xml -key ruri "sip:$Y@$DOMAIN" \
	-key from_uri sip:pcscf@ims.test -key mute_port "$pm" -key sub_expires 600 \
	-m 3 -r 100 >/dev/null
check "Y's mute watchers subscribed" wait_subs 4 "sip:$Y@$DOMAIN"
t0=$(date +%s.%N)
check_contains "reauth.user A starts" "status: started" "$(reauth_start "sip:$A@$DOMAIN")"
check "A's UE accepts the NOTIFY at once (the procedure awaits its REGISTER)" \
	wait_state "sip:$A@$DOMAIN" awaiting-register 3
check "A registers again with its credentials" register_at "$A" "${port[$A]}" 600
check "A's procedure completes" wait_outcome "sip:$A@$DOMAIN" completed 3
t1=$(date +%s.%N)
# Y's worker is still on its mute watchers: one of them has had no NOTIFY
check_contains "... while Y's worker is still held up (a mute watcher still waits for its first NOTIFY)" \
	"0" "$(kamcmd_ reauth.subscriptions "sip:$Y@$DOMAIN" 2>&1 | sed -n 's/^[[:space:]]*version:[[:space:]]*//p' | sort -n | head -1)"
check "A took under 4 s from trigger to completion (Y's worker holds for 10 s)" \
	perl -e 'exit(($ARGV[1] - $ARGV[0]) < 4 ? 0 : 1)' "$t0" "$t1"
check_eq "A's procedure ran on A's worker" "${worker[$A]}" "$(proc_field "sip:$A@$DOMAIN" worker)"

# worker_nice (default 10): the module's workers run below the SIP workers
# nice_of DESCRIPTION: the nice values of the processes core.psx describes so
nice_of() {
	kamcmd_ core.psx 2>&1 | awk -v d="$1" '/PID:/ { pid = $2 } /DSC:/ && index($0, d) { print pid }' |
		while read -r p; do ps -o ni= -p "$p" | xargs; done | sort -u | xargs
}
# relative to the SIP workers: the suite itself may run under nice (the
# kernel caps the sum at 19)
base=$(nice_of "udp receiver")
want=$((base + 10 > 19 ? 19 : base + 10))
check_eq "the SIP workers share one nice value" 1 "$(echo "$base" | wc -w)"
check_eq "both reauth workers run 10 below the SIP workers (nice $want)" "$want" "$(nice_of "reauth worker")"
check_eq "the DB writer too" "$want" "$(nice_of "reauth db writer")"
finish
