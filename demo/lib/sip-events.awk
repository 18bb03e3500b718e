# sip-events.awk: turn sipp -trace_msg files into the rows of a ladder
# diagram, one tab-separated line per SIP message:
#
#   TIME  msg  COLUMN  DIR  LABEL  NOTE  CLASS  PORT  FLAG  CALLID  CSEQ
#
# TIME is the trace's time stamp ("YYYY-MM-DD HH:MM:SS.uuuuuu"); COLUMN
# the participant the trace belongs to (set with col=NAME before each file
# on the command line); DIR ">" for a message the participant sent (to the
# S-CSCF) and "<" for one it received (from the S-CSCF); LABEL the method
# or "code reason"; NOTE a short summary (Expires, Subscription-State, the
# contact events of a reginfo body, ...); CLASS req, 1xx ... 6xx; PORT the
# participant's local port (from the trace's Via/Request-URI: the socket of
# the sipp instance); FLAG
# "unanswered" for a request the participant received and never answered;
# CALLID and CSEQ (its number) identify the message.
#
#   awk -f sip-events.awk col=ue ue.msg col=pcscf pcscf.msg ...
#
# Retransmissions (same direction, start line, Call-ID and CSeq as an
# earlier message of the same trace) are left out. Plain POSIX awk (mawk).

