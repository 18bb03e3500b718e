#!/usr/bin/env bash
# The example's HTTP operations (-A WITH_HTTP): an HSS adapter or portal
# starts a re-authentication with an HTTP POST of JSON-RPC (jsonrpcs over
# xhttp), with the module's RPC error codes as JSON-RPC errors, and
# Prometheus reads the module's statistics (xhttp_prom, GET /metrics).
# The UE completes the procedure; the counters show it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"

# a port of this test's range free for TCP too
while hp=$(free_port); do
	ss -Hltn "sport = :$hp" | grep -q . || break
done
kam_start WITH_HTTP "HTTP_LISTEN=tcp:$IP:$hp"
URL="http://$IP:$hp"

# rpc METHOD [PARAMS-JSON]: POST a JSON-RPC request, print the answer
rpc() {
	curl -sS -m 10 -H 'Content-Type: application/json' \
		-d "{\"jsonrpc\":\"2.0\",\"method\":\"$1\",\"params\":${2:-[]},\"id\":$RANDOM}" "$URL/RPC" 2>&1
}
# metric NAME: the value of kamailio_reauth_NAME in /metrics
metric() {
	curl -sS -m 10 "$URL/metrics" 2>&1 | awk -v n="kamailio_reauth_$1" '$1 == n { print $2 }'
}

# bob: registered at a port where no one answers (his procedure stays
# pending while its REFER waits for an answer)
pb=$(free_port)
check "bob registers at :$pb" register_at bob "$pb" 600
out=$(rpc reauth.user '["sip:bob@ims.test"]')
check_eq "HTTP POST reauth.user for bob: started" started "$(printf '%s' "$out" | jq -r .result.status)"
out=$(rpc reauth.user '["sip:bob@ims.test"]')
check_eq "a second POST while it is pending: JSON-RPC error 409" 409 "$(printf '%s' "$out" | jq -r .error.code)"

pa=$(free_port)
sipp_bg ue ue_reauth.xml "$pa" -s alice -au alice -ap alice-secret -key expires 600
check "the UE registered and subscribed" wait_subs 1 sip:alice@ims.test

out=$(rpc reauth.user '["sip:alice@ims.test"]')
check_eq "HTTP POST reauth.user: result status started" started "$(printf '%s' "$out" | jq -r .result.status)"
check_eq "... for alice" sip:alice@ims.test "$(printf '%s' "$out" | jq -r .result.identity)"
id=$(printf '%s' "$out" | jq -r .result.id)
out=$(rpc reauth.user '["sip:nobody@ims.test"]')
check_eq "an identity that is not registered: error 404" 404 "$(printf '%s' "$out" | jq -r .error.code)"
check_contains "... with the reason" "not registered" "$(printf '%s' "$out" | jq -r .error.message)"
check_eq "no identity: error 400" 400 "$(printf '%s' "$(rpc reauth.user)" | jq -r .error.code)"

check_sipp "the UE got the NOTIFY, answered 200 and registered again" ue
check "the procedure completes" wait_outcome sip:alice@ims.test completed 10
out=$(rpc reauth.show '["sip:alice@ims.test"]')
check_eq "HTTP POST reauth.show: procedure $id completed (re-registered)" "$id completed re-registered" \
	"$(printf '%s' "$out" | jq -r '.result[0] | "\(.id) \(.outcome) \(.reason)"')"

# Prometheus
hdr=$(curl -sS -m 10 -D - -o "$WORK/metrics.txt" "$URL/metrics" 2>&1)
check_contains "GET /metrics: 200" "HTTP/1.1 200" "$hdr"
check_contains "... Prometheus text format" "Content-Type: text/plain; version=0.0.4" "$hdr"
check_eq "... every reauth statistic, as kamailio_reauth_<name>" \
	"$(kamcmd_ stats.get_statistics reauth: | grep -c '^reauth:')" "$(grep -c '^kamailio_reauth_' "$WORK/metrics.txt")"
check_eq "kamailio_reauth_reauth_started 2 (bob, alice)" 2 "$(metric reauth_started)"
check_eq "kamailio_reauth_reauth_completed 1" 1 "$(metric reauth_completed)"
check_eq "kamailio_reauth_reauth_notify_sent 1 (alice's; bob has no subscription)" 1 "$(metric reauth_notify_sent)"
check_eq "kamailio_reauth_active_subscriptions is the RPC's gauge" "$(reauth_stat active_subscriptions)" \
	"$(metric active_subscriptions)"
check_contains "another path: 404" "HTTP/1.1 404" "$(curl -sS -m 10 -i "$URL/other" 2>&1)"
check_eq "the SIP side is unaffected: OPTIONS answered" 0 "$(sipp_run ping options.xml >/dev/null; echo $?)"

# (it listens on TCP for HTTP: its shutdown logs the TCP main process's
# EOF lines, which kam_stop_tcp drops)
kam_stop_tcp
finish
