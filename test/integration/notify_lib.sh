# Helpers for the reg-event notifier tests (RFC 3680). Source after lib.sh:
#   . "$(dirname "$0")/lib.sh"
#   . "$(dirname "$0")/notify_lib.sh"
# Reads what crossed the wire from sipp's -trace_msg files ($WORK/NAME.msg,
# written by sipp_run / sipp_bg / sipp_run_at), with awk, sed and xmllint
# only (no python).
#
# Run on its own (bash test/integration/notify_lib.sh; test/run.sh skips
# *lib.sh) it checks its own trace parser on a canned sipp trace.

# ---------------------------------------------------------------- sipp

# register_at USER PORT [EXPIRES]: register (digest) the contact
# sip:USER@127.0.0.1:PORT;transport=udp; again to refresh it.
register_at() {
	local user=$1 port=$2 expires=${3:-600}
	sipp_run_at "reg-$user-$port-$RANDOM" "$port" ue_register.xml -s "$user" \
		-au "$user" -ap "$user-secret" -key expires "$expires"
}

# unregister_at USER PORT: REGISTER Expires: 0 for that contact (digest)
unregister_at() {
	local user=$1 port=$2
	sipp_run_at "unreg-$user-$port-$RANDOM" "$port" ue_unregister.xml -s "$user" \
		-au "$user" -ap "$user-secret"
}

# contact_uri USER PORT: the contact register_at USER PORT registers
contact_uri() { echo "sip:$1@$IP:$2;transport=udp"; }

# sipp_wait NAME [SECONDS]: wait (130 s at most) for the sipp started by
# sipp_bg NAME to end; succeeds when its call succeeded. Safe inside
# $(...) and check (where the shell cannot wait for its parent's jobs):
# the result is read from sipp's final statistics in $WORK/NAME.out.
sipp_wait() {
	local name=$1 secs=${2:-130} pid i st
	eval "pid=\${SIPP_PID_$name:-}"
	[ -n "$pid" ] || { echo "no sipp_bg $name"; return 99; }
	for i in $(seq 1 $((secs * 10))); do
		st=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)
		{ [ -z "$st" ] || [ "$st" = Z ]; } && break
		sleep 0.1
	done
	if [ -n "$st" ] && [ "$st" != Z ]; then
		echo "sipp $name still running after ${secs}s"
		return 1
	fi
	sipp_succeeded "$name"
}

# sipp_succeeded NAME: the finished sipp NAME counted 1 successful call
# and no failed one
sipp_succeeded() {
	if awk -F'|' '/Successful call/ { s = $3 } /Failed call/ { f = $3 }
		END { gsub(/ /, "", s); gsub(/ /, "", f); exit !(s == 1 && f == 0) }' \
		"$WORK/$1.out" 2>/dev/null; then
		return 0
	fi
	echo "sipp $1 did not end with one successful call"
	tail -15 "$WORK/$1.err" "$WORK/$1.out" 2>/dev/null
	return 1
}

# ------------------------------------------------------- trace parsing