function hname(line,   i) {
	i = index(line, ":")
	if (!i) return ""
	line = tolower(substr(line, 1, i - 1))
	gsub(/[ \t]/, "", line)
	if (line in compact) line = compact[line]
	return line
}
function hval(line,   i) {
	i = index(line, ":")
	line = substr(line, i + 1)
	sub(/^[ \t]+/, "", line)
	sub(/[ \t]+$/, "", line)
	return line
}
# the user part of the first sip: URI in s ("alice" of <sip:alice@x>)
function uri_user(s) {
	if (!match(s, /sips?:[^@;>]*@/)) return ""
	s = substr(s, RSTART, RLENGTH - 1)
	sub(/^sips?:/, "", s)
	return s
}
# value of attribute a in the XML start tag t
function xattr(t, a,   re) {
	re = " " a "=\"[^\"]*\""
	if (!match(t, re)) return ""
	t = substr(t, RSTART + length(a) + 3, RLENGTH - length(a) - 4)
	return t
}
function param(s, p,   re) {
	re = ";[ \t]*" p "=[^;, \t>]*"
	if (!match(s, re)) return ""
	s = substr(s, RSTART, RLENGTH)
	sub(/^;[ \t]*[^=]*=/, "", s)
	return s
}
# "alice shortened 60s, alice2 shortened 60s" from a reginfo body
function reginfo_summary(b,   out, aor, tag, rest, st, ev, ex, item) {
	out = ""
	aor = ""
	rest = b
	while (match(rest, /<(registration|contact) [^>]*>/)) {
		tag = substr(rest, RSTART, RLENGTH)
		rest = substr(rest, RSTART + RLENGTH)
		if (tag ~ /^<registration/) {
			aor = uri_user(xattr(tag, "aor"))
			continue
		}
		st = xattr(tag, "state")
		ev = xattr(tag, "event")
		ex = xattr(tag, "expires")
		item = aor " " ev
		if (st == "active" && ex != "") item = item " " ex "s"
		out = out (out == "" ? "" : ", ") item
	}
	if (out == "") out = "no contact"
	return out
}
function note_of(   m, cm, n, ss, v, e, code) {
	if (start ~ /^SIP\//) {
		code = substr(start, 9, 3)
		cm = cseq
		sub(/^[0-9]+[ \t]+/, "", cm)
		if (code == "401" || code == "407") return "digest challenge"
		if (code == "603" || code == "403" || code == "486") return cm " declined"
		if (cm == "REGISTER" && code ~ /^2/) {
			e = param(h["contact"], "expires")
			if (e == "") e = h["expires"]
			if (e == "" || e == "0") return "no contact left"
			return "registered, contact expires " e " s"
		}
		if (cm == "SUBSCRIBE" && code ~ /^2/)
			return "subscribed, expires " h["expires"] " s"
		if (code ~ /^2/ && cm == "INVITE") return "call answered"
		if (code ~ /^2/ && cm == "BYE") return "call ended"
		if (code ~ /^2/ && cm != "NOTIFY" && cm != "REGISTER") return cm " accepted"
		return ""
	}
	m = start
	sub(/ .*/, "", m)
	if (m == "REGISTER") {
		e = h["expires"]
		if (e == "") e = param(h["contact"], "expires")
		n = uri_user(h["to"]) ", Expires " e
		if (e == "0") n = n " (de-register)"
		if ("authorization" in h) n = n ", with credentials"
		return n
	}
	if (m == "SUBSCRIBE")
		return "Event: " h["event"] ", " uri_user(h["from"]) " watches " uri_user(h["to"]) \
			", " h["expires"] " s"
	if (m == "NOTIFY") {
		ss = h["subscription-state"]
		sub(/;expires=[0-9]+/, "", ss)
		v = ""
		if (match(body, /<reginfo [^>]*>/))
			v = "v" xattr(substr(body, RSTART, RLENGTH), "version") ": "
		if (body == "") return ss
		return ss "; " v reginfo_summary(body)
	}
	if (m == "REFER") return "Refer-To: " h["refer-to"]
	if (m == "INVITE") return uri_user(h["from"]) " calls " uri_user(h["to"])
	if (m == "BYE") return "the S-CSCF ends the call"
	return ""
}
function flush(   key, label, cls, port, m) {
	if (state == "" || start == "") return
	key = mfile "|" mdir "|" start "|" h["call-id"] "|" cseq
	if (key in seen) return
	seen[key] = 1
	if (start ~ /^SIP\//) {
		label = substr(start, 9)
		cls = substr(start, 9, 1) "xx"
	} else {
		label = start
		sub(/ .*/, "", label)
		cls = "req"
	}
	# the participant's own port: the Via of what it sent or was answered,
	# the Request-URI of a request it received
	port = ""
	if (cls == "req") port = (mdir == ">") ? h["via"] : start
	else if (mdir == "<") port = h["via"]
	if (match(port, /127\.0\.0\.1:[0-9]+/)) port = substr(port, RSTART + 10, RLENGTH - 10)
	else port = ""
	if (length(label) > 18) {
		# "100 trying -- your call is important to us"
		m = label
		sub(/ --.*/, "", m)
		label = length(m) <= 18 ? m : substr(label, 1, 18)
	}
	# a request the participant received and never answered is marked
	m = cseq
	sub(/[ \t]+/, " ", m)
	akey = mfile "|" h["call-id"] "|" m
	if (cls == "req" && mdir == "<" && label != "ACK") need[++nrow] = akey
	else nrow++
	if (cls != "req" && mdir == ">") answered[akey] = 1
	if (port != "" && !(mfile in fport)) fport[mfile] = port
	rfile[nrow] = mfile
	row[nrow] = ts "\tmsg\t" mcol "\t" mdir "\t" label "\t" note_of() "\t" cls "\t" port
	m = cseq
	sub(/[ \t].*/, "", m)
	tail[nrow] = h["call-id"] "\t" m
}
BEGIN {
	OFS = "\t"
	compact["i"] = "call-id"; compact["m"] = "contact"; compact["c"] = "content-type"
	compact["l"] = "content-length"; compact["o"] = "event"; compact["f"] = "from"
	compact["t"] = "to"; compact["v"] = "via"; compact["r"] = "refer-to"
}
FNR == 1 { flush(); state = ""; start = "" }
/^-----------------------------------------------( |$)/ {
	flush()
	state = "meta"; ts = $2 " " $3; mdir = ""; start = ""; body = ""; cseq = ""
	mcol = col; mfile = FILENAME
	for (k in h) delete h[k]
	next
}
state == "meta" {
	if ($0 ~ /^[A-Za-z]+ message received/) mdir = "<"
	else if ($0 ~ /^[A-Za-z]+ message sent/) mdir = ">"
	else if ($0 ~ /^\r?$/ && mdir != "") state = "start"
	next
}
{ sub(/\r$/, "") }
state == "start" {
	if ($0 == "") next
	start = $0; state = "hdr"; next
}
state == "hdr" {
	if ($0 == "") { state = "body"; next }
	n = hname($0)
	if (n != "" && !(n in h)) h[n] = hval($0)
	if (n == "cseq") cseq = hval($0)
	next
}
state == "body" { body = body $0 }
END {
	flush()
	for (i = 1; i <= nrow; i++) {
		# a trace is one socket: the port of its other messages
		if (row[i] ~ /\t$/ && (rfile[i] in fport)) row[i] = row[i] fport[rfile[i]]
		if ((i in need) && !(need[i] in answered)) print row[i] "\tunanswered\t" tail[i]
		else print row[i] "\t\t" tail[i]
	}
}
