#!/usr/bin/env bash
# A re-REGISTER that reached the server before the deadline completes the
# procedure, however late the module's process gets to it; a cancel holds
# when it is answered, before that process has seen the trigger. Here the
# process is held up on purpose: bob's watchers never answer and
# max_notify_inflight is 1, so it waits out each of their NOTIFYs (tm
# fr_timer, 5 s) while alice's deadline (4 s) passes with her
# authenticated REGISTER already saved. One worker (REAUTH_WORKERS=1): bob
# and alice share it, as two users may share one of several workers
# (reauth_shards.sh shows them apart on two).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"

kam_start REAUTH_TIMEOUT=4 MAX_NOTIFY_INFLIGHT=1 REAUTH_WORKERS=1
pa=$(free_port) pb=$(free_port) pm=$(free_port)
check "alice registers" register_at alice "$pa" 600
check "bob registers" register_at bob "$pb" 600

# alice's UE subscription (digest, from her registered address): accepts
# the re-authentication NOTIFY, so the procedure waits for her REGISTER
sipp_bg ue sub_ue.xml "$(free_port)" -s alice -key watcher alice -au alice -ap alice-secret \
	-key sub_expires 600 -key notifies 2
check "alice's UE subscribes" wait_subs 1 sip:alice@ims.test
check_eq "... as her UE" ue "$(subs_field kind sip:alice@ims.test | xargs)"

# bob's watchers: their NOTIFYs go to a port where nothing answers
perl -MIO::Socket::INET -e '
	my $s = IO::Socket::INET->new(LocalAddr => $ARGV[0], LocalPort => $ARGV[1],
		Proto => "udp") or die "bind: $!";
	1 while defined $s->recv(my $d, 65535);' "$PCSCF_IP" "$pm" &
BG_PIDS="$BG_PIDS $!"

check_contains "reauth.user alice starts (deadline in 4 s)" "status: started" \
	"$(reauth_start sip:alice@ims.test)"
check_sipp "her UE accepted the re-authentication NOTIFY" ue
check_eq "the procedure awaits her REGISTER" awaiting-register "$(proc_field sip:alice@ims.test state)"
# hold the module's process up: three mute watchers of bob
from_pcscf sipp_run mute sub_mute.xml -key ruri sip:bob@ims.test \
	-key from_uri sip:pcscf@ims.test -key mute_port "$pm" -key sub_expires 600 \
	-m 3 -r 100 >/dev/null
# meanwhile a cancel is true when it is answered, though the process has
# not seen the trigger yet: a new trigger right after it is accepted
check_contains "reauth.user bob starts (its job waits in the queue)" "status: started" \
	"$(reauth_start sip:bob@ims.test)"
check_contains "reauth.cancel bob answers cancelled" "status: cancelled" \
	"$(kamcmd_ reauth.cancel sip:bob@ims.test 2>&1)"
check_eq "... and it is (reauth.show)" "done cancelled" \
	"$(proc_field sip:bob@ims.test state) $(proc_field sip:bob@ims.test outcome)"
check_contains "a new reauth.user bob is accepted at once" "status: started" \
	"$(reauth_start sip:bob@ims.test)"
check_contains "... and cancelled too" "status: cancelled" \
	"$(kamcmd_ reauth.cancel sip:bob@ims.test 2>&1)"
check "alice registers again with her credentials, before the deadline" \
	register_at alice "$pa" 600
check_eq "... while the process is still held up (her procedure not done yet)" \
	awaiting-register "$(proc_field sip:alice@ims.test state)"
check "the procedure completes, after its deadline" wait_outcome sip:alice@ims.test completed 20
check_eq "... because she re-registered" re-registered "$(proc_field sip:alice@ims.test reason)"
check_contains "alice is still registered" "AoR: alice@ims.test" "$(kamcmd_ ul.dump 2>&1)"
check_eq "statistics: alice completed, nobody de-registered, bob cancelled twice" "1 0 2" \
	"$(reauth_stat reauth_completed) $(reauth_stat reauth_deregistered) $(reauth_stat reauth_cancelled)"
check_eq "bob's queued triggers found their procedures cancelled: none started" "1" \
	"$(reauth_stat reauth_started)"

finish