# sipp_extract MSGFILE DIR REGEX PREFIX BODYEXT: every message of the sipp
# trace MSGFILE that went in direction DIR ("received" or "sent") and whose
# start line matches the awk REGEX is written, in trace order, to
# PREFIX.N.hdr (start line and headers, CR removed), PREFIX.N.BODYEXT (the
# body, maybe empty) and PREFIX.N.time (the trace's time stamp), N = 1, 2...
# A retransmission (same start line, Call-ID and CSeq as an earlier one) is
# skipped. Prints how many messages were written.
sipp_extract() {
	local msgfile=$1 dir=$2 re=$3 prefix=$4 ext=$5
	rm -f "$prefix".[0-9]*."hdr" "$prefix".[0-9]*."$ext" "$prefix".[0-9]*.time
	[ -f "$msgfile" ] || { echo 0; return 0; }
	awk -v want="$dir" -v re="$re" -v prefix="$prefix" -v ext="$ext" '
	function hname(line,   i) {
		i = index(line, ":")
		if (!i) return ""
		line = tolower(substr(line, 1, i - 1))
		gsub(/[ \t]/, "", line)
		return line
	}
	function hval(line,   i) {
		i = index(line, ":")
		line = substr(line, i + 1)
		sub(/^[ \t]+/, "", line)
		sub(/[ \t]+$/, "", line)
		return line
	}
	function done(   key, f) {
		if (state == "" || mdir != want || start !~ re) return
		sub(/\n+$/, "\n", body)
		if (body == "\n") body = ""
		key = start "|" callid "|" cseq
		if (key in seen) return
		seen[key] = 1
		n++
		f = prefix "." n
		printf "%s", hdr > (f ".hdr"); close(f ".hdr")
		printf "%s", body > (f "." ext); close(f "." ext)
		print ts > (f ".time"); close(f ".time")
	}
	/^-----------------------------------------------( |$)/ {
		done()
		state = "meta"; ts = $2 " " $3; mdir = ""; start = ""
		hdr = ""; body = ""; callid = ""; cseq = ""
		next
	}
	state == "meta" {
		if ($0 ~ /^[A-Za-z]+ message received/) mdir = "received"
		else if ($0 ~ /^[A-Za-z]+ message sent/) mdir = "sent"
		else if ($0 ~ /^\r?$/ && mdir != "") state = "start"
		next
	}
	{ sub(/\r$/, "") }
	state == "start" {
		if ($0 == "") next
		start = $0; hdr = $0 "\n"; state = "hdr"; next
	}
	state == "hdr" {
		if ($0 == "") { state = "body"; next }
		hdr = hdr $0 "\n"
		h = hname($0)
		if (h == "call-id" || h == "i") callid = hval($0)
		if (h == "cseq") cseq = hval($0)
		next
	}
	state == "body" { body = body $0 "\n" }
	END { done(); print n + 0 }
	' "$msgfile"
}

# notify_split NAME: the NOTIFYs NAME received, in arrival order, into
# $WORK/NAME.notify.N.hdr and $WORK/NAME.notify.N.xml (N from 1); prints
# how many (notify_count NAME: the same, for reading the count).
notify_split() {
	sipp_extract "$WORK/$1.msg" received '^NOTIFY ' "$WORK/$1.notify" xml
}
notify_count() { notify_split "$1"; }
notify_hdr_file() { echo "$WORK/$1.notify.$2.hdr"; }
notify_body() { echo "$WORK/$1.notify.$2.xml"; }

# responses_split NAME: the responses NAME received, into
# $WORK/NAME.resp.N.hdr (+ .body); prints how many
responses_split() {
	sipp_extract "$WORK/$1.msg" received '^SIP/2\.0 ' "$WORK/$1.resp" body
}

# requests_sent NAME METHOD: the METHOD requests NAME sent, into
# $WORK/NAME.sent-METHOD.N.hdr; prints how many
requests_sent() {
	sipp_extract "$WORK/$1.msg" sent "^$2 " "$WORK/$1.sent-$2" body
}

# initial_sub_cseq NAME: the CSeq number of the last SUBSCRIBE without a
# To-tag that NAME sent: 1, or 2 when the first was challenged (401)
initial_sub_cseq() {
	local n i f cs=1
	n=$(requests_sent "$1" SUBSCRIBE)
	for i in $(seq 1 "$n"); do
		f="$WORK/$1.sent-SUBSCRIBE.$i.hdr"
		[ -z "$(tag_of "$(hdr "$f" To)")" ] && cs=$(hdr "$f" CSeq | awk '{print $1}')
	done
	echo "$cs"
}

