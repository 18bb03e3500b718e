#!/usr/bin/env bash
# The C API (api.h, bind_reauth): a tiny module (test/apimod) binds it in
# its mod_init and drives the procedure as a Diameter or HTTP front end
# would, through start, pending and cancel; its answers are those of the
# RPC, and the procedure it starts is the module's own (reauth.show).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"

ldflags=$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get LDFLAGS 2>/dev/null)
check "the API test module builds against api.h" \
	make -s -C "$TOP/test/apimod" COREPATH="${KAMAILIO_SRC:-$TOP/build/kamailio}/src" \
	quiet=silent LD_EXTRA_OPTS="$ldflags"

kam_start "APITEST_MODULE=\"$TOP/test/apimod/reauth_apitest.so\""
check "the module bound the API (kamailio started with it)" kamcmd_ apitest.pending sip:alice@ims.test
pa=$(free_port)
check "alice registers" register_at alice "$pa" 600
# her UE's subscription accepts the re-authentication NOTIFY: the
# procedure then waits for her REGISTER
sipp_bg ue sub_ue.xml "$(free_port)" -s alice -key watcher alice -au alice -ap alice-secret \
	-key sub_expires 600 -key notifies 2
check "alice's UE subscribes" wait_subs 1 sip:alice@ims.test

out=$(kamcmd_ apitest.pending sip:alice@ims.test 2>&1)
check_contains "pending: none yet" "pending: 0" "$out"
out=$(kamcmd_ apitest.start sip:carol@ims.test 2>&1)
check_contains "start an unregistered identity: 404" "code: 404" "$out"
out=$(kamcmd_ apitest.start not-a-uri 2>&1)
check_contains "start garbage: 400" "code: 400" "$out"
check_contains "pending of garbage: -1" "pending: -1" "$(kamcmd_ apitest.pending not-a-uri 2>&1)"

out=$(kamcmd_ apitest.start sip:alice@ims.test 2>&1)
check_contains "start alice: 200 started" "code: 200" "$out"
check_eq "... it awaits her REGISTER" awaiting-register \
	"$(for i in $(seq 1 50); do s=$(proc_field sip:alice@ims.test state)
		[ "$s" = awaiting-register ] && break; sleep 0.1; done; echo "$s")"
check_contains "... reason started" "reason: started" "$out"
id=$(printf '%s\n' "$out" | sed -n 's/^[[:space:]]*id: //p')
check_eq "... the procedure is the module's own (reauth.show id)" "$id" "$(proc_field sip:alice@ims.test id)"
check_contains "pending: 1" "pending: 1" "$(kamcmd_ apitest.pending sip:alice@ims.test 2>&1)"
check_contains "pending for the other identity of the set: 1" "pending: 1" \
	"$(kamcmd_ apitest.pending sip:alice2@ims.test 2>&1)"
check_contains "a second start: 409" "code: 409" "$(kamcmd_ apitest.start sip:alice@ims.test 2>&1)"
check_contains "reauth.user refuses it alike: 409" "409 -" "$(reauth_start sip:alice@ims.test)"
check_sipp "her UE accepted the re-authentication NOTIFY" ue
check "alice registers again" register_at alice "$pa" 600
check "the procedure completes" wait_outcome sip:alice@ims.test completed 10
check_contains "pending: 0 again" "pending: 0" "$(kamcmd_ apitest.pending sip:alice@ims.test 2>&1)"

# start by private identity, then cancel through the API
out=$(kamcmd_ apitest.start alice@ims.test 2>&1)
check_contains "start by private identity: 200" "code: 200" "$out"
# a cancel that overtakes the worker's start counts as cancelled only
# (reauth_deadline_race): wait for the start
check_eq "... the worker starts it" 2 "$(wait_stat reauth:reauth_started 2)"
out=$(kamcmd_ apitest.cancel sip:alice@ims.test 2>&1)
check_contains "cancel: 200 cancelled" "reason: cancelled" "$out"
check_contains "pending: 0 at once" "pending: 0" "$(kamcmd_ apitest.pending sip:alice@ims.test 2>&1)"
check_contains "cancel again: 404" "code: 404" "$(kamcmd_ apitest.cancel sip:alice@ims.test 2>&1)"
check_eq "statistics: started 2, completed 1, cancelled 1" "2 1 1" \
	"$(wait_stat reauth:reauth_started 2) $(reauth_stat reauth_completed) $(reauth_stat reauth_cancelled)"

finish
