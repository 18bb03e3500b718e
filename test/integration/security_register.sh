#!/usr/bin/env bash
# Trust model (issue 9): who counts as the UE, and what a REGISTER may
# claim. integrity-protected="yes" is honoured from a P-CSCF's address
# only; a Path only from a P-CSCF. A subscription that is not proven to be
# the UE's (here: a forged From, with watcher_auth off and a script that
# forgets to authenticate) may answer the re-authentication NOTIFY with
# 200: the module still sends the real UE its REFER.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"

# contacts_of AOR: the contact addresses usrloc has for AOR
contacts_of() { kamcmd_ ul.lookup location "$1" 2>&1 | sed -n 's/^[[:space:]]*Address: //p'; }

kam_start
pa=$(free_port) px=$(free_port) pp=$(free_port) pq=$(free_port)
check "alice registers at :$pa" register_at alice "$pa" 600

# integrity-protected from an untrusted address: challenged, not saved
check "an integrity-protected REGISTER from an untrusted address runs" \
	sipp_run_at ipx "$px" ue_register_integrity.xml -s alice -key expires 600
check_eq "... and is challenged (401)" 401 "$(status_code "$(final_response ipx)")"
check_not_contains "... its contact is not saved" ":$px;" "$(contacts_of alice@ims.test)"

# the same from the P-CSCF's address: saved without a challenge
check "an integrity-protected REGISTER from the P-CSCF runs" \
	from_pcscf sipp_run_at ipp "$pp" ue_register_integrity.xml -s alice -key expires 600
check_eq "... answered 200" 200 "$(status_code "$(final_response ipp)")"
check_contains "... its contact is saved" "sip:alice@$PCSCF_IP:$pp;" "$(contacts_of alice@ims.test)"

# a Path of the attacker's choice, even with valid credentials: refused
sipp_run_at pathx "$pq" ue_register_path.xml -s alice -au alice -ap alice-secret \
	-key expires 600 -key pcscf_port "$pq" >/dev/null
check_eq "... and is refused (403)" 403 "$(status_code "$(final_response pathx)")"
check_eq "... Path Not Allowed" "SIP/2.0 403 Path Not Allowed" "$(start_line "$(final_response pathx)")"
check_not_contains "... no contact with that Path" ":$pq;" "$(contacts_of alice@ims.test)"
check_not_contains "... usrloc keeps no attacker's Path" "Path: <sip:pcscf@$IP" \
	"$(kamcmd_ ul.lookup location alice@ims.test 2>&1)"
kam_stop

# ---- a forged subscription cannot stand in for the UE (new databases:
# alice's only contact is her UE's)
KAM_PORT=""
rm -f "$WORK"/kamailio.sqlite* "$WORK"/reauth.sqlite*
kam_start WATCHER_AUTH=0 SKIP_SUBSCRIBE_AUTH=1
check "alice registers at :$pa" register_at alice "$pa" 600
check "the module warns that From is believed" log_has "watcher_auth is 0"
sipp_bg ue uas_refer_accept.xml "$pa" -s alice -au alice -ap alice-secret -key expires 600
# the forger: From alice, no credentials, from alice's own IP address
# (three NOTIFYs: initial, re-authentication, the UE's re-REGISTER)
sipp_bg forger sub_ue.xml "$(free_port)" -s alice -key watcher alice -key sub_expires 600 -key notifies 3
check "the forged subscription is accepted (watcher_auth 0)" wait_subs 1 sip:alice@ims.test
check_eq "... as an ordinary watcher, not the UE" other "$(subs_field kind sip:alice@ims.test | xargs)"
check_contains "reauth.user starts the procedure" "status: started" \
	"$(reauth_start sip:alice@ims.test)"
check_sipp "the forger answered the re-authentication NOTIFY with 200" forger
check_sipp "the real UE still got the REFER, accepted it and registered again" ue
check_eq "exactly one REFER reached the UE's contact" 1 \
	"$(sipp_extract "$WORK/ue.msg" received '^REFER ' "$WORK/ue.refer" body)"
check "the procedure completes through the UE" wait_outcome sip:alice@ims.test completed 10
check_eq "statistics: one REFER sent" 1 "$(reauth_stat refer_sent)"

finish
