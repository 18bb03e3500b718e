#!/usr/bin/env bash
# transport_tcp.sh through etc/kamailio-kemi.cfg and etc/reauth.lua: the
# Lua routing keeps a TCP UE's connection (set_contact_alias,
# fix_nated_register) and answers the UE's refer NOTIFY.
KEMI=1
. "$(dirname "$0")/transport_tcp.sh"
