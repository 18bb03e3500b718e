#!/usr/bin/env bash
# Trust model (issue 9): who may watch a user's registrations. From proves
# nothing: a watcher is proven by digest credentials, or by the
# P-Asserted-Identity of a source the script trusts by address (the
# example cfg: permissions' address table, P-CSCF 127.0.0.2, AS 127.0.0.3).
# Strangers learn nothing of the registration state; authenticated
# watchers get TS 24.229 5.4.2.1.1's order (480, then 403). The legitimate
# watchers (the user, the P-CSCF and the AS by address) keep working.
# Each probe runs twice: against the example cfg (which challenges), and
# against a cfg that forgets to authenticate SUBSCRIBE (the module itself
# then refuses).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify_lib.sh"
. "$(dirname "$0")/reauth_lib.sh"

# probe NAME RURI FROM [EXTRA_HDR] [sipp args...]: one SUBSCRIBE without
# credentials (sub_probe_auth.xml with -au/-ap: with them); CODE is the
# final answer
probe() {
	local name=$1 ruri=$2 from=$3 extra=${4:-"X-Probe: none"} scen=sub_probe.xml
	shift 4 2>/dev/null || shift $#
	case " $* " in *" -au "*) scen=sub_probe_auth.xml ;; esac
	sipp_run "$name" "$scen" -key ruri "$ruri" -key from_uri "$from" \
		-key extra_hdr "$extra" -key sub_expires 600 "$@" >/dev/null
	RESP=$(final_response "$name" "$( [ $scen = sub_probe.xml ] && echo 1 || echo 2)")
	CODE=$(status_code "$RESP")
	[ -n "$CODE" ] || CODE="(no final answer)"
}

ALICE=sip:alice@ims.test
PAI_ALICE="P-Asserted-Identity: <sip:alice@ims.test>"

# the probes that must never see alice's registration; $1: the answer the
# cfg gives (407: challenged by the script; 403: refused by the module)
forged_probes() {
	local want=$1 what=$2
	probe "$what-from" "$ALICE" "$ALICE"
	check_eq "$what: From alice, no credentials: $want" "$want" "$CODE"
	probe "$what-sips" "$ALICE" sips:alice@ims.test
	check_eq "$what: From sips:alice: $want" "$want" "$CODE"
	probe "$what-upper" "$ALICE" sip:ALICE@IMS.TEST
	check_eq "$what: From sip:ALICE@IMS.TEST: $want" "$want" "$CODE"
	probe "$what-params" "$ALICE" "sip:alice@ims.test;user=phone;x=y"
	check_eq "$what: From with parameters: $want" "$want" "$CODE"
	probe "$what-pai" "$ALICE" sip:eve@evil.test "$PAI_ALICE"
	check_eq "$what: P-Asserted-Identity alice from an untrusted address: $want" "$want" "$CODE"
	probe "$what-pcscf" "$ALICE" sip:pcscf@ims.test
	check_eq "$what: the trusted watcher's URI from an untrusted address: $want" "$want" "$CODE"
	# no registration oracle: registered alice, unregistered carol, no one
	probe "$what-carol" sip:carol@ims.test sip:carol@ims.test
	check_eq "$what: unregistered carol answers the same: $want" "$want" "$CODE"
	probe "$what-nobody" sip:nobody@ims.test sip:nobody@ims.test
	check_eq "$what: an unknown user answers the same: $want" "$want" "$CODE"
	check_eq "$what: no subscription was made" 0 "$(subs_count '*')"
	check_not_contains "$what: no NOTIFY reached a forger" "NOTIFY sip:probe@" \
		"$(cat "$WORK"/"$what"-*.msg 2>/dev/null)"
}

pa=$(free_port)

# ---- 1. the example configuration
kam_start
check "alice registers at :$pa" register_at alice "$pa" 600
forged_probes 407 cfg
probe cfg-407hdr "$ALICE" "$ALICE"
check_contains "the challenge is digest, realm ims.test" 'realm="ims.test"' \
	"$(hdr "$RESP" Proxy-Authenticate)"
kam_stop

# ---- 2. a script that forgets to authenticate SUBSCRIBE: the module refuses
KAM_PORT=""
kam_start SKIP_SUBSCRIBE_AUTH=1
check "alice registers at :$pa" register_at alice "$pa" 600
forged_probes 403 module
check_eq "statistics: subscribe_unauthenticated counts them" 8 \
	"$(reauth_stat subscribe_unauthenticated)"