# final_response NAME [CSEQNUM]: path of the .hdr of the first final
# (>= 200) response NAME received (to the request with that CSeq number);
# empty when there is none
final_response() {
	local name=$1 want=${2:-} n i f code cs
	n=$(responses_split "$name")
	for i in $(seq 1 "$n"); do
		f="$WORK/$name.resp.$i.hdr"
		code=$(status_code "$f")
		[ "${code:-0}" -ge 200 ] || continue
		if [ -n "$want" ]; then
			cs=$(hdr "$f" CSeq | awk '{print $1}')
			[ "$cs" = "$want" ] || continue
		fi
		echo "$f"
		return 0
	done
}

# hdr FILE NAME: the value of the first NAME header of a .hdr file
# (case-insensitive, compact forms too); empty when absent
hdr() {
	awk -v want="$2" '
	BEGIN {
		w = tolower(want)
		c["call-id"] = "i"; c["contact"] = "m"; c["content-type"] = "c"
		c["content-length"] = "l"; c["event"] = "o"; c["from"] = "f"
		c["to"] = "t"; c["via"] = "v"; c["subject"] = "s"
		alias = (w in c) ? c[w] : ""
	}
	NR > 1 {
		i = index($0, ":")
		if (!i) next
		name = tolower(substr($0, 1, i - 1))
		gsub(/[ \t]/, "", name)
		if (name != w && name != alias) next
		v = substr($0, i + 1)
		sub(/^[ \t]+/, "", v); sub(/[ \t]+$/, "", v)
		print v
		exit
	}' "$1" 2>/dev/null
}

start_line() { head -1 "$1" 2>/dev/null; }
status_code() { start_line "$1" | awk '{print $2}'; }
# request_uri FILE: the Request-URI of a request's .hdr file
request_uri() { start_line "$1" | awk '{print $2}'; }

# tag_of HEADERVALUE: the tag parameter of a From/To value
tag_of() {
	printf '%s\n' "$1" | sed -e 's/^[^>]*>//' \
		-n -e 's/.*;[[:space:]]*tag=\([^;[:space:]]*\).*/\1/p'
}
# uri_full HEADERVALUE: the URI of a name-addr with its parameters
uri_full() {
	printf '%s\n' "$1" | sed -n -e 's/^[^<]*<\([^>]*\)>.*/\1/p'
}
# param_of VALUE NAME: a ;NAME=value parameter (e.g. expires, reason)
param_of() {
	printf '%s\n' "$1" | tr ';' '\n' | sed -n "s/^[[:space:]]*$2[[:space:]]*=[[:space:]]*//p" \
		| head -1
}
# first_token VALUE: the value before any ';' (e.g. "active" of
# "active;expires=600"), trimmed, lower case
first_token() {
	printf '%s\n' "$1" | sed -e 's/;.*//' -e 's/[[:space:]]//g' | tr '[:upper:]' '[:lower:]'
}

# to_epoch "YYYY-MM-DD HH:MM:SS.uuuuuu": seconds (integer)
to_epoch() { date -d "$1" +%s 2>/dev/null; }
notify_epoch() { to_epoch "$(cat "$WORK/$1.notify.$2.time")"; }

# kam_errors: the last ERROR/WARNING lines of the Kamailio log (diagnostics)
kam_errors() {
	grep -E "ERROR|WARNING|CRITICAL" "$KAM_LOG" 2>/dev/null | tail -8
}

# wait_notifies NAME N [SECONDS]: until NAME has received N NOTIFYs
wait_notifies() {
	local name=$1 want=$2 secs=${3:-15} i
	for i in $(seq 1 $((secs * 10))); do
		if [ "$(notify_split "$name")" -ge "$want" ]; then
			# split again: the last message may have been half written
			sleep 0.2
			notify_split "$name" >/dev/null
			return 0
		fi
		sleep 0.1
	done
	echo "$name received $(notify_split "$name") NOTIFY, waited for $want within ${secs}s"
	kam_errors
	return 1
}

