#!/usr/bin/env bash
# kamcmd reauth.* answer clear errors, with code and reason, for a
# missing, empty, unparsable or unregistered identity; reauth.user starts,
# refuses a second start, reauth.show / list / cancel / reload work.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"

kam_start

out=$(kamcmd_ reauth.user 2>&1)
check_contains "no identity: 400 missing identity" "400 - missing identity" "$out"

# kamcmd sends no parameter at all for an empty string
out=$(kamcmd_ reauth.user '' 2>&1)
check_contains "empty identity: 400" "error: 400 - " "$out"
out=$(kamcmd_ reauth.user ' ' 2>&1)
check_contains "blank identity: 400" "error: 400 - " "$out"

for garbage in 'garbage' 'sip:' 'http://example.com/x' 'sip:@ims.test' '<<>>&;'; do
	out=$(kamcmd_ reauth.user "$garbage" 2>&1)
	check_contains "unparsable identity '$garbage': 400 with reason" \
		"400 - identity is" "$out"
done

out=$(kamcmd_ reauth.user sip:nobody@ims.test 2>&1)
check_contains "unknown identity: 404 not registered" \
	"404 - identity is not registered: sip:nobody@ims.test" "$out"

# a provisioned subscriber that has not registered is not registered either
out=$(kamcmd_ reauth.user sip:carol@ims.test 2>&1)
check_contains "provisioned but unregistered identity: 404" "404 - identity is not registered" "$out"

check "alice registers" register alice 600
out=$(kamcmd_ reauth.user sip:alice@ims.test 2>&1)
check_contains "a registered identity starts a procedure" "status: started" "$out"
check_contains "... with an id" "id: 1" "$out"
out=$(kamcmd_ reauth.user sip:alice@ims.test 2>&1)
check_contains "a second one while pending: 409" "409 - a re-authentication of this identity is pending: sip:alice@ims.test" "$out"

# reauth.show / reauth.list / reauth.cancel / reauth.reload
out=$(kamcmd_ reauth.show 2>&1)
check_contains "reauth.show without identity: 400" "400 - missing identity" "$out"
out=$(kamcmd_ reauth.show sip:nobody@ims.test 2>&1)
check_contains "reauth.show of an identity without procedure: 404" \
	"404 - no re-authentication of this identity: sip:nobody@ims.test" "$out"
out=$(kamcmd_ reauth.show garbage 2>&1)
check_contains "reauth.show of garbage: 400" "400 - " "$out"
check_contains "reauth.list lists the pending procedure" "identity: sip:alice@ims.test" \
	"$(kamcmd_ reauth.list 2>&1)"
out=$(kamcmd_ reauth.cancel sip:nobody@ims.test 2>&1)
check_contains "reauth.cancel of an identity without procedure: 404" "404 - no pending re-authentication" "$out"
out=$(kamcmd_ reauth.cancel 2>&1)
check_contains "reauth.cancel without identity: 400" "400 - missing identity" "$out"
out=$(kamcmd_ reauth.cancel sip:alice2@ims.test 2>&1)
check_contains "reauth.cancel by another identity of the set cancels it" "status: cancelled" "$out"
for i in $(seq 1 20); do
	kamcmd_ reauth.show sip:alice@ims.test 2>&1 | grep -q "outcome: cancelled" && break
	sleep 0.1
done
check_contains "reauth.show: outcome cancelled" "outcome: cancelled" "$(kamcmd_ reauth.show sip:alice@ims.test 2>&1)"
check_contains "cancelling does not de-register" "AoR: alice@ims.test" "$(kamcmd_ ul.dump 2>&1)"
check_contains "statistics: one cancelled" "reauth:reauth_cancelled = 1" \
	"$(kamcmd_ stats.get_statistics reauth: 2>&1)"

check_contains "reauth.reload counts the identities of the sets" "identities: 5" \
	"$(kamcmd_ reauth.reload 2>&1)"
sqlite3 "$KAM_RDB" "insert into reauth_identity (impu, impi, set_id) values ('sip:carol@ims.test', 'carol@ims.test', 'carol-1')"
check_contains "reauth.reload picks up a new row" "identities: 6" "$(kamcmd_ reauth.reload 2>&1)"
out=$(kamcmd_ reauth.user carol@ims.test 2>&1)
check_contains "a private identity of a user who is not registered: 404" "404 - identity is not registered" "$out"

# reauth.cancel answers when the cancel is done: a trigger right after it
# is accepted, every time
check "bob registers" register bob 600
refused=0
for i in $(seq 1 100); do
	kamcmd_ reauth.user sip:bob@ims.test >/dev/null 2>&1
	kamcmd_ reauth.cancel sip:bob@ims.test >/dev/null 2>&1
	case "$(kamcmd_ reauth.user sip:bob@ims.test 2>&1)" in *"409 -"*) refused=$((refused + 1)) ;; esac
	kamcmd_ reauth.cancel sip:bob@ims.test >/dev/null 2>&1
done
check_eq "100 trigger / cancel / trigger cycles: no trigger refused after a cancel" 0 "$refused"

# reauth.show by private identity leaks no pkg memory of the ctl process
ctl_pkg_used() {
	kamcmd_ pkg.stats 2>/dev/null | awk '
		/used:/ && !/real_used/ { u = $2 }
		/desc:/ && /ctl handler/ { print u; exit }'
}
for i in 1 2 3 4 5; do kamcmd_ reauth.show bob@ims.test >/dev/null 2>&1; done
before=$(ctl_pkg_used)
for i in $(seq 1 200); do kamcmd_ reauth.show bob@ims.test >/dev/null 2>&1; done
after=$(ctl_pkg_used)
check_range "200 reauth.show <private identity>: ctl's pkg memory grew by < 1 KB ($before -> $after)" \
	-1000000 1024 "$(( ${after:-999999} - ${before:-0} ))"

# the server keeps answering after all of this
check "kamailio still answers RPC" kamcmd_ core.uptime

finish