check "the log says why" log_has "(unauthenticated, From <sip:alice@ims.test>): 403 Forbidden"
kam_stop

# ---- 3. authenticated and trusted watchers (example cfg)
KAM_PORT=""
kam_start
check "alice registers at :$pa" register_at alice "$pa" 600
# TS 24.229 5.4.2.1.1: 480 when no binding exists, then 403
probe bob-carol sip:carol@ims.test sip:bob@ims.test "" -au bob -ap bob-secret
check_eq "bob (authenticated) to unregistered carol: 480" 480 "$CODE"
probe bob-alice "$ALICE" sip:bob@ims.test "" -au bob -ap bob-secret
check_eq "bob (authenticated) to alice: 403" 403 "$CODE"
# bob cannot borrow alice's identity by From or PAI: the credentials name him
probe bob-as-alice "$ALICE" sip:bob@ims.test "$PAI_ALICE" -au bob -ap bob-secret
check_eq "bob asserting alice (untrusted source): 403" 403 "$CODE"

# the legitimate paths
probe alice-elsewhere "$ALICE" "$ALICE" "" -au alice -ap alice-secret -i 127.0.0.4
check_eq "alice (digest) from an address she did not register from: 200" 200 "$CODE"
check_eq "... an ordinary watcher (kind other), not her UE" other \
	"$(subs_field kind "$ALICE" | xargs)"
from_pcscf probe pcscf "$ALICE" sip:pcscf@ims.test
check_eq "the P-CSCF by address (sip:pcscf@ims.test): 200" 200 "$CODE"
from_as probe as "$ALICE" sip:as@ims.test
check_eq "the AS by address (sip:as@ims.test): 200" 200 "$CODE"
from_as probe as-pai "$ALICE" sip:whoever@ims.test "P-Asserted-Identity: <sip:as@ims.test>"
check_eq "the AS by address, asserting sip:as@ims.test: 200" 200 "$CODE"
from_as probe as-eve "$ALICE" sip:as@ims.test "P-Asserted-Identity: <sip:eve@ims.test>"
check_eq "a trusted source asserting an unlisted identity: 403" 403 "$CODE"
check_eq "four subscriptions of alice" 4 "$(subs_count "$ALICE")"
check_eq "their watchers come from the requests" \
	"sip:alice@ims.test sip:as@ims.test sip:pcscf@ims.test sip:whoever@ims.test" \
	"$(subs_field watcher "$ALICE" | sort | xargs)"
check_eq "none is the UE's" "other other other other" "$(subs_field kind "$ALICE" | xargs)"

# the UE itself: authenticated, from the address it registered from
sipp_bg ue sub_probe_auth.xml "$(free_port)" -key ruri "$ALICE" -key from_uri "$ALICE" \
	-key extra_hdr "X-Probe: none" -key sub_expires 600 -au alice -ap alice-secret
check "the UE (digest, its registered address) subscribes" wait_subs 5 "$ALICE"
check_eq "... and is the UE (kind ue)" "other other other other ue" \
	"$(subs_field kind "$ALICE" | sort | xargs)"

# a UE behind the P-CSCF: registered with the P-CSCF in its Path, its
# SUBSCRIBE relayed by that P-CSCF with P-Asserted-Identity
pr=$(free_port)
check "alice registers through the P-CSCF (Path)" \
	from_pcscf sipp_run_at regp "$pr" ue_register_path.xml -s alice -au alice -ap alice-secret \
	-key expires 600 -key pcscf_port "$(free_port)"
from_pcscf probe pcscf-ue "$ALICE" sip:pcscf@ims.test "$PAI_ALICE"
check_eq "the P-CSCF of her Path asserting alice: 200" 200 "$CODE"
check_eq "... a UE subscription (kind ue)" "other other other other ue ue" \
	"$(subs_field kind "$ALICE" | sort | xargs)"
from_as probe as-alice "$ALICE" sip:as@ims.test "$PAI_ALICE"
check_eq "the AS (not on her Path) asserting alice: 200" 200 "$CODE"
check_eq "... an ordinary watcher" "other other other other other ue ue" \
	"$(subs_field kind "$ALICE" | sort | xargs)"

finish