# wait_final_response NAME CSEQNUM [SECONDS]: until NAME has a final answer
# to its request with that CSeq number
wait_final_response() {
	local i
	for i in $(seq 1 $((${3:-10} * 10))); do
		[ -n "$(final_response "$1" "$2")" ] && return 0
		sleep 0.1
	done
	echo "$1: no final response to CSeq $2 within ${3:-10}s"
	return 1
}

# -------------------------------------------------------------- reginfo

# rx FILE XPATH: evaluate an XPath 1.0 expression (string/number) on a body
rx() { xmllint --nonet --xpath "$2" "$1" 2>/dev/null; }

reginfo_version() { rx "$1" 'string(/*[local-name()="reginfo"]/@version)'; }
reginfo_state() { rx "$1" 'string(/*[local-name()="reginfo"]/@state)'; }
# reg_attr FILE AOR ATTR: attribute of the <registration aor="AOR">
reg_attr() {
	rx "$1" "string(/*[local-name()=\"reginfo\"]/*[local-name()=\"registration\"][@aor=\"$2\"]/@$3)"
}
reg_count() { rx "$1" 'count(/*[local-name()="reginfo"]/*[local-name()="registration"])'; }
# reg_aors FILE: the aor of every registration, sorted, one a line
reg_aors() { perl -ne 'print "$1\n" while /<(?:\w+:)?registration\b[^>]*?\baor="([^"]*)"/g' "$1" | sort; }
# contact_count FILE [AOR]: contacts in the document (of that registration)
contact_count() {
	if [ -n "${2:-}" ]; then
		rx "$1" "count(//*[local-name()=\"registration\"][@aor=\"$2\"]/*[local-name()=\"contact\"])"
	else
		rx "$1" 'count(//*[local-name()="contact"])'
	fi
}
# _cpred PORT: XPath predicate for the contact whose <uri> is at
# 127.0.0.1:PORT (followed by ';' or the end of the URI)
_cpred() {
	echo "[contains(concat(normalize-space(*[local-name()=\"uri\"]),\";\"),\"@$IP:$1;\")]"
}
# contact_attr FILE PORT ATTR: attribute of the contact at 127.0.0.1:PORT
contact_attr() { rx "$1" "string(//*[local-name()=\"contact\"]$(_cpred "$2")/@$3)"; }
# contact_uri_text FILE PORT: its <uri> text
contact_uri_text() {
	rx "$1" "normalize-space(//*[local-name()=\"contact\"]$(_cpred "$2")/*[local-name()=\"uri\"])"
}
contacts_at() { rx "$1" "count(//*[local-name()=\"contact\"]$(_cpred "$2"))"; }

# ----------------------------------------------------------- assertions

# check_eq "description" EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then pass "$1"
	else fail "$1" "expected: '$2'
got:      '$3'"; fi
}
# check_range "description" MIN MAX ACTUAL (integers)
check_range() {
	if [[ "$4" =~ ^[0-9]+$ ]] && [ "$4" -ge "$2" ] && [ "$4" -le "$3" ]; then
		pass "$1"
	else fail "$1" "expected an integer in $2..$3, got '$4'"; fi
}

# sub_dialog NAME: from the trace of watcher NAME, set SUB_CALLID,
# SUB_LTAG (watcher's From tag), SUB_LCONTACT (its Contact URI) from the
# first SUBSCRIBE it sent, and SUB_RTAG (To-tag), SUB_RCONTACT (Contact
# URI with parameters), SUB_EXPIRES, SUB_CODE from the final answer to it.
sub_dialog() {
	local name=$1 f
	SUB_CALLID="" SUB_LTAG="" SUB_LCONTACT="" SUB_RTAG="" SUB_RCONTACT=""
	SUB_EXPIRES="" SUB_CODE=""
	requests_sent "$name" SUBSCRIBE >/dev/null
	f="$WORK/$name.sent-SUBSCRIBE.1.hdr"
	[ -f "$f" ] || return 1
	SUB_CALLID=$(hdr "$f" Call-ID)
	SUB_LTAG=$(tag_of "$(hdr "$f" From)")
	SUB_LCONTACT=$(uri_full "$(hdr "$f" Contact)")
	f=$(final_response "$name" "$(initial_sub_cseq "$name")")
	[ -n "$f" ] || return 1
	SUB_RESP=$f
	SUB_CODE=$(status_code "$f")
	SUB_RTAG=$(tag_of "$(hdr "$f" To)")
	SUB_RCONTACT=$(uri_full "$(hdr "$f" Contact)")
	SUB_EXPIRES=$(hdr "$f" Expires)
}

