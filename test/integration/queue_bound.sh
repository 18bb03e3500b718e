#!/usr/bin/env bash
# The job queue is bounded (queue_size): when it is full, a SUBSCRIBE gets
# 503 with Retry-After and a trigger an RPC error, both counted
# (queue_dropped); nothing admitted is lost. Filled on purpose: with
# max_notify_inflight 1 and watchers that never answer, the notifier waits
# for each NOTIFY's timeout (tm fr_timer, 5 s) while SUBSCRIBEs queue up.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"

kam_start QUEUE_SIZE=3 MAX_NOTIFY_INFLIGHT=1
pa=$(free_port) pm=$(free_port)
check "alice registers" register_at alice "$pa" 600

# where the NOTIFYs go: a UDP port that logs each request's Call-ID and
# never answers
perl -MIO::Socket::INET -e '
	$| = 1;
	my $s = IO::Socket::INET->new(LocalAddr => $ARGV[0], LocalPort => $ARGV[1],
		Proto => "udp") or die "bind: $!";
	while (defined $s->recv(my $d, 65535)) {
		my ($m) = $d =~ /^(\S+)/;
		my ($c) = $d =~ /\r\n(?:Call-ID|i)\s*:\s*(\S+)/i;
		print "$m $c\n";
	}' "$PCSCF_IP" "$pm" >"$WORK/mute.log" 2>&1 &
BG_PIDS="$BG_PIDS $!"

from_pcscf sipp_run subs sub_mute.xml -key ruri sip:alice@ims.test \
	-key from_uri sip:pcscf@ims.test -key mute_port "$pm" -key sub_expires 600 \
	-m 12 -r 100 >/dev/null
trig=$(reauth_start sip:alice@ims.test)
ok200=$(sipp_extract "$WORK/subs.msg" received '^SIP/2\.0 200 ' "$WORK/subs.ok" body)
no503=$(sipp_extract "$WORK/subs.msg" received '^SIP/2\.0 503 ' "$WORK/subs.busy" body)
check_eq "every SUBSCRIBE got 200 or 503" 12 "$((ok200 + no503))"
check_range "the queue of 3 admitted a few ($ok200)" 3 6 "$ok200"
check_range "... and refused the rest with 503 ($no503)" 6 9 "$no503"
check_eq "503 says Retry-After: 5" 5 "$(hdr "$WORK/subs.busy.1.hdr" Retry-After)"
check_contains "a trigger meanwhile gets an RPC error" "503 - too much work queued" "$trig"
check_eq "statistics: queue_dropped counts both" "$((no503 + 1))" "$(reauth_stat queue_dropped)"
check_range "statistics: queue_length is at most 3" 0 3 "$(reauth_stat queue_length)"
check "the log says why" log_has "the job queue is full (queue_size 3): 503"

# nothing admitted is lost: each accepted subscription gets its NOTIFY
# (one every 5 s, as the mute watchers let each time out)
check_eq "every admitted subscription got its NOTIFY" "$ok200" \
	"$(wait_stat reauth:notify_sent "$ok200" 45)"
check_eq "... at the mute port, one Call-ID each" "$ok200" \
	"$(awk '$1 == "NOTIFY" { print $2 }' "$WORK/mute.log" | sort -u | wc -l)"
check_eq "the queue is empty again" 0 "$(wait_stat reauth:queue_length 0 5)"
check_contains "a trigger is accepted again" "status: started" "$(reauth_start sip:alice@ims.test)"

finish
