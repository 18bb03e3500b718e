#!/usr/bin/env bash
# Hostile and malformed SUBSCRIBEs get a clear answer each and crash
# nothing; 300 subscribe/unsubscribe cycles leave shared memory where it
# was (no leak of subscriptions, jobs or NOTIFY state).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"

kam_start

pa=$(free_port)
check "alice registers" register_at alice "$pa" 600

long=$(printf 'a%.0s' $(seq 1 900))
# field0 R-URI; field1 unused; field2 Event; field3 Expires; field4 Accept;
# field5 extra header; then the expected status ("-": any but 5xx)
cat >"$WORK/hostile.csv" <<CSV
SEQUENTIAL
sip:alice@ims.test;;reg;600;application/reginfo+xml;X-Case: baseline;200
sip:alice@ims.test;;presence;600;application/reginfo+xml;X-Case: other event;489
sip:alice@ims.test;;reg<script>;600;application/reginfo+xml;X-Case: markup event;489
sip:alice@ims.test;;reg;-5;application/reginfo+xml;X-Case: negative expires;400
sip:alice@ims.test;;reg;abc;application/reginfo+xml;X-Case: text expires;400
sip:alice@ims.test;;reg;99999999999;application/reginfo+xml;X-Case: huge expires;-
sip:alice@ims.test;;reg;30;application/reginfo+xml;X-Case: too brief;423
sip:alice@ims.test;;reg;600;text/html, application/pidf+xml;X-Case: no reginfo;406
sip:alice@ims.test;;reg;600;application/reginfo+xml;Record-Route: <<<garbage;-
sip:nobody@ims.test;;reg;600;application/reginfo+xml;X-Case: not registered;480
sip:alice@evil.example;;reg;600;application/reginfo+xml;X-Case: not ours;404
sip:$long@ims.test;;reg;600;application/reginfo+xml;X-Case: user too long for an AoR;400
tel:+4930123456;;reg;600;application/reginfo+xml;X-Case: tel;404
sip:alice@ims.test;;reg;600;*/*;X-Case: any type;200
CSV
n=$(($(wc -l <"$WORK/hostile.csv") - 1))
timeout 60 sipp "$IP:$KAM_PORT" -sf "$SIPP_DIR/sub_hostile.xml" -inf "$WORK/hostile.csv" \
	-i "$IP" -p "$(free_port)" -m "$n" -l 1 -nostdin -rtcheck loose -trace_msg -message_file "$WORK/hostile.msg" \
	-key domain "$DOMAIN" -au alice -ap alice-secret >"$WORK/hostile.out" 2>&1
responses_split hostile >/dev/null
i=0
while IFS=';' read -r ruri _ ev ex acc extra want; do
	i=$((i + 1))
	# the final answer to the i-th SUBSCRIBE (Call-ID i-PID): the last one,
	# to the SUBSCRIBE sent again with credentials when the first was challenged
	f=$(grep -l "^Call-ID: $i-" "$WORK"/hostile.resp.*.hdr 2>/dev/null \
		| awk -F. '{ print $(NF - 1), $0 }' | sort -n | tail -1 | cut -d' ' -f2-)
	got=$(status_code "$f")
	what="case $i (${extra#X-Case: }, Event '$ev', Expires '$ex')"
	if [ "$want" = "-" ]; then
		check_range "$what: answered, not with a server error" 200 499 "$got"
	else
		check_eq "$what: answered $want" "$want" "$got"
	fi
done < <(tail -n +2 "$WORK/hostile.csv")
check_eq "the 423 carries Min-Expires: 60" 60 \
	"$(hdr "$(grep -l '^SIP/2.0 423' "$WORK"/hostile.resp.*.hdr | head -1)" Min-Expires)"
check_eq "the 489 carries Allow-Events: reg" reg \
	"$(hdr "$(grep -l '^SIP/2.0 489' "$WORK"/hostile.resp.*.hdr | head -1)" Allow-Events)"
for rp in "" ";rsub=zz" ";rsub=1" ";rsub=ffffffff.ffffffff" ";rsub=.;rsub=1.1"; do
	check "an in-dialog SUBSCRIBE with Request-URI parameters '$rp' is answered 481" \
		sipp_run "unknown-dialog-$RANDOM" sub_unknown_dialog.xml -key ruri_params "$rp"
done
check "kamailio still answers" kamcmd_ core.uptime

# memory: warm up, then 300 more cycles must not grow shared memory
shm_used() { kamcmd_ core.shmmem 2>/dev/null | awk '/real_used:/ {print $2}'; }
ps=$(free_port)
subs_before=$(subs_count)
check "20 subscribe/unsubscribe cycles (warm-up)" \
	sipp_run_at warm "$ps" sub_cycle.xml -s alice -au alice -ap alice-secret -m 20 -r 50
check "tm lets go of the warm-up's transactions" tm_idle 20
before=$(shm_used)
check "300 subscribe/unsubscribe cycles" \
	sipp_run_at cycles "$ps" sub_cycle.xml -s alice -au alice -ap alice-secret -m 300 -r 100
check "tm lets go of the cycles' transactions" tm_idle 20
after=$(shm_used)
check_eq "every cycle's subscription is gone" "$subs_before" "$(subs_count)"
log "shm real_used before $before, after $after"
check_range "shared memory grew by less than 16 KiB over 300 cycles ($before -> $after)" \
	0 16384 $((after > before ? after - before : 0))
check_eq "statistics: 600 NOTIFYs for the cycles (+ warm-up and the rest)" 1 \
	"$([ "$(reauth_stat notify_sent)" -ge 640 ] && echo 1 || echo 0)"

finish
