#!/usr/bin/env bash
# The procedure decides whom it waits for when it is triggered: the
# subscriptions listed then get the re-authentication NOTIFY and only
# their answers count. A UE SUBSCRIBE that arrives after the trigger,
# while the NOTIFYs are still being sent, gets its own plain NOTIFY, and
# its 200 does not make the procedure wait: here the UE subscription of
# the trigger refuses (500), so the REFER goes out although a newer UE
# subscription accepted its NOTIFY meanwhile. The window is held open on
# purpose: one worker, max_notify_inflight 1, and a mute watcher of alice
# listed before her UE subscription (each of its NOTIFYs is waited out,
# tm fr_timer 5 s).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"

kam_start MAX_NOTIFY_INFLIGHT=1 REAUTH_WORKERS=1
pa=$(free_port) ps=$(free_port) pm=$(free_port)
check "alice registers at :$pa" register_at alice "$pa" 600
sipp_bg ue uas_refer_accept.xml "$pa" -s alice -au alice -ap alice-secret -key expires 600
sipp_bg sub sub_refuse.xml "$ps" -s alice -au alice -ap alice-secret
check "alice's UE subscribes (it will refuse the re-authentication)" wait_subs 1 sip:alice@ims.test
check_eq "... its initial NOTIFY was sent" 1 "$(wait_stat reauth:notify_sent 1)"

perl -MIO::Socket::INET -e '
	my $s = IO::Socket::INET->new(LocalAddr => $ARGV[0], LocalPort => $ARGV[1],
		Proto => "udp") or die "bind: $!";
	1 while defined $s->recv(my $d, 65535);' "$PCSCF_IP" "$pm" &
BG_PIDS="$BG_PIDS $!"
from_pcscf sipp_run mute sub_mute.xml -key ruri sip:alice@ims.test \
	-key from_uri sip:pcscf@ims.test -key mute_port "$pm" -key sub_expires 600 >/dev/null
check "a mute watcher of alice subscribes" wait_subs 2 sip:alice@ims.test

# the worker's line of what a trigger sends is a debug line
kamcmd_ corex.debug 3 >/dev/null
check_contains "reauth.user alice starts" "status: started" "$(reauth_start sip:alice@ims.test)"
check "the trigger lists one UE and one other subscription, one contact" \
	wait_log "1 UE and 1 other subscriptions, 1 contacts" 10
# the worker now waits out the mute watcher's NOTIFYs before the UE's
sipp_bg late sub_ue.xml "$(free_port)" -s alice -key watcher alice -au alice \
	-ap alice-secret -key sub_expires 600 -key notifies 2
check "a second UE subscription of alice arrives while the NOTIFYs go out" \
	wait_subs 3 sip:alice@ims.test
check_eq "the procedure is still notifying" notifying "$(proc_field sip:alice@ims.test state)"
check_sipp "the UE subscription of the trigger refused the re-authentication NOTIFY" sub
check_sipp "the REFER reached the UE, which accepted and registered again" ue
check "the procedure completes" wait_outcome sip:alice@ims.test completed 20
check_sipp "the late subscription got its NOTIFYs and answered 200" late
check_eq "... two: its initial one and the re-registration's" 2 "$(notify_split late)"
check_contact late 1 "$pa" active registered
check_contact late 2 "$pa" active refreshed
check_eq "re-authentication NOTIFYs: the two listed at the trigger" 2 "$(reauth_stat reauth_notify_sent)"
check_eq "one REFER" 1 "$(reauth_stat refer_sent)"
finish
