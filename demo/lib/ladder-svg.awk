# ladder-svg.awk: the SIP ladder diagram of ladder-text.awk as an SVG
# picture, from the same sorted rows (see there). Variables: title,
# subtitle, outcome (text of the result box), tone (ok: a green box, else
# red).
# Plain POSIX awk (mawk); text widths are estimated for DejaVu fonts.

function esc(s) {
	gsub(/&/, "\\&amp;", s)
	gsub(/</, "\\&lt;", s)
	gsub(/>/, "\\&gt;", s)
	gsub(/"/, "\\&quot;", s)
	return s
}
function secs(ts,   d, t, a) {
	d = substr(ts, 1, 10)
	t = substr(ts, 12)
	split(t, a, ":")
	if (day0 == "") day0 = d
	return (d != day0 ? 86400 : 0) + a[1] * 3600 + a[2] * 60 + a[3]
}
function wrap(text, w,   n, cut, i) {
	n = 0
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
function kind(label, cls) {
	if (cls == "req") {
		if (label == "NOTIFY" || label == "SUBSCRIBE") return "k-sub"
		if (label == "REFER" || label == "BYE") return "k-net"
		return "k-req"
	}
	if (cls == "1xx") return "k-prov"
	if (cls == "2xx") return "k-ok"
	if (label ~ /^(401|407)/) return "k-chal"
	return "k-err"
}
# add SVG text to the body (drawn after the lifelines)
function out(s) { body[++nb] = s }
# the note (wrapped) at the right of row y; returns the extra height
function note(y, text, cls,   n, i) {
	if (text == "") return 0
	n = wrap(text, NOTEW)
	for (i = 1; i <= n; i++)
		out(sprintf("<text class=\"%s\" x=\"%d\" y=\"%d\">%s</text>", cls, NOTEX,
			y + 4 + (i - 1) * 15, esc(wl[i])))
	return (n - 1) * 15
}
BEGIN {
	FS = "\t"
	G = 200
	X["ue"] = 170; X["pcscf"] = X["ue"] + G; X["scscf"] = X["pcscf"] + G
	X["bob"] = X["scscf"] + G
	NOTEX = X["bob"] + 105
	NOTEW = 58
	W = NOTEX + int(NOTEW * 6.9) + 24
	name["ue"] = "UE (alice)"; name["pcscf"] = "P-CSCF"; name["scscf"] = "S-CSCF"
	name["bob"] = "bob"
	sub2["ue"] = "sip:alice@ims.test"; sub2["pcscf"] = "reg event watcher"
	sub2["scscf"] = "Kamailio + reauth"; sub2["bob"] = "sip:bob@ims.test"
	order[1] = "ue"; order[2] = "pcscf"; order[3] = "scscf"; order[4] = "bob"
	TOP = 138
	y = TOP + 16
	nb = 0
}
{
	t = secs($1)
	if (t0 == "") t0 = t
	if (prev != "" && t - prev > 1.0) {
		y += 8
		out(sprintf("<text class=\"gap\" x=\"%d\" y=\"%d\">%.1f s later</text>", NOTEX, y + 4,
			t - prev))
		for (k = 1; k <= 4; k++)
			out(sprintf("<rect x=\"%d\" y=\"%d\" width=\"6\" height=\"14\" fill=\"#fff\"/>" \
				"<path class=\"brk\" d=\"M%d %d l6 -4 M%d %d l6 -4\"/>", X[order[k]] - 3, y - 6,
				X[order[k]] - 3, y - 2, X[order[k]] - 3, y + 6))
		y += 26
	}
	prev = t
	out(sprintf("<text class=\"time\" x=\"22\" y=\"%d\">%.3f s</text>", y + 4, t - t0))
	if ($2 == "msg") {
		used[$3] = 1
		a = X[$3]; b = X["scscf"]
		k = kind($5, $7)
		tgt = ($4 == ">") ? b : a
		src = ($4 == ">") ? a : b
		dirn = tgt > src ? 1 : -1
		if ($9 == "unanswered") k = k " x"
		out(sprintf("<line class=\"a %s\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", k, src,
			y, tgt - dirn * 8, y))
		out(sprintf("<path class=\"h %s\" d=\"M%d %d l%d -5 l0 10 z\"/>", k, tgt, y,
			-dirn * 11))
		# the label over the segment next to the participant
		lx = (a < b) ? a + G / 2 : a - G / 2
		# the participant's socket (a column may have several sipp UAs)
		if ($8 != "")
			out(sprintf("<text class=\"port\" x=\"%d\" y=\"%d\" text-anchor=\"%s\">:%s</text>",
				a < b ? a - 6 : a + 6, y + 4, a < b ? "end" : "start", $8))
		out(sprintf("<text class=\"l %s\" x=\"%d\" y=\"%d\">%s</text>", k, lx, y - 6,
			esc($5)))
		nt = $6
		if ($9 == "unanswered") nt = nt (nt == "" ? "" : " ") "[never answered]"
		y += note(y, nt, $9 == "unanswered" ? "nx" : ($7 == "req" ? "n" : "nr")) + 30
	} else if ($2 == "note") {
		c = X["scscf"]
		out(sprintf("<line class=\"lead\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", c + 9, y,
			NOTEX - 8, y))
		out(sprintf("<path class=\"dia %s\" d=\"M%d %d l7 7 l-7 7 l-7 -7 z\"/>", $7, c, y - 7))
		y += note(y, $5, "sn " $7) + 26
	} else if ($2 == "step") {
		y += 4
		out(sprintf("<rect class=\"step\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"24\" rx=\"5\"/>",
			X["ue"] - 60, y - 13, X["bob"] - X["ue"] + 120))
		out(sprintf("<text class=\"st\" x=\"%d\" y=\"%d\">%s</text>", (X["ue"] + X["bob"]) / 2,
			y + 4, esc($5)))
		y += note(y, $6, "n stn") + 34
	}
}
END {
	bottom = y + 4
	H = bottom + 112
	printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n",
		W, H, W, H
	print "<style>"
	print "text { font-family: 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif; font-size: 12px; fill: #222; }"
	print ".title { font-size: 20px; font-weight: bold; }"
	print ".subtitle { font-size: 13px; fill: #555; }"
	print ".pn { font-size: 15px; font-weight: bold; text-anchor: middle; fill: #fff; }"
	print ".ps { font-size: 11px; text-anchor: middle; fill: #e8eef7; }"
	print ".box { fill: #34495e; rx: 6; }"
	print ".box.sc { fill: #1f6f8b; } .box.idle { fill: #b8c2cc; }"
	print ".life.idle { stroke: #d5dbe1; }"
	print ".life { stroke: #9aa5b1; stroke-width: 1.2; stroke-dasharray: 5 4; }"
	print ".life.sc { stroke: #1f6f8b; stroke-width: 2; stroke-dasharray: none; }"
	print ".time { font-family: 'DejaVu Sans Mono', monospace; font-size: 11px; fill: #888; }"
	print ".a { stroke-width: 1.8; }"
	print ".l { font-family: 'DejaVu Sans Mono', monospace; font-size: 12.5px; font-weight: bold; text-anchor: middle; }"
	print ".n { fill: #222; } .nr { fill: #777; } .nx { fill: #c62828; }"
	print ".a.x { stroke-dasharray: 7 5; }"
	print ".sn { font-style: italic; fill: #9a6200; } .sn.fail { fill: #b71c1c; } .sn.ok { fill: #1b5e20; }"
	print ".lead { stroke: #e6c58a; stroke-width: 1; stroke-dasharray: 2 3; }"
	print ".dia { fill: #e69500; } .dia.fail { fill: #c62828; } .dia.ok { fill: #2e7d32; }"
	print ".step { fill: #f1eaf9; stroke: #9b7cc4; stroke-width: 1; }"
	print ".st { font-family: 'DejaVu Sans Mono', monospace; font-weight: bold; font-size: 12.5px; fill: #5b2c8f; text-anchor: middle; }"
	print ".stn { fill: #5b2c8f; }"
	print ".gap { font-style: italic; fill: #888; }"
	print ".port { font-family: 'DejaVu Sans Mono', monospace; font-size: 9.5px; fill: #9aa5b1; }"
	print ".brk { stroke: #9aa5b1; stroke-width: 1.2; fill: none; }"
	print ".k-req { stroke: #263238; fill: #263238; } .k-sub { stroke: #0a7ea4; fill: #0a7ea4; }"
	print ".k-net { stroke: #8e44ad; fill: #8e44ad; } .k-prov { stroke: #a0a0a0; fill: #a0a0a0; }"
	print ".k-ok { stroke: #2e7d32; fill: #2e7d32; } .k-chal { stroke: #b26a00; fill: #b26a00; }"
	print ".k-err { stroke: #c62828; fill: #c62828; }"
	print "text.l { stroke: none; }"
	print ".res { font-size: 15px; font-weight: bold; }"
	print ".legend { font-size: 11px; fill: #666; }"
	print "</style>"
	printf "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", W, H
	printf "<text class=\"title\" x=\"22\" y=\"36\">%s</text>\n", esc(title)
	printf "<text class=\"subtitle\" x=\"22\" y=\"60\">%s</text>\n", esc(subtitle)
	for (k = 1; k <= 4; k++) {
		p = order[k]
		cl = (p == "scscf") ? " sc" : ((p in used) ? "" : " idle")
		if (cl == " idle") sub2[p] = "not in this path"
		printf "<line class=\"life%s\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", cl, X[p],
			TOP - 10, X[p], bottom
		printf "<rect class=\"box%s\" x=\"%d\" y=\"%d\" width=\"170\" height=\"46\" rx=\"6\"/>\n", cl,
			X[p] - 85, TOP - 56
		printf "<text class=\"pn\" x=\"%d\" y=\"%d\">%s</text>\n", X[p], TOP - 36, esc(name[p])
		printf "<text class=\"ps\" x=\"%d\" y=\"%d\">%s</text>\n", X[p], TOP - 19, esc(sub2[p])
		printf "<rect class=\"box%s\" x=\"%d\" y=\"%d\" width=\"170\" height=\"10\" rx=\"3\"/>\n", cl,
			X[p] - 85, bottom
	}
	printf "<text class=\"subtitle\" x=\"%d\" y=\"%d\" font-weight=\"bold\">notes</text>\n",
		NOTEX, TOP - 19
	for (i = 1; i <= nb; i++) print body[i]
	printf "<rect x=\"22\" y=\"%d\" width=\"%d\" height=\"36\" rx=\"6\" fill=\"%s\" stroke=\"%s\"/>\n",
		bottom + 26, W - 44, tone == "ok" ? "#e8f5e9" : "#ffebee", tone == "ok" ? "#2e7d32" : "#c62828"
	printf "<text class=\"res\" x=\"38\" y=\"%d\" fill=\"%s\">%s</text>\n", bottom + 49,
		tone == "ok" ? "#1b5e20" : "#b71c1c", esc(outcome)
	printf "<text class=\"legend\" x=\"22\" y=\"%d\">Built from the sipp -trace_msg captures of every participant, merged by time stamp, and the S-CSCF's log; times from the first message.</text>\n",
		bottom + 82
	printf "<text class=\"legend\" x=\"22\" y=\"%d\">Dashed arrow: a request never answered.  Diamond: what the S-CSCF logged.  :port: the sipp socket of the participant (a UE may use several).</text>\n",
		bottom + 98
	print "</svg>"
}
