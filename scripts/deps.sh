#!/bin/sh
# Install what the build, `make run` and `make test` need, and unpack
# Debian's source of the installed kamailio under build/ (for its headers).
# Idempotent: a second run installs and fetches nothing.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/build"

# `deps.sh doc`: only what `make doc` needs; `deps.sh bench`: what
# `make bench` needs besides (tcpdump: the REGISTER probe's packets, the
# server's own part of its latency)
if [ "${1:-}" = doc ]; then
	pkgs="xsltproc docbook-xsl docbook-xml lynx"
elif [ "${1:-}" = bench ]; then
	pkgs="tcpdump"
else
pkgs="kamailio kamailio-sqlite-modules kamailio-extra-modules
kamailio-presence-modules kamailio-xml-modules kamailio-lua-modules
kamailio-postgres-modules postgresql postgresql-client
libxml2-dev libxml2-utils libcmocka-dev sip-tester sqlite3 curl jq
build-essential pkg-config dpkg-dev bison flex iproute2 librsvg2-bin"
fi

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" \
		|| missing="$missing $p"
done

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive

if [ -n "$missing" ]; then
	echo "deps: installing$missing"
	$SUDO apt-get update -qq
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# The Debian package starts a system kamailio on 5060; the project runs
# its own instances, so keep the packaged service out of the way.
# Likewise PostgreSQL: the project runs a private cluster of its own
# (scripts/pg.sh), the packaged one need not run.
if [ -n "$missing" ] && command -v systemctl >/dev/null 2>&1; then
	$SUDO systemctl disable --now kamailio >/dev/null 2>&1 || true
	case " $missing " in
	*" postgresql "*) $SUDO systemctl disable --now postgresql >/dev/null 2>&1 || true ;;
	esac
fi

case "${1:-}" in doc | bench) exit 0 ;; esac

# Kamailio source of exactly the installed version, for headers and the
# Makefile.defs that give the module the core's compile flags.
[ -n "${KAMAILIO_SRC:-}" ] && exit 0
ver=$(dpkg-query -W -f='${Version}' kamailio)
upver=${ver#*:}
upver=${upver%-*}
src="$build/kamailio-$upver"
stamp="$build/.kamailio-src-$ver"
if [ -f "$stamp" ] && [ -d "$src/src" ]; then
	ln -sfn "kamailio-$upver" "$build/kamailio"
	exit 0
fi

if ! apt-get source --print-uris kamailio="$ver" >/dev/null 2>&1 \
		|| [ -z "$(apt-get source --print-uris kamailio="$ver" 2>/dev/null | grep "'")" ]; then
	echo "deps: adding deb-src entries built from the Debian source list"
	list=/etc/apt/sources.list.d/reauth-deb-src.sources
	if [ -f /etc/apt/sources.list.d/debian.sources ]; then
		sed -n '/^Types:/,$p' /etc/apt/sources.list.d/debian.sources \
			| sed 's/^Types:.*/Types: deb-src/' | $SUDO tee "$list" >/dev/null
	elif [ -f /etc/apt/sources.list ]; then
		grep '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' \
			| $SUDO tee /etc/apt/sources.list.d/reauth-deb-src.list >/dev/null
	fi
	$SUDO apt-get update -qq
fi

mkdir -p "$build"
rm -rf "$src"
(cd "$build" && apt-get source -qq kamailio="$ver" >/dev/null)
[ -d "$src/src" ] || { echo "deps: kamailio source not unpacked in $src" >&2; exit 1; }
touch "$stamp"
ln -sfn "kamailio-$upver" "$build/kamailio"
echo "deps: kamailio $ver source in $src"
