#!/usr/bin/env bash
# modparam("reauth", "dmq", 1) without the dmq module, or with hello and
# timeout values that cannot work: Kamailio refuses to start and says why
# (the module's parameters are checked in mod_init). With dmq 0 (the
# default) reauth.nodes answers 503.
. "$(dirname "$0")/lib.sh"

KAM_PORT=$(free_port)
KAM_DB="$WORK/kamailio.sqlite"
KAM_RDB="$WORK/reauth.sqlite"
"$TOP/scripts/db-init.sh" "$KAM_DB" "$KAM_RDB" >/dev/null

# start_with NAME MODPARAMS...: Kamailio on etc/kamailio.cfg (no
# WITH_CLUSTER: no dmq module) plus these reauth parameters; prints its
# output, fails unless it exits by itself within 20 s
start_with() {
	local name=$1 cfg="$WORK/$1.cfg" rc
	shift
	awk -v extra="$*" '{ print } /^loadmodule "reauth.so"/ {
		n = split(extra, kv, " ")
		for (i = 1; i + 1 <= n; i += 2)
			printf "modparam(\"reauth\", \"%s\", %s)\n", kv[i], kv[i + 1] }' \
		"$TOP/etc/kamailio.cfg" >"$cfg"
	timeout 20 kamailio -DD -E -f "$cfg" -L "$TOP/modules/reauth:$KAM_MODULES" -Y "$WORK" \
		-m 64 -M 8 -A "LISTEN=udp:$IP:$KAM_PORT" -A "DBURL=\"sqlite://$KAM_DB\"" \
		-A "REAUTH_DBURL=\"sqlite://$KAM_RDB\"" -A "CTL_SOCKET=\"unix:$WORK/ctl-$name.sock\"" \
		-A "WORKERS=2" >"$WORK/$name.log" 2>&1
	rc=$?
	cat "$WORK/$name.log"
	[ $rc -ne 0 ] && [ $rc -ne 124 ]
}

out=$(start_with nodmq dmq 1)
check "dmq 1 without the dmq module: Kamailio does not start" test $? -eq 0
check_contains "... and says why" 'modparam("reauth", "dmq", 1) needs the dmq module' "$out"
out=$(start_with two dmq 2)
check "dmq 2: Kamailio does not start" test $? -eq 0
check_contains "... and says why" "dmq must be 0 or 1 (is 2)" "$out"
out=$(start_with timeout dmq 1 hello_interval 1000 node_timeout 1000)
check "node_timeout not above hello_interval: Kamailio does not start" test $? -eq 0
check_contains "... and says why" "node_timeout (1000 ms) must be longer than hello_interval (1000 ms)" "$out"
out=$(start_with hello dmq 1 hello_interval 5)
check "hello_interval 5 ms: Kamailio does not start" test $? -eq 0
check_contains "... and says why" "hello_interval must be at least 10 ms (is 5)" "$out"
check_not_contains "no crash on the way out" "CRITICAL" "$(cat "$WORK"/*.log)"

# dmq 0 (the default): the module runs alone, reauth.nodes says so
kam_start
out=$(kamcmd_ reauth.nodes 2>&1)
check_contains "dmq 0: reauth.nodes answers 503" "503" "$out"
check_contains "... saying that dmq is off" "dmq is off" "$out"
check_contains "dmq 0: reauth.owner answers 503" "503" "$(kamcmd_ reauth.owner sip:alice@ims.test 2>&1)"
ps=$(kamcmd_ core.psx 2>&1)
check_contains "core.psx lists the module's processes" "reauth worker" "$ps"
check_not_contains "dmq 0: no reauth dmq timer process" "reauth dmq timer" "$ps"

finish
