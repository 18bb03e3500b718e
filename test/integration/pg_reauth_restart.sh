#!/usr/bin/env bash
# The example configuration on PostgreSQL (-A WITH_POSTGRES, DBURL and
# REAUTH_DBURL on a private PostgreSQL of this test, schema from
# scripts/db-init.sh): a re-authentication that completes (bob), and one
# that is pending across a restart of Kamailio (alice): her subscription
# and procedure are rows in PostgreSQL, come back after the restart, and
# the deadline de-registers her with the terminated NOTIFY in the same
# dialog. Registrations (usrloc) are in PostgreSQL too.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"
. "$(dirname "$0")/pg_lib.sh"

kam_start_pg "REAUTH_TIMEOUT=8"
check_eq "Kamailio's processes are connected to PostgreSQL" t \
	"$(pg_sql "select count(*) > 2 from pg_stat_activity where usename = 'kamailio' and pid <> pg_backend_pid()")"
check_eq "PostgreSQL: the module's tables are there, empty" "0|0" \
	"$(pg_sql "select (select count(*) from reauth_subscription), (select count(*) from reauth_procedure)")"
check_eq "PostgreSQL: the example's implicit registration sets" 5 "$(pg_sql "select count(*) from reauth_identity")"

# ---- bob: the whole procedure, completed
pb=$(free_port)
sipp_bg ue ue_reauth.xml "$pb" -s bob -au bob -ap bob-secret -key expires 600
check "bob's UE registered and subscribed (digest from PostgreSQL)" wait_subs 1 sip:bob@ims.test
# (version: the next NOTIFY's, one past the initial NOTIFY's 0)
check_eq "PostgreSQL: bob's subscription is a row" "sip:bob@ims.test|sip:bob@ims.test|1" \
	"$(wait_pg "select identity, watcher, version from reauth_subscription where identity = 'sip:bob@ims.test'" "sip:bob@ims.test|sip:bob@ims.test|1" 5)"
check_contains "reauth.user starts bob's procedure" "status: started" "$(reauth_start sip:bob@ims.test)"
check_sipp "bob's UE got the NOTIFY, answered 200 and registered again" ue
check "bob's procedure completes" wait_outcome sip:bob@ims.test completed 10
check_eq "PostgreSQL: bob's finished procedure is not kept" 0 \
	"$(wait_pg "select count(*) from reauth_procedure where identity = 'sip:bob@ims.test'" 0 5)"
n=$(notify_split ue)
check_eq "PostgreSQL: bob's subscription's version follows the $n NOTIFYs he got" "$n" \
	"$(wait_pg "select version from reauth_subscription where identity = 'sip:bob@ims.test'" "$n" 5)"

# ---- alice: pending across a restart
pa=$(free_port) ps=$(free_port)
check "alice registers at :$pa" register_at alice "$pa" 600
sipp_bg sub sub_ue.xml "$ps" -s alice -key watcher alice -au alice -ap alice-secret -key sub_expires 600 -key notifies 3
check "alice subscribes" wait_subs 1 sip:alice@ims.test
check_contains "reauth.user starts alice's procedure" "status: started" "$(reauth_start sip:alice@ims.test)"
check "the re-authentication NOTIFY arrives" wait_notifies sub 2 5
id=$(proc_field sip:alice@ims.test id)
check_eq "PostgreSQL: alice's procedure awaits the re-REGISTER (state 3)" "$id|3" \
	"$(wait_pg "select id, state from reauth_procedure where identity = 'sip:alice@ims.test'" "$id|3" 5)"
check_eq "PostgreSQL: alice's subscription's next version is 2" 2 \
	"$(wait_pg "select version from reauth_subscription where identity = 'sip:alice@ims.test'" 2 5)"
sub_dialog sub
check_eq "PostgreSQL: the row has the dialog's Call-ID" "$SUB_CALLID" \
	"$(pg_sql "select callid from reauth_subscription where identity = 'sip:alice@ims.test'")"

kam_stop
log "kamailio stopped"
check_contains "PostgreSQL: usrloc wrote alice's contact at shutdown" "sip:alice@$IP:$pa" \
	"$(pg_sql "select contact from location where username = 'alice'")"
kam_launch WITH_POSTGRES "REAUTH_TIMEOUT=8"
check "after the restart: the subscriptions are loaded from PostgreSQL" log_has "loaded 2 reg event subscriptions from the DB"
check "after the restart: the procedure is resumed" log_has "resumed 1 pending"
check_eq "after the restart: alice's procedure $id is back, awaiting the re-REGISTER" "$id awaiting-register" \
	"$(proc_field sip:alice@ims.test id) $(proc_field sip:alice@ims.test state)"
check_eq "after the restart: alice's subscription, same Call-ID" "$SUB_CALLID" \
	"$(subs_field callid sip:alice@ims.test)"
check_contains "after the restart: alice's contact is back in usrloc" "sip:alice@$IP:$pa" "$(kamcmd_ ul.dump)"

check "the deadline fires: alice is de-registered" wait_outcome sip:alice@ims.test deregistered 15
check_eq "reason timeout" timeout "$(proc_field sip:alice@ims.test reason)"
check_sipp "the subscription got initial, re-authentication and terminated NOTIFYs" sub
notify_split sub >/dev/null
h=$(notify_hdr_file sub 3)
b=$(notify_body sub 3)
check_eq "the terminated NOTIFY comes in the same dialog after the restart" \
	"$SUB_CALLID $SUB_RTAG" "$(hdr "$h" Call-ID) $(tag_of "$(hdr "$h" From)")"
check_eq "... with the next version" 2 "$(reginfo_version "$b")"
check_eq "... Subscription-State terminated" terminated "$(first_token "$(hdr "$h" Subscription-State)")"
check_eq "PostgreSQL: alice's procedure and subscription rows are gone" "0|0" \
	"$(wait_pg "select (select count(*) from reauth_procedure where identity = 'sip:alice@ims.test'), (select count(*) from reauth_subscription where identity = 'sip:alice@ims.test')" "0|0" 5)"
check_eq "PostgreSQL: bob's subscription is still there" 1 \
	"$(pg_sql "select count(*) from reauth_subscription where identity = 'sip:bob@ims.test'")"
check_eq "no DB error" 0 "$(reauth_stat db_errors)"

finish