# check_subscribe_ok NAME [MAXEXPIRES]: the watcher's first SUBSCRIBE got
# 200 OK with a To-tag, a Contact of this server and an Expires
check_subscribe_ok() {
	local name=$1 max=${2:-600}
	sub_dialog "$name"
	check_eq "$name: SUBSCRIBE answered 200" 200 "$SUB_CODE"
	if [ -n "$SUB_RTAG" ]; then pass "$name: the 200 has a To-tag ($SUB_RTAG)"
	else fail "$name: the 200 has a To-tag" "$(cat "$SUB_RESP" 2>/dev/null)"; fi
	case "$SUB_RCONTACT" in
	sip:*"$IP:$KAM_PORT"*) pass "$name: the 200 has a Contact of this server ($SUB_RCONTACT)" ;;
	*) fail "$name: the 200 has a Contact sip:...$IP:$KAM_PORT..." "got '$SUB_RCONTACT'" ;;
	esac
	check_range "$name: the 200 has Expires: 1..$max" 1 "$max" "$SUB_EXPIRES"
}

# check_notify NAME N VERSION AOR: the N-th NOTIFY NAME received is a
# request of the subscription dialog (sub_dialog NAME first), with
# Event: reg, a Subscription-State, Content-Type application/reginfo+xml
# and a body that validates against RFC 3680, has version VERSION, a
# registration for AOR and the same registrations as NOTIFY 1; its CSeq
# is above the previous NOTIFY's. A terminating NOTIFY may come without
# a body.
check_notify() {
	local name=$1 n=$2 version=$3 aor=$4
	local h="$WORK/$name.notify.$n.hdr" b="$WORK/$name.notify.$n.xml" out
	local what="$name: NOTIFY $n"
	if [ ! -f "$h" ]; then
		fail "$what was received" "$(kam_errors)"
		return 0
	fi
	check_eq "$what: Request-URI is the SUBSCRIBE's Contact" "$SUB_LCONTACT" "$(request_uri "$h")"
	check_eq "$what: same Call-ID as the SUBSCRIBE" "$SUB_CALLID" "$(hdr "$h" Call-ID)"
	check_eq "$what: From-tag is the 200's To-tag" "$SUB_RTAG" "$(tag_of "$(hdr "$h" From)")"
	check_eq "$what: To-tag is the SUBSCRIBE's From-tag" "$SUB_LTAG" "$(tag_of "$(hdr "$h" To)")"
	check_eq "$what: Event: reg" "reg" "$(first_token "$(hdr "$h" Event)")"
	local ss
	ss=$(first_token "$(hdr "$h" Subscription-State)")
	case "$ss" in
	active | pending | terminated) pass "$what: Subscription-State $ss" ;;
	*) fail "$what: has a Subscription-State" "$(cat "$h")" ;;
	esac
	if [ "$n" -gt 1 ] && [ -f "$WORK/$name.notify.$((n - 1)).hdr" ]; then
		local c1 c2
		c1=$(hdr "$WORK/$name.notify.$((n - 1)).hdr" CSeq | awk '{print $1}')
		c2=$(hdr "$h" CSeq | awk '{print $1}')
		if [ "${c2:-0}" -gt "${c1:-0}" ] 2>/dev/null; then
			pass "$what: CSeq $c2 above the previous NOTIFY's $c1"
		else fail "$what: CSeq above the previous NOTIFY's (RFC 3261 12.2.1.1)" "previous $c1, this $c2"; fi
	fi
	if [ ! -s "$b" ] && [ "$ss" = terminated ] && [ "$version" = "-" ]; then
		pass "$what: terminating NOTIFY without a body"
		return 0
	fi
	check_eq "$what: Content-Type application/reginfo+xml" "application/reginfo+xml" \
		"$(first_token "$(hdr "$h" Content-Type)")"
	if out=$(validate_reginfo "$b" 2>&1); then pass "$what: body validates against RFC 3680"
	else fail "$what: body validates against RFC 3680" "$out
