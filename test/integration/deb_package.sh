#!/usr/bin/env bash
# make deb builds kamailio-reauth-module depending on the exact kamailio
# version; make deb-test installs it, loads reauth.so from Kamailio's own
# module directory (kamailio -c and a real start answering kamcmd), and
# removes it again.
. "$(dirname "$0")/lib.sh"

out=$(make -C "$TOP" --no-print-directory deb-test LINTIAN=no 2>&1)
check_contains "the package installs, loads and runs" "deb-test: PASS" "$out"
deb=$(ls "$TOP"/build/deb/kamailio-reauth-module_*.deb 2>/dev/null | tail -1)
check "the package file exists" test -f "$deb"
kver=$(dpkg-query -W -f='${Version}' kamailio)
check_contains "it depends on exactly kamailio $kver" "kamailio (= $kver)" \
	"$(dpkg-deb -f "$deb" Depends 2>&1)"
check_contains "it ships reauth.so in Kamailio's module directory" \
	"$KAM_MODULES/reauth.so" "$(dpkg-deb -c "$deb" | sed 's|\./|/|')"
check_contains "it ships the SQL schema" "/usr/share/kamailio/db_sqlite/reauth-create.sql" \
	"$(dpkg-deb -c "$deb" | sed 's|\./|/|')"
[ -n "${out:-}" ] && printf '%s\n' "$out" | grep '^deb-test' | sed 's/^/# /'

finish
