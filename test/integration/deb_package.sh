#!/usr/bin/env bash
# make deb builds kamailio-reauth-module depending on the exact kamailio
# version. Checked without installing it (make deb-test installs it into
# the system; not part of make test): unpacked with dpkg-deb -x under this
# test's directory, its files match its md5sums, and kamailio loads the
# unpacked reauth.so (-L pointing at the unpacked module directory,
# kamailio -c and a real start answering kamcmd).
. "$(dirname "$0")/lib.sh"

out=$(make -C "$TOP" --no-print-directory deb LINTIAN=no 2>&1)
check "make deb builds the package" test $? -eq 0
deb=$(ls "$TOP"/build/deb/kamailio-reauth-module_*.deb 2>/dev/null | tail -1)
check "the package file exists" test -f "$deb"
out=$(DEB_TEST_DIR="$WORK/deb" DEB_TEST_PORT=$(free_port) \
	"$TOP/packaging/deb/test.sh" --unpacked "$deb" 2>&1)
check_contains "the unpacked package loads and runs in kamailio" "deb-test: PASS" "$out"
kver=$(dpkg-query -W -f='${Version}' kamailio)
check_contains "it depends on exactly kamailio $kver" "kamailio (= $kver)" \
	"$(dpkg-deb -f "$deb" Depends 2>&1)"
check_contains "it ships reauth.so in Kamailio's module directory" \
	"$KAM_MODULES/reauth.so" "$(dpkg-deb -c "$deb" | sed 's|\./|/|')"
check_contains "it ships the SQL schema" "/usr/share/kamailio/db_sqlite/reauth-create.sql" \
	"$(dpkg-deb -c "$deb" | sed 's|\./|/|')"
[ -n "${out:-}" ] && printf '%s\n' "$out" | grep '^deb-test' | sed 's/^/# /'

finish