$(head -c 1500 "$b")"; fi
	if [ "$version" != "-" ]; then
		check_eq "$what: reginfo version $version" "$version" "$(reginfo_version "$b")"
	fi
	check_eq "$what: a registration for $aor" 1 \
		"$(rx "$b" "count(//*[local-name()=\"registration\"][@aor=\"$aor\"])")"
	# TS 24.229 5.4.2.1.2: every identity of the user, in every NOTIFY
	local first="$WORK/$name.notify.1.xml"
	if [ "$n" -gt 1 ] && [ -s "$first" ]; then
		check_eq "$what: the same registrations as NOTIFY 1" "$(reg_aors "$first")" "$(reg_aors "$b")"
	fi
}

# check_contact NAME N PORT STATE EVENT: in the N-th NOTIFY, the contact at
# 127.0.0.1:PORT has that state and event
check_contact() {
	local b="$WORK/$1.notify.$2.xml"
	check_eq "$1: NOTIFY $2: contact :$3 state=\"$4\" event=\"$5\"" "$4 $5" \
		"$(contact_attr "$b" "$3" state) $(contact_attr "$b" "$3" event)"
}


# reg_callid USER PORT: the Call-ID of the last REGISTER register_at sent
# for that contact (cf. the contact's callid attribute)
reg_callid() {
	local f
	f=$(ls -t "$WORK"/reg-"$1"-"$2"-*.msg 2>/dev/null | head -1)
	[ -n "$f" ] && sed -n 's/^Call-ID:[[:space:]]*\([^[:space:]]*\).*/\1/p' "$f" | head -1 | tr -d '\r'
}

# check_contact_callid NAME N USER PORT: in the N-th NOTIFY, the contact at
# :PORT has callid = the Call-ID of its last REGISTER (RFC 3680)
check_contact_callid() {
	check_eq "$1: NOTIFY $2: contact :$4 callid is its REGISTER's Call-ID" \
		"$(reg_callid "$3" "$4")" "$(contact_attr "$WORK/$1.notify.$2.xml" "$4" callid)"
}
# ------------------------------------------------------------ RPC/stats

# subs_rpc [IDENTITY]: kamcmd reauth.subscriptions [IDENTITY]
subs_rpc() { kamcmd_ reauth.subscriptions "$@" 2>&1; }
# subs_count [IDENTITY]: how many subscriptions the RPC lists ("error: ..."
# when the RPC fails)
subs_count() {
	local out
	out=$(kamcmd_ reauth.subscriptions "$@" 2>&1) || { echo "error: $out"; return; }
	case "$out" in error*) echo "$out"; return ;; esac
	printf '%s\n' "$out" | grep -cE '^[[:space:]]*identity:'
}
# subs_field FIELD [IDENTITY]: the values of FIELD, one per subscription
subs_field() {
	local f=$1
	shift
	kamcmd_ reauth.subscriptions "$@" 2>&1 \
		| sed -n "s/^[[:space:]]*$f:[[:space:]]*//p"
}
# reauth_stat NAME: the value of reauth:NAME
reauth_stat() {
	kamcmd_ stats.get_statistics reauth: 2>&1 | sed -n "s/^reauth:$1 = //p" | head -1
}

