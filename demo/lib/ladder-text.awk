# ladder-text.awk: a SIP ladder diagram for the terminal, from the rows of
# sip-events.awk and the S-CSCF notes and operator steps of run.sh, sorted
# by time (tab-separated):
#
#   TIME msg  COLUMN DIR LABEL NOTE CLASS PORT FLAG ...  a message
#   TIME note scscf  -   TEXT  -    CLASS                what the S-CSCF logged
#   TIME step -      -   TEXT  NOTE              what the operator did
#
# Columns: ue, pcscf, scscf, bob. Variables: width (terminal columns),
# color (1: ANSI colours), ascii (1: no box-drawing characters).

function secs(ts,   d, t, a) {
	d = substr(ts, 1, 10)
	t = substr(ts, 12)
	split(t, a, ":")
	if (day0 == "") day0 = d
	return (d != day0 ? 86400 : 0) + a[1] * 3600 + a[2] * 60 + a[3]
}
function c(code, s) { return (color && code != "") ? "\033[" code "m" s "\033[0m" : s }
function clear(   i) { for (i = 1; i <= NX; i++) { ch[i] = " "; cc[i] = "" } }
function blank(   i) {
	clear()
	for (i in X) { ch[X[i]] = V; cc[X[i]] = DIM }
}
function set(x, s, code) { ch[x] = s; cc[x] = code }
function put(x, s, code,   i) {
	for (i = 1; i <= length(s); i++) set(x + i - 1, substr(s, i, 1), code)
}
# the cells, with an escape sequence only where the colour changes
function line_out(left, note, ncode,   i, s, cur) {
	s = left
	cur = ""
	for (i = 1; i <= NX; i++) {
		if (color && cc[i] != cur) {
			s = s "\033[0m" (cc[i] != "" ? "\033[" cc[i] "m" : "")
			cur = cc[i]
		}
		s = s ch[i]
	}
	if (color && cur != "") s = s "\033[0m"
	if (note != "") s = s "  " c(ncode, note)
	sub(/ +$/, "", s)
	print s
}
# wrap text into wl[1..n] lines of at most w characters; returns n
function wrap(text, w,   n, cut, i) {
	n = 0
	if (w < 20) w = 20
	while (length(text) > w) {
		cut = 0
		for (i = w + 1; i > 1; i--) {
			if (substr(text, i, 1) == " ") { cut = i; break }
		}
		if (!cut) cut = w
		wl[++n] = substr(text, 1, cut)
		sub(/ +$/, "", wl[n])
		text = substr(text, cut + 1)
		sub(/^ +/, "", text)
	}
	wl[++n] = text
	return n
}
function tlabel(t) { return sprintf("%7.3fs", t) }
function emit(left, note, ncode,   n, i) {
	n = wrap(note, NW)
	line_out(left, wl[1], ncode)
	for (i = 2; i <= n; i++) {
		blank()
		line_out(sprintf("%8s", ""), wl[i], ncode)
	}
}
function msg_code(label, cls) {
	if (cls == "req") {
		if (label == "NOTIFY" || label == "SUBSCRIBE") return CYAN
		if (label == "REFER" || label == "BYE") return MAGENTA
		return BOLD
	}
	if (cls == "1xx") return DIM
	if (cls == "2xx") return GREEN
	if (label ~ /^(401|407)/) return YELLOW
	return RED
}
BEGIN {
	FS = "\t"
	if (width < 90) width = 90
	BOLD = "1"; DIM = "2"; RED = "1;31"; GREEN = "32"; YELLOW = "33"
	CYAN = "36"; MAGENTA = "35"; STEP = "1;35"; NOTE = "33"
	if (ascii) {
		V = "|"; H = "-"; RA = ">"; LA = "<"; CROSS = "+"; DOT = "*"
		GAPV = ":"; STEPH = "="; GAPL = "    ... "; DH = "-"
	} else {
		V = "│"; H = "─"; RA = "▶"; LA = "◀"; CROSS = "┼"; DOT = "◆"
		GAPV = "┊"; STEPH = "═"; GAPL = "      ⋮ "; DH = "╌"
	}
	G = 20
	X["ue"] = 7; X["pcscf"] = X["ue"] + G; X["scscf"] = X["pcscf"] + G
	X["bob"] = X["scscf"] + G
	NX = X["bob"] + 2
	NW = width - 8 - NX - 2
	name["ue"] = "UE (alice)"; name["pcscf"] = "P-CSCF"; name["scscf"] = "S-CSCF"
	name["bob"] = "bob"
	sub2["ue"] = "sipp"; sub2["pcscf"] = "reg watcher"; sub2["scscf"] = "Kamailio"
	sub2["bob"] = "sipp"
	clear()
	for (k in X) put(X[k] - int((length(name[k]) - 1) / 2), name[k], BOLD)
	line_out(sprintf("%8s", ""), "notes", BOLD)
	clear()
	for (k in X) put(X[k] - int(length(sub2[k]) / 2), sub2[k], DIM)
	line_out(sprintf("%8s", ""), "", "")
	blank()
	line_out(sprintf("%8s", ""), "", "")
	prev = ""
}
{
	t = secs($1)
	if (t0 == "") t0 = t
	if (prev != "" && t - prev > 1.0) {
		clear()
		for (k in X) set(X[k], GAPV, DIM)
		line_out(GAPL, sprintf("(%.1f s later)", t - prev), DIM)
	}
	prev = t
	blank()
	if ($2 == "msg") {
		a = X[$3]; b = X["scscf"]
		code = msg_code($5, $7)
		lo = a < b ? a : b; hi = a < b ? b : a
		# a request never answered: a dashed arrow
		for (k = lo + 1; k < hi; k++) set(k, $9 == "unanswered" ? DH : H, code)
		for (k in X) if (X[k] > lo && X[k] < hi) set(X[k], CROSS, code)
		# the arrow head at the receiver
		tgt = ($4 == ">") ? b : a
		if (tgt > lo) set(tgt - 1, RA, code)
		else set(tgt + 1, LA, code)
		# the label in the segment next to the participant
		if (a < b) { s0 = a; s1 = a + G }
		else { s0 = a - G; s1 = a }
		lab = " " $5 " "
		if (length(lab) > G - 3) lab = substr(lab, 1, G - 3)
		put(s0 + int((G - length(lab)) / 2) + 1, lab, code)
		n = $6
		if ($9 == "unanswered") n = n (n == "" ? "" : " ") "[never answered]"
		emit(tlabel(t - t0), n, $9 == "unanswered" ? RED : ($7 == "req" ? "" : DIM))
	} else if ($2 == "note") {
		set(X["scscf"], DOT, NOTE)
		emit(tlabel(t - t0), $5, $7 == "fail" ? RED : ($7 == "ok" ? GREEN : NOTE))
	} else if ($2 == "step") {
		for (k = X["ue"] - 2; k <= NX; k++) set(k, STEPH, STEP)
		lab = " " $5 " "
		if (length(lab) > NX - 10) lab = substr(lab, 1, NX - 10)
		put(X["ue"] + 2, lab, STEP)
		emit(tlabel(t - t0), $6, STEP)
	}
}
END {
	blank()
	line_out(sprintf("%8s", ""), "", "")
}
