-- Routing of etc/kamailio-kemi.cfg: the example S-CSCF in Lua (KEMI).
-- The reauth module's functions are KSR.reauth.reauth_subscribe(),
-- KSR.reauth.reauth_pending() and KSR.reauth.reauth_user(identity).

local FLT_ACC = 1

function ksr_request_route()
	local method = KSR.kx.get_method()

	if method == "SUBSCRIBE" then
		-- reg event subscriptions (initial, refresh, unsubscribe)
		KSR.reauth.reauth_subscribe()
		return 1
	end
	if method == "REGISTER" then
		ksr_route_registrar()
		return 1
	end
	if method == "MESSAGE" and KSR.is_myself_srcip()
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
	if KSR.pv.get("$hdr(Authorization)") ~= nil
			and string.find(KSR.pv.get("$hdr(Authorization)"),
				"integrity%-protected=\"?yes") then
		challenge = false
	end
	if KSR.reauth.reauth_pending() > 0 then
		KSR.info("REGISTER of " .. KSR.pv.get("$tu") .. " during re-authentication: challenge\n")
		challenge = true
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

-- a network element of this host asks for a re-authentication
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
