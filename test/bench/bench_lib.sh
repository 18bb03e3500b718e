# Helpers shared by the benchmarks (run.sh, reauth_bench.sh,
# cluster_bench.sh); source it. Each script keeps its own set-up.
#   stop_pid PID    stop one of our processes by PID (TERM, 5 s, KILL), reaped
#   stop_bg         stop_pid every PID in $BG_PIDS, then empty it
#   free_port       a UDP port nobody listens on, not given before
#   now             the time in seconds, with nanoseconds
#   fcalc EXPR      awk arithmetic: fcalc 'printf "%.1f", 1/3'
#   kamcmd_ ARGS    kamcmd on $KAM_CTL

stop_pid() {
	local p=$1 i
	[ -n "$p" ] || return 0
	kill "$p" 2>/dev/null || { wait "$p" 2>/dev/null; return 0; }
	for i in $(seq 1 50); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	return 0
}

stop_bg() {
	local p
	for p in $BG_PIDS; do stop_pid "$p"; done
	BG_PIDS=""
}

USED_PORTS=""
free_port() {
	local p tries=0
	while :; do
		p=$((20000 + (RANDOM * 32768 + RANDOM + $$) % 40000))
		tries=$((tries + 1))
		[[ " $USED_PORTS " == *" $p "* ]] && continue
		ss -Hlun "sport = :$p" 2>/dev/null | grep -q . || break
		[ $tries -gt 200 ] && break
	done
	USED_PORTS="$USED_PORTS $p"
	echo "$p"
}

now() { date +%s.%N; }
fcalc() { awk "BEGIN { $1 }"; }

kamcmd_() { kamcmd -s "$KAM_CTL" "$@"; }
