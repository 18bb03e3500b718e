# order.awk: put the rows of a ladder in order. Reads the rows of
# sip-events.awk, kam-notes.awk and run.sh's steps (any order) and prints
#   TIME <tab> WEIGHT <tab> ROW
# to be sorted on TIME then WEIGHT. A note that names an ANCHOR (field 8,
# see kam-notes.awk) takes the time of that message: "after CALLID CSEQ"
# just after the request with that Call-ID and CSeq number a participant
# sent; "before REGEX [W]" just before the first message whose label
# matches REGEX, from 50 ms before the note to 1 s after it (W orders
# notes anchored to the same message, 4 by default). Messages weigh 5.

function secs(ts,   a) {
	split(substr(ts, 12), a, ":")
	return (substr(ts, 1, 10) != day0 ? 86400 : 0) + a[1] * 3600 + a[2] * 60 + a[3]
}
BEGIN { FS = OFS = "\t" }
{
	if (day0 == "") day0 = substr($1, 1, 10)
	n++
	line[n] = $0
	ts[n] = $1
	kind[n] = $2
	if ($2 == "msg") {
		label[n] = $5
		if ($7 == "req" && $4 == ">") sent[$10 "|" $11] = $1
	}
	anchor[n] = ($2 == "note") ? $8 : ""
}
END {
	for (i = 1; i <= n; i++) {
		t = ts[i]
		w = (kind[i] == "msg") ? 5 : 4
		delete a
		split(anchor[i], a, " ")
		if (a[1] == "after" && ((a[2] "|" a[3]) in sent)) {
			t = sent[a[2] "|" a[3]]
			w = 6
		} else if (a[1] == "before") {
			me = secs(ts[i])
			best = ""
			for (j = 1; j <= n; j++) {
				if (kind[j] != "msg" || label[j] !~ a[2]) continue
				s = secs(ts[j])
				if (s < me - 0.05 || s > me + 1) continue
				if (best == "" || ts[j] < best) best = ts[j]
			}
			if (best != "") {
				t = best
				w = (a[3] != "") ? a[3] : 4
			}
		}
		r = line[i]
		sub(/^[^\t]*/, t, r)
		print t, w, r
	}
}
