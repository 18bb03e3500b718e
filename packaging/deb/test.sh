#!/bin/sh
# make deb-test: install the built kamailio-reauth-module package and check
# that kamailio loads reauth.so from its standard module path:
#   1. dpkg -i the .deb; dpkg --verify its files;
#   2. a temporary sqlite database from the installed schemas
#      (/usr/share/kamailio/db_sqlite/standard-create.sql and the packaged
#      reauth-create.sql);
#   3. kamailio -c -f packaging/deb/test-load.cfg: passes, no ERROR line;
#   4. kamailio started for real on a free 127.0.0.1 UDP port: the packaged
#      reauth.so is mapped, kamcmd answers reauth.subscriptions; stopped by
#      its PID.
# Afterwards the package is removed again (dpkg -r) unless it was installed
# before. Prints "deb-test: PASS" or "deb-test: FAIL: <why>", exit 0 / 1.
#
# Usage: packaging/deb/test.sh [DEB_FILE | DIR]   (default build/deb)
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
pkg=kamailio-reauth-module
arg=${1:-$top/build/deb}

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo

tmp=""
kpid=""
we_installed=no

say() { echo "deb-test: $*"; }

cleanup() {
	if [ -n "$kpid" ] && kill -0 "$kpid" 2>/dev/null; then
		kill -TERM "$kpid" 2>/dev/null
		sleep 1
		kill -0 "$kpid" 2>/dev/null && kill -KILL "$kpid" 2>/dev/null
	fi
	if [ "$we_installed" = yes ]; then
		say "removing $pkg (it was not installed before)"
		$SUDO dpkg -r "$pkg" >/dev/null || say "dpkg -r $pkg failed"
	fi
	[ -n "$tmp" ] && rm -rf "$tmp"
}

# the verdict is the last line, after the clean-up
verdict=""
finish() {
	rc=$1
	trap - EXIT
	cleanup
	if [ "$rc" -eq 0 ] && [ -n "$verdict" ]; then
		say "PASS: $verdict"
	else
		say "FAIL: ${verdict:-interrupted}"
		rc=1
	fi
	exit "$rc"
}
trap 'finish $?' EXIT
trap 'exit 1' INT TERM HUP

fail() {
	verdict=$*
	exit 1
}

# show the lines of a log that matter when something went wrong
show() {
	sed 's/^/    /' "$1" | grep -E "ERROR|CRITICAL|WARNING|ALERT|reauth" | tail -n 30
}

# --- the package -----------------------------------------------------------
if [ -d "$arg" ]; then
	set -- "$arg"/${pkg}_*.deb
	[ $# -eq 1 ] && [ -f "$1" ] || fail "expected one ${pkg}_*.deb in $arg (make deb)"
	deb=$1
else
	deb=$arg
fi
[ -f "$deb" ] || fail "$deb not found (make deb)"
for t in dpkg kamailio kamcmd sqlite3; do
	command -v "$t" >/dev/null 2>&1 || fail "$t not found (make deps)"
done
deb_version=$(dpkg-deb -f "$deb" Version)

before=$(dpkg-query -W -f='${db:Status-Status} ${Version}' "$pkg" 2>/dev/null || true)
case $before in
installed\ *) say "$pkg ${before#installed } was installed before: it stays installed" ;;
*) we_installed=yes ;;
esac

tmp=$(mktemp -d /tmp/reauth-deb-test.XXXXXX)
chmod 0755 "$tmp"
say "installing $(basename "$deb")"
if ! $SUDO dpkg -i "$deb" >"$tmp/dpkg.log" 2>&1; then
	sed 's/^/    /' "$tmp/dpkg.log"
	fail "dpkg -i $(basename "$deb")"
fi
[ "$(dpkg-query -W -f='${db:Status-Status} ${Version}' "$pkg")" = "installed $deb_version" ] \
	|| fail "$pkg $deb_version is not installed after dpkg -i"
$SUDO dpkg --verify "$pkg" >"$tmp/verify.log" 2>&1 && [ ! -s "$tmp/verify.log" ] \
	|| { sed 's/^/    /' "$tmp/verify.log"; fail "dpkg --verify $pkg"; }

