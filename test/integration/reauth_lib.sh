# Helpers for the re-authentication tests. Source after lib.sh and
# notify_lib.sh.

# wait_subs N [IDENTITY] [SECONDS]: until reauth.subscriptions lists N
wait_subs() {
	local want=$1 id=${2:-} secs=${3:-10} i
	for i in $(seq 1 $((secs * 10))); do
		[ "$(subs_count $id)" = "$want" ] && return 0
		sleep 0.1
	done
	echo "reauth.subscriptions $id lists $(subs_count $id), waited for $want"
	return 1
}

# proc_field IDENTITY FIELD: a field of kamcmd reauth.show IDENTITY
proc_field() {
	kamcmd_ reauth.show "$1" 2>&1 | sed -n "s/^[[:space:]]*$2:[[:space:]]*//p" | head -1
}

# wait_outcome IDENTITY OUTCOME [SECONDS]: until the procedure has it
wait_outcome() {
	local secs=${3:-15} i
	for i in $(seq 1 $((secs * 10))); do
		[ "$(proc_field "$1" outcome)" = "$2" ] && return 0
		sleep 0.1
	done
	echo "outcome of $1 is '$(proc_field "$1" outcome)' (state" \
		"'$(proc_field "$1" state)'), waited $secs s for '$2'"
	return 1
}

# reauth_start IDENTITY: kamcmd reauth.user, prints its answer
# wait_state IDENTITY STATE [SECONDS]: reauth.show says that state
wait_state() {
	local secs=${3:-15} i
	for i in $(seq 1 $((secs * 10))); do
		[ "$(proc_field "$1" state)" = "$2" ] && return 0
		sleep 0.1
	done
	echo "state of $1 is '$(proc_field "$1" state)', waited $secs s for '$2'"
	return 1
}

reauth_start() { kamcmd_ reauth.user "$1" 2>&1; }

# ul_expires AOR PORT [IP]: Expires left of the contact at IP:PORT
# (IP: 127.0.0.1 unless given)
ul_expires() {
	kamcmd_ ul.lookup location "$1" 2>/dev/null | awk -v p="@${3:-$IP}:$2;" '
		/Address:/ { hit = index($0, p) > 0 }
		hit && /Expires:/ { print $2; exit }'
}

# log_has TEXT: the Kamailio log has a line with TEXT
log_has() { grep -qF -- "$1" "$KAM_LOG"; }

# check_sipp "description" NAME: the background sipp NAME ended well
# (sipp_wait must run in this shell: the sipp is its child)
check_sipp() {
	local out rc
	out=$(mktemp "$WORK/.check_sipp.XXXXXX")
	sipp_wait "$2" >"$out" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then pass "$1"; else fail "$1" "sipp $2 exited $rc
$(cat "$out")"; fi
	rm -f "$out"
}
