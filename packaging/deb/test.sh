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
# --unpacked (make test, test/integration/deb_package.sh): nothing is
# installed, nothing is written outside the checkout. The .deb is unpacked
# (dpkg-deb -x) into a directory under var/ and its files are checked
# against its md5sums; the database comes from the system's standard
# schema and the unpacked reauth-create.sql; kamailio runs with
# -L <unpacked module dir>:<kamailio's module dir> and must map the
# unpacked reauth.so. DEB_TEST_DIR=DIR works in DIR (kept afterwards,
# default: a temporary directory under var/, removed); DEB_TEST_PORT=N
# listens on that UDP port (default: the first free one from 20000+).
#
# Usage: packaging/deb/test.sh [--unpacked] [DEB_FILE | DIR]   (default build/deb)
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
pkg=kamailio-reauth-module
mode=install
if [ "${1:-}" = --unpacked ]; then
	mode=unpacked
	shift
fi
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
	[ -n "$tmp" ] && [ "$tmp" != "${DEB_TEST_DIR:-}" ] && rm -rf "$tmp"
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
moddir=$(kamailio -I 2>/dev/null | sed -n 's/^ *Default paths to modules: *//p' \
	| sed 's/ *$//' | cut -d: -f1)
[ -n "$moddir" ] || fail "cannot read the module path from kamailio -I"
schema=/usr/share/kamailio/db_sqlite
mpath=""

if [ "$mode" = unpacked ]; then
	# --- unpacked under var/, nothing installed -------------------------------
	if [ -n "${DEB_TEST_DIR:-}" ]; then
		tmp=$DEB_TEST_DIR
		rm -rf "$tmp"
		mkdir -p "$tmp"
	else
		mkdir -p "$top/var"
		tmp=$(mktemp -d "$top/var/deb-test.XXXXXX")
	fi
	root="$tmp/root"
	say "unpacking $(basename "$deb") into $root"
	dpkg-deb -x "$deb" "$root" || fail "dpkg-deb -x $(basename "$deb")"
	dpkg-deb -e "$deb" "$tmp/DEBIAN" || fail "dpkg-deb -e $(basename "$deb")"
	(cd "$root" && md5sum --quiet -c "$tmp/DEBIAN/md5sums") >"$tmp/verify.log" 2>&1 \
		|| { sed 's/^/    /' "$tmp/verify.log"; fail "the unpacked files do not match DEBIAN/md5sums"; }
	so="$root$moddir/reauth.so"
	[ -f "$so" ] || fail "$pkg does not ship $moddir/reauth.so"
	[ -f "$root$schema/reauth-create.sql" ] || fail "$pkg does not ship $schema/reauth-create.sql"
	std_sql="$schema/standard-create.sql"
	reauth_sql="$root$schema/reauth-create.sql"
	mpath="$root$moddir:$moddir"
	say "unpacked $pkg $deb_version: $so"
else
# --- installed into the system (make deb-test) ------------------------------
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

so="$moddir/reauth.so"
dpkg -L "$pkg" | grep -qxF "$so" || fail "$pkg does not install $so"
dpkg -L "$pkg" | grep -qxF "$schema/reauth-create.sql" \
	|| fail "$pkg does not install $schema/reauth-create.sql"
std_sql="$schema/standard-create.sql"
reauth_sql="$schema/reauth-create.sql"
say "installed $pkg $deb_version: $so"
fi

# --- database from the package's schema -------------------------------------
db="$tmp/reauth.sqlite"
for f in "$std_sql" "$reauth_sql"; do
	sqlite3 "$db" <"$f" || fail "sqlite3 $db < $f"
done

# --- a free port --------------------------------------------------------------
port=${DEB_TEST_PORT:-}
p=$(( 20000 + $$ % 20000 ))
n=0
while [ -z "$port" ] && [ $n -lt 200 ]; do
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
set -- ${mpath:+-L "$mpath"} -f "$top/packaging/deb/test-load.cfg" -Y "$tmp/run" \
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
