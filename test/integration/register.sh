#!/usr/bin/env bash
# A UE registers with digest authentication: challenged first, then the
# binding is in usrloc (ul.dump) and in the location table; a wrong
# password is refused and saves nothing.
. "$(dirname "$0")/lib.sh"

kam_start

check "alice registers with digest auth (401 then 200)" register alice 600
msgs=$(cat "$WORK"/reg-alice-*.msg)
check_contains "the first REGISTER is challenged with the ims.test realm" \
	'WWW-Authenticate: Digest realm="ims.test"' "$msgs"
check_contains "the second REGISTER carries credentials" \
	'Authorization: Digest username="alice"' "$msgs"

dump=$(kamcmd_ ul.dump)
check_contains "alice@ims.test is in ul.dump" "AoR: alice@ims.test" "$dump"
check_contains "her contact is in ul.dump" "sip:alice@127.0.0.1" "$dump"

rows=$(wait_sql "$KAM_DB" "select count(*) from location where username='alice'" 1)
rows=$(sqlite3 "$KAM_DB" "select username||'@'||domain||' '||contact from location")
check_contains "usrloc wrote the binding to the DB (write-back, within its timer)" \
	"alice@ims.test sip:alice@127.0.0.1" "$rows"

check "bob with a wrong password gets 401 twice" \
	sipp_run bad-bob ue_register_wrong_password.xml -s bob -au bob -ap wrong \
	-key expires 600
dump=$(kamcmd_ ul.dump)
check_not_contains "bob is not in ul.dump" "AoR: bob@ims.test" "$dump"

finish
