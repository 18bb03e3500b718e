#!/usr/bin/env bash
# A full-state NOTIFY that no longer fits a UDP datagram (400 contacts on
# one identity, about 100 kB of reginfo; UDP carries 65507 bytes at most):
# - with TCP listening, it goes over TCP to the watcher's Contact
#   (RFC 3261 18.1.1: the Via says TCP), whole and schema-valid;
# - without TCP, it is not sent: a log line says why and notify_too_large
#   counts it (before, udp_send failed with "Message too long" and the
#   watcher waited in vain);
# - the example cfg bounds registrations instead (registrar max_contacts,
#   MAX_CONTACTS 20): the 21st contact of a user is refused;
# - with the core's udp_mtu set (UDP_MTU=1300, udp_mtu_try_proto TCP), a
#   NOTIFY of 5 contacts, over 1300 bytes, goes over TCP too.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"

NCONTACTS=400

# the watcher's Contact address on UDP and TCP: a perl UA that answers
# every request 200 OK and writes what it got to $WORK/watcher.PROTO.N
watcher_at() {
	perl -MIO::Socket::INET -MIO::Select -e '
		my ($ip, $port, $dir) = @ARGV;
		my $u = IO::Socket::INET->new(LocalAddr => $ip, LocalPort => $port,
			Proto => "udp") or die "udp: $!";
		my $t = IO::Socket::INET->new(LocalAddr => $ip, LocalPort => $port,
			Listen => 5, ReuseAddr => 1) or die "tcp: $!";
		my $sel = IO::Select->new($u, $t);
		my (%buf, $n);
		sub answer {
			my ($msg) = @_;
			my ($hdr) = split /\r\n\r\n/, $msg, 2;
			my @keep = grep { /^(Via|v|From|f|To|t|Call-ID|i|CSeq):/i } split /\r\n/, $hdr;
			return join("\r\n", "SIP/2.0 200 OK", @keep, "Content-Length: 0", "", "");
		}
		sub keep { my ($proto, $msg) = @_; $n++;
			open(my $f, ">", "$dir/watcher.$proto.$n") or die; print $f $msg; close $f; }
		open(my $ready, ">", "$dir/watcher.ready") and close $ready;
		my $end = time + 110;
		while (time < $end) {
			for my $s ($sel->can_read(1)) {
				if ($s == $u) {
					my $peer = $u->recv(my $d, 70000);
					keep("udp", $d);
					$u->send(answer($d), 0, $peer) if $d =~ /^[A-Z]+ /;
				} elsif ($s == $t) {
					my $c = $t->accept; $sel->add($c); $buf{$c} = "";
				} else {
					my $r = sysread($s, my $d, 65536);
					if (!$r) { $sel->remove($s); close $s; next; }
					$buf{$s} .= $d;
					while ($buf{$s} =~ /\r\n\r\n/) {
						my $hl = $-[0] + 4;
						my ($cl) = substr($buf{$s}, 0, $hl) =~ /\r\n(?:Content-Length|l)\s*:\s*(\d+)/i;
						last if length($buf{$s}) < $hl + ($cl // 0);
						my $msg = substr($buf{$s}, 0, $hl + ($cl // 0), "");
						keep("tcp", $msg);
						syswrite($s, answer($msg)) if $msg =~ /^[A-Z]+ /;
					}
				}
			}
		}' "$PCSCF_IP" "$1" "$WORK" </dev/null >"$WORK/watcher.out" 2>&1 &
	BG_PIDS="$BG_PIDS $!"
	local i
	for i in $(seq 1 50); do [ -f "$WORK/watcher.ready" ] && return 0; sleep 0.1; done
	echo "the perl watcher did not start: $(cat "$WORK/watcher.out")"
	return 1
}

# add_contacts N: N contacts for alice straight into usrloc (ul.add: no
# REGISTER, so no registrar max_contacts), one kamcmd each
add_contacts() {
	local i
	for i in $(seq 1 "$1"); do
		kamcmd_ ul.add location alice@ims.test "sip:alice-$i@$IP:$((30000 + i));transport=udp" \
			600 1.0 s:0 0 0 4294967295 >/dev/null 2>&1
	done
	# (ul.lookup of 400 contacts is larger than a kamcmd reply)
	wait_stat usrloc:location_contacts "$1" 5
}

# subscribe: a P-CSCF (trusted by address) watches alice; its Contact is
# the perl watcher
subscribe() {
	from_pcscf sipp_run "mute-$1" sub_mute.xml -key ruri sip:alice@ims.test \
		-key from_uri sip:pcscf@ims.test -key mute_port "$pm" -key sub_expires 600
}

# ---------------------------------------------- with TCP: sent over TCP
KAM_PORT=$(free_port)
kam_start "LISTEN_TCP=tcp:$IP:$KAM_PORT"
pm=$(free_port)
check "the watcher listens on UDP and TCP" watcher_at "$pm"
check_eq "alice has $NCONTACTS contacts" "$NCONTACTS" "$(add_contacts $NCONTACTS)"
check "the watcher subscribes" subscribe tcp
check "its initial NOTIFY arrives" wait_log "over TCP" 10
for i in $(seq 1 50); do ls "$WORK"/watcher.tcp.* >/dev/null 2>&1 && break; sleep 0.1; done
f=$(ls "$WORK"/watcher.tcp.* 2>/dev/null | head -1)
check "the NOTIFY came over TCP" test -n "$f"
check_eq "nothing came over UDP" "" "$(ls "$WORK"/watcher.udp.* 2>/dev/null)"
if [ -n "$f" ]; then
	awk 'NR == 1, /^\r?$/' "$f" | tr -d '\r' >"$WORK/big.hdr"
	awk 'f; /^\r?$/ { f = 1 }' "$f" >"$WORK/big.xml"
	check_contains "NOTIFY: Via says TCP (RFC 3261 18.1.1)" "SIP/2.0/TCP" "$(hdr "$WORK/big.hdr" Via)"
	check_eq "NOTIFY: Request-URI is the watcher's Contact" "sip:mute@$PCSCF_IP:$pm" \
		"$(request_uri "$WORK/big.hdr")"
	size=$(wc -c <"$WORK/big.xml")
	check_range "NOTIFY: the body is larger than a UDP datagram" 65508 10000000 "$size"
	check_eq "NOTIFY: Content-Length is the whole body" "$size" "$(hdr "$WORK/big.hdr" Content-Length)"
	check_eq "NOTIFY: all $NCONTACTS contacts" "$NCONTACTS" "$(contact_count "$WORK/big.xml")"
	check "NOTIFY: the body validates (RFC 3680)" validate_reginfo "$WORK/big.xml"
fi
check_eq "statistics: notify_over_tcp" 1 "$(wait_stat reauth:notify_over_tcp 1)"
check_eq "statistics: nothing too large" 0 "$(reauth_stat notify_too_large)"
check_not_contains "no 'Message too long'" "Message too long" "$(cat "$KAM_LOG")"
kam_stop_tcp

# ------------------------------------- without TCP: not sent, said, counted
rm -f "$WORK"/watcher.*.[0-9]*
# a Kamailio of its own: nothing of the first one (its subscription, its
# contacts) in the DB
rm -f "$WORK"/kamailio.sqlite* "$WORK"/reauth.sqlite*
KAM_LOG="$WORK/kamailio-udp.log"
KAM_PORT=$(free_port)
kam_start
check_eq "alice has $NCONTACTS contacts again" "$NCONTACTS" "$(add_contacts $NCONTACTS)"
check "the watcher subscribes" subscribe udp
check "the log says the NOTIFY does not fit UDP and why" \
	wait_log "does not fit a UDP datagram and cannot go over TCP (no TCP socket)" 10
check_eq "statistics: notify_too_large" 1 "$(wait_stat reauth:notify_too_large 1)"
check_eq "statistics: the NOTIFY counts as failed" 1 "$(reauth_stat notify_failed)"
check_not_contains "no 'Message too long' from udp_send" "Message too long" "$(cat "$KAM_LOG")"
check_eq "nothing reached the watcher" "" "$(ls "$WORK"/watcher.*.[0-9]* 2>/dev/null)"

# ------------------------- the example cfg bounds contacts: MAX_CONTACTS 20
for i in $(seq 1 20); do
	register_at bob "$(free_port)" 600 >/dev/null || break
done
check_eq "bob registers 20 contacts" 20 \
	"$(kamcmd_ ul.lookup location bob@ims.test 2>/dev/null | grep -c 'Address:')"
p=$(free_port)
register_at bob "$p" 600 >/dev/null
last=$(ls -t "$WORK"/reg-bob-"$p"-*.msg | head -1)
check_contains "the 21st is refused by the registrar (max_contacts)" "SIP/2.0 503" \
	"$(grep '^SIP/2.0 ' "$last" | tail -1)"

# ------------- the core's udp_mtu (RFC 3261 18.1.1's 1300 bytes) applies too
kam_stop
rm -f "$WORK"/watcher.* "$WORK"/kamailio.sqlite* "$WORK"/reauth.sqlite*
KAM_LOG="$WORK/kamailio-mtu.log"
KAM_PORT=$(free_port)
kam_start "LISTEN_TCP=tcp:$IP:$KAM_PORT" "UDP_MTU=1300"
pm=$(free_port)
check "a new watcher listens on UDP and TCP" watcher_at "$pm"
check_eq "alice has 5 contacts" 5 "$(add_contacts 5)"
check "the watcher subscribes" subscribe mtu
check_eq "statistics: notify_over_tcp" 1 "$(wait_stat reauth:notify_over_tcp 1)"
for i in $(seq 1 50); do ls "$WORK"/watcher.tcp.* >/dev/null 2>&1 && break; sleep 0.1; done
f=$(ls "$WORK"/watcher.tcp.* 2>/dev/null | head -1)
check "the NOTIFY of 5 contacts (over 1300 bytes) came over TCP" test -n "$f"
check_eq "nothing came over UDP" "" "$(ls "$WORK"/watcher.udp.* 2>/dev/null)"
check_range "it is larger than udp_mtu" 1301 65507 "$(wc -c <"$f")"
kam_stop_tcp

finish
