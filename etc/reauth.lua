-- Routing of etc/kamailio-kemi.cfg: the example S-CSCF in Lua (KEMI).
-- The reauth module's functions are KSR.reauth.reauth_subscribe(),
-- KSR.reauth.reauth_pending() and KSR.reauth.reauth_user(identity).

local FLT_TRUSTED = 5 -- reauth's trusted_flag
local GRP_PCSCF = 1   -- permissions' address groups
local GRP_AS = 2

function ksr_request_route()
	local method = KSR.kx.get_method()

	-- the operator's P-CSCFs and ASs by source address; what anyone else
	-- asserts about identities is dropped
	if KSR.permissions.allow_source_address(GRP_PCSCF) > 0
			or KSR.permissions.allow_source_address(GRP_AS) > 0 then
		KSR.setflag(FLT_TRUSTED)
	elseif KSR.hdr.is_present("P-Asserted-Identity") > 0 then
		KSR.hdr.remove("P-Asserted-Identity")
	end

	if method == "SUBSCRIBE" then
		-- reg event subscriptions (initial, refresh, unsubscribe); the
		-- first SUBSCRIBE of a UE is authenticated like its REGISTER
		if KSR.siputils.has_totag() < 0 and not KSR.isflagset(FLT_TRUSTED) then
			if KSR.auth_db.auth_check(KSR.pv.get("$fd"), "subscriber", 1) < 0 then
				KSR.auth.auth_challenge(KSR.pv.get("$fd"), 0)
				return 1
			end
		end
		-- over TCP the NOTIFYs reuse the SUBSCRIBE's connection (alias)
		if KSR.siputils.has_totag() < 0 and KSR.pv.get("$pr") ~= "udp" then
			KSR.nathelper.set_contact_alias()
		end
		KSR.reauth.reauth_subscribe()
		return 1
	end
	if method == "REGISTER" then
		ksr_route_registrar()
		return 1
	end
	-- NOTIFYs of a refer subscription (a UE that ignored Refer-Sub: false)
	if method == "NOTIFY" and KSR.siputils.has_totag() > 0
			and string.find(KSR.pv.get("$hdr(Event)") or "", "^refer") then
		ksr_route_refer_notify()
		return 1
	end
	if method == "MESSAGE" and KSR.permissions.allow_source_address(GRP_AS) > 0
			and KSR.hdr.is_present("X-Reauth-Identity") > 0 then
		ksr_route_reauth_request()
		return 1
	end
	if KSR.tmx.t_check_trans() > 0 then
		KSR.tm.t_relay()
		return 1
	end
	KSR.sl.sl_send_reply(405, "Method Not Allowed")
	return 1
end

function ksr_route_registrar()
	local challenge = true
	local from_pcscf = KSR.permissions.allow_source_address(GRP_PCSCF) > 0
	-- only a P-CSCF adds Path (RFC 3327)
	if KSR.hdr.is_present("Path") > 0 and not from_pcscf then
		KSR.sl.sl_send_reply(403, "Path Not Allowed")
		return
	end
	if from_pcscf and KSR.pv.get("$hdr(Authorization)") ~= nil
			and string.find(KSR.pv.get("$hdr(Authorization)"),
				"integrity%-protected=\"?yes") then
		challenge = false
	end
	if KSR.reauth.reauth_pending() > 0 then
		KSR.dbg("REGISTER of " .. KSR.pv.get("$tu") .. " during re-authentication: challenge\n")
		challenge = true
	end
	-- a UE over TCP: requests to it reuse its connection (received URI)
	if KSR.pv.get("$pr") ~= "udp" then
		KSR.nathelper.fix_nated_register()
	end
	if challenge then
		if KSR.auth_db.auth_check(KSR.pv.get("$fd"), "subscriber", 1) < 0 then
			KSR.auth.auth_challenge(KSR.pv.get("$fd"), 0)
			return
		end
		KSR.auth.consume_credentials()
	end
	if KSR.registrar.save("location", 0) < 0 then
		KSR.sl.sl_reply_error()
	end
end

-- our REFERs carry "Refer-Sub: false" (RFC 4488); a UE that ignores it
-- notifies the REFER's progress in its dialog: 200 OK when the Call-ID is
-- one the module gave, else 481 (RFC 6665), as etc/kamailio.cfg does
function ksr_route_refer_notify()
	local ci = KSR.pv.get("$ci") or ""
	if string.sub(ci, 1, 13) == "reauth-refer-" and KSR.is_myself_ruri() then
		KSR.sl.sl_send_reply(200, "OK")
	else
		KSR.sl.sl_send_reply(481, "Subscription Does Not Exist")
	end
end

-- an application server of the operator (by address) asks for a
-- re-authentication
function ksr_route_reauth_request()
	local rc = KSR.reauth.reauth_user(KSR.pv.get("$hdr(X-Reauth-Identity)"))
	local answers = {
		[1] = {202, "Re-authentication Started"},
		[-2] = {400, "Bad Identity"},
		[-3] = {404, "Not Registered"},
		[-4] = {409, "Re-authentication Pending"},
	}
	local a = answers[rc] or {500, "Re-authentication Failed"}
	KSR.sl.sl_send_reply(a[1], a[2])
end

-- reauth:completed, reauth:failed, reauth:deregistered
function ksr_reauth_event(evname)
	KSR.notice("lua " .. evname .. ": " .. KSR.pv.get("$reauth(identity)")
		.. " (" .. KSR.pv.get("$reauth(reason)") .. ")\n")
	return 1
end
