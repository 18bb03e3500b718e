#!/usr/bin/env bash
# kamcmd reauth.user answers a clear error, with its code and reason, for
# a missing, empty, unparsable or unregistered identity.
. "$(dirname "$0")/lib.sh"

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
		"400 - identity is not a sip:, sips: or tel: URI with a user part" "$out"
done

out=$(kamcmd_ reauth.user sip:nobody@ims.test 2>&1)
check_contains "unknown identity: 404 not registered" \
	"404 - identity is not registered: sip:nobody@ims.test" "$out"

# a provisioned subscriber that has not registered is not registered either
out=$(kamcmd_ reauth.user sip:carol@ims.test 2>&1)
check_contains "provisioned but unregistered identity: 404" "404 - identity is not registered" "$out"

check "alice registers" register alice 600
out=$(kamcmd_ reauth.user sip:alice@ims.test 2>&1)
check_not_contains "a registered identity passes validation (no 4xx)" "error: 4" "$out"
# the procedure itself is not in this version, and says so
check_contains "a registered identity: 501 procedure not implemented" \
	"501 - re-authentication procedure not implemented yet" "$out"

# the server keeps answering after all of this
check "kamailio still answers RPC" kamcmd_ core.uptime

finish
