#!/usr/bin/env bash
# The module through KEMI (Lua): etc/kamailio-kemi.cfg + etc/reauth.lua
# route with KSR.reauth.reauth_subscribe(), KSR.reauth.reauth_pending()
# and KSR.reauth.reauth_user(); the module's events reach the Lua
# event_callback. A UE subscribes, the Lua script triggers the
# re-authentication (MESSAGE), the UE re-registers, the event callback runs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"

KAM_CFG="$TOP/etc/kamailio-kemi.cfg"
kam_start "LUA_SCRIPT=\"$TOP/etc/reauth.lua\""

pa=$(free_port)
sipp_bg ue ue_reauth.xml "$pa" -s alice -au alice -ap alice-secret -key expires 600
check "the UE registered and subscribed through Lua" wait_subs 1 sip:alice@ims.test
check "KSR.reauth.reauth_user() starts it (MESSAGE answered)" \
	from_as sipp_run as as_reauth_request.xml -key identity sip:alice@ims.test
check_contains "... 202" "SIP/2.0 202" "$(cat "$WORK/as.msg")"
check_sipp "the UE got the NOTIFY, answered and registered again" ue
notify_split ue >/dev/null
check_contact ue 2 "$pa" active shortened
check "the procedure completes" wait_outcome sip:alice@ims.test completed 5
check "the Lua event callback ran with \$reauth(...)" \
	log_has "lua reauth:completed: sip:alice@ims.test (re-registered)"
check "KSR.reauth.reauth_user() says 404 for an unregistered identity" \
	from_as sipp_run as2 as_reauth_request.xml -key identity sip:carol@ims.test
check_contains "... 404" "SIP/2.0 404" "$(cat "$WORK/as2.msg")"

finish