moddir=$(kamailio -I 2>/dev/null | sed -n 's/^ *Default paths to modules: *//p' \
	| sed 's/ *$//' | cut -d: -f1)
so="$moddir/reauth.so"
dpkg -L "$pkg" | grep -qxF "$so" || fail "$pkg does not install $so"
schema=/usr/share/kamailio/db_sqlite
dpkg -L "$pkg" | grep -qxF "$schema/reauth-create.sql" \
	|| fail "$pkg does not install $schema/reauth-create.sql"
say "installed $pkg $deb_version: $so"

# --- database from the installed schemas ----------------------------------
db="$tmp/reauth.sqlite"
for f in "$schema/standard-create.sql" "$schema/reauth-create.sql"; do
	sqlite3 "$db" <"$f" || fail "sqlite3 $db < $f"
done

# --- a free port --------------------------------------------------------------
port=""
p=$(( 20000 + $$ % 20000 ))
n=0
while [ $n -lt 200 ]; do
	if ! ss -Hlun 2>/dev/null | awk '{ print $4 }' | grep -qE "[:.]$p\$"; then
		port=$p
		break
	fi
	p=$(( p + 1 ))
	n=$(( n + 1 ))
done
[ -n "$port" ] || fail "no free UDP port on 127.0.0.1"

ctl="$tmp/kamailio_ctl"
mkdir -p "$tmp/run"
set -- -f "$top/packaging/deb/test-load.cfg" -Y "$tmp/run" \
	-A "LISTEN=udp:127.0.0.1:$port" -A "REAUTH_DBURL=\"sqlite://$db\"" \
	-A "CTL_SOCKET=\"unix:$ctl\""

# --- config check ----------------------------------------------------------
say "kamailio -c -f packaging/deb/test-load.cfg"
kamailio -c "$@" >"$tmp/check.log" 2>&1
rc=$?
if [ $rc -ne 0 ] || grep -q "ERROR" "$tmp/check.log"; then
	show "$tmp/check.log"
	fail "config check (exit $rc)"
fi
say "config check passed, no ERROR"

# --- start it for real ----------------------------------------------------
say "starting kamailio on udp:127.0.0.1:$port"
kamailio -DD -E "$@" >"$tmp/kamailio.log" 2>&1 &
kpid=$!
answer=""
i=0
while [ $i -lt 50 ]; do
	kill -0 "$kpid" 2>/dev/null || { show "$tmp/kamailio.log"; kpid=""; fail "kamailio exited at start-up"; }
	if [ -S "$ctl" ] && answer=$(kamcmd -s "unix:$ctl" reauth.subscriptions 2>&1); then
		break
	fi
	answer=""
	sleep 0.2
	i=$(( i + 1 ))
done
[ $i -lt 50 ] || { show "$tmp/kamailio.log"; fail "kamcmd reauth.subscriptions did not answer in 10 s"; }
case $answer in
error*|*"command not found"*) show "$tmp/kamailio.log"; fail "kamcmd reauth.subscriptions: $answer" ;;
esac
say "kamcmd reauth.subscriptions answered${answer:+: $answer}"
grep -qF " $so" "/proc/$kpid/maps" 2>/dev/null \
	|| fail "kamailio (pid $kpid) has not mapped $so"
say "kamailio (pid $kpid) runs $so"

sleep 1
kill -0 "$kpid" 2>/dev/null || { show "$tmp/kamailio.log"; kpid=""; fail "kamailio died while running"; }
kill -TERM "$kpid"
i=0
while kill -0 "$kpid" 2>/dev/null && [ $i -lt 50 ]; do
	sleep 0.1
	i=$(( i + 1 ))
done
kill -0 "$kpid" 2>/dev/null && fail "kamailio (pid $kpid) did not stop on SIGTERM"
wait "$kpid" 2>/dev/null
kpid=""
say "kamailio stopped"
if grep -qE "ERROR|CRITICAL|ALERT" "$tmp/kamailio.log"; then
	show "$tmp/kamailio.log"
	fail "ERROR lines in kamailio's log"
fi

verdict="$pkg $deb_version loads and runs in kamailio $(dpkg-query -W -f='${Version}' kamailio)"
exit 0
