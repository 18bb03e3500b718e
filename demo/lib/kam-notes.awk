# kam-notes.awk: the S-CSCF's side of the ladder, from Kamailio's log (each
# line prefixed by run.sh with its arrival time, "YYYY-MM-DD HH:MM:SS.uuuuuu")
# as rows "TIME note scscf - TEXT - CLASS ANCHOR" (CLASS info, ok or fail).
# Only what the SIP messages do not show already.
#
# The log's time stamps come a little late (the pipe to run.sh), so a note
# may name where it belongs in ANCHOR (see order.awk): "after CALLID CSEQ"
# (the message the log line is about, from the cfg's log_prefix
# "{$mt $hdr(CSeq) $ci}") or "before REGEX [W]" (the next message whose
# label matches REGEX).

function plural(n, what) { return n " " what (n == 1 ? "" : "s") }
function row(text, cls, anchor) {
	printf "%s %s\tnote\tscscf\t-\t%s\t-\t%s\t%s\n", $1, $2, text, cls, anchor
}
# the text after the last "): " of the line (the module's message)
function msg(   s) {
	s = $0
	while (match(s, /\): /)) s = substr(s, RSTART + 3)
	return s
}
/reauth_proc_start\(\): re-authentication [0-9]+ of/ {
	s = msg()
	sub(/^re-authentication /, "", s)
	n = s; sub(/ .*/, "", n)
	k = s; sub(/.*\(/, "", k); sub(/ .*/, "", k)
	row("procedure " n " started: implicit set of " k " identities", "info",
		"before ^NOTIFY$")
	next
}
/reauth_proc_on_trigger\(\):/ {
	s = msg()
	sub(/^.*>: /, "", s)
	split(s, w, " ")
	row(plural(w[7], "contact") " shortened; NOTIFY to " w[1] " UE + " \
		plural(w[4], "other subscription"), "info", "before ^NOTIFY$")
	next
}
/during re-authentication: challenge/ {
	# "{1 3 REGISTER callid}": the REGISTER it is about
	a = ""
	if (match($0, /\{[0-9]+ [0-9]+ REGISTER [^}]*\}/)) {
		split(substr($0, RSTART + 1, RLENGTH - 2), w, " ")
		a = "after " w[4] " " w[2]
	}
	row("reauth_pending(): the REGISTER must pass digest", "info", a)
	next
}
/NOTIFY answered [0-9]+: removing subscription/ {
	s = msg()
	code = s; sub(/^NOTIFY answered /, "", code); sub(/:.*/, "", code)
	sid = s; sub(/.*removing subscription /, "", sid); sub(/ .*/, "", sid)
	why = (code == "408") ? "timed out (408)" : "answered " code
	row("NOTIFY " why ": subscription " sid " removed", "fail", "before ^REFER$ 3")
	next
}
/refer_one\(\): re-authentication [0-9]+: REFER sent to/ {
	s = msg()
	sub(/.*REFER sent to /, "", s)
	row("fallback: REFER to " s, "info", "before ^REFER$")
	next
}
/<script>: reauth [0-9]+ of .*: completed/ {
	s = msg(); sub(/.*: completed /, "", s)
	row("event_route[reauth:completed] " s, "ok", "")
	next
}
/<script>: reauth [0-9]+ of .*: failed/ {
	s = msg(); sub(/.*: failed /, "", s)
	row("event_route[reauth:failed] " s, "fail", "")
	next
}
/do_deregister\(\):/ {
	row("every way failed: set de-registered, calls ended", "fail",
		"before ^(NOTIFY|BYE)$")
	next
}
/<script>: reauth [0-9]+ of .*: deregistered/ {
	s = msg(); sub(/.*: deregistered /, "", s)
	row("event_route[reauth:deregistered] " s, "fail", "before ^(NOTIFY|BYE)$")
	next
}