# ----------------------------------------------------------- self test
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	. "$(dirname "$0")/lib.sh"
	sep='----------------------------------------------- 2026-01-02 10:00:0'
	{
		printf '%s0.000001\nUDP message sent (10 bytes):\n\n' "$sep"
		printf 'SUBSCRIBE sip:alice@ims.test SIP/2.0\r\nFrom: <sip:alice@ims.test>;tag=L1\r\n'
		printf 'Call-ID: c1\r\nCSeq: 1 SUBSCRIBE\r\nContact: <sip:alice@127.0.0.1:5999>\r\n\r\n\n'
		printf '%s1.000000\nUDP message received [10] bytes :\n\n' "$sep"
		printf 'SIP/2.0 200 OK\r\nTo: <sip:alice@ims.test>;tag=R1\r\ni: c1\r\nCSeq: 1 SUBSCRIBE\r\n'
		printf 'Contact: <sip:127.0.0.1:5060;transport=udp;rsub=x>\r\nExpires: 600\r\n\r\n\n'
		for v in 0 0 1; do
			# the second one is a retransmission of the first
			cs=$((v + 1))
			printf '%s%d.500000\nUDP message received [10] bytes :\n\n' "$sep" "$((v + 2))"
			printf 'NOTIFY sip:alice@127.0.0.1:5999 SIP/2.0\r\nf: <sip:alice@ims.test>;tag=R1\r\n'
			printf 'To: <sip:alice@ims.test>;tag=L1\r\nCall-ID: c1\r\nCSeq: %d NOTIFY\r\n' "$cs"
			printf 'o: reg\r\nSubscription-State: active;expires=59%d\r\n' "$v"
			printf 'Content-Type: application/reginfo+xml\r\n\r\n'
			printf '<?xml version="1.0"?>\n<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="%d" state="full">\n' "$v"
			printf '<registration aor="sip:alice@ims.test" id="r" state="active">\n'
			printf '<contact id="c" state="active" event="registered"><uri>sip:alice@127.0.0.1:41;transport=udp</uri></contact>\n'
			printf '<contact id="d" state="terminated" event="expired"><uri>sip:alice@127.0.0.1:4;transport=udp</uri></contact>\n'
			printf '</registration></reginfo>\n\n'
			printf '%s%d.600000\nUDP message sent (10 bytes):\n\nSIP/2.0 200 OK\r\nCSeq: %d NOTIFY\r\n\r\n\n' "$sep" "$((v + 2))" "$cs"
		done
	} >"$WORK/self.msg"
	check_eq "two NOTIFYs, the retransmission skipped" 2 "$(notify_split self)"
	check_eq "version of the second" 1 "$(reginfo_version "$(notify_body self 2)")"
	check_eq "compact Event header" reg "$(hdr "$(notify_hdr_file self 1)" Event)"
	check_eq "expires of Subscription-State" 591 \
		"$(param_of "$(hdr "$(notify_hdr_file self 2)" Subscription-State)" expires)"
	check_eq "contact by port (no prefix match)" "active registered terminated expired" \
		"$(b=$(notify_body self 1); echo "$(contact_attr "$b" 41 state) $(contact_attr "$b" 41 event) $(contact_attr "$b" 4 state) $(contact_attr "$b" 4 event)")"
	check_eq "arrival time" "2026-01-02 10:00:03.500000" "$(cat "$WORK/self.notify.2.time")"
	sub_dialog self
	check_eq "dialog from the trace" "c1 L1 R1 sip:alice@127.0.0.1:5999 sip:127.0.0.1:5060;transport=udp;rsub=x 600 200" \
		"$SUB_CALLID $SUB_LTAG $SUB_RTAG $SUB_LCONTACT $SUB_RCONTACT $SUB_EXPIRES $SUB_CODE"
	if [ -n "$SCHEMA_DIR" ]; then
		check "a body validates" validate_reginfo "$(notify_body self 1)"
	fi
	finish
fi
