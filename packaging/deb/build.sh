#!/bin/sh
# Build the Debian binary package kamailio-reauth-module with dpkg-deb
# (no debhelper; what dh_strip, dh_compress, dh_shlibdeps, dh_md5sums and
# dh_gencontrol would do is done here by hand).
#
# Usage: packaging/deb/build.sh [MODULE_SO [OUT_DIR]]
#   MODULE_SO  the built module (default modules/reauth/reauth.so, `make build`)
#   OUT_DIR    where the .deb goes (default build/deb)
# Environment: DEB_MAINTAINER="Name <mail>" overrides the Maintainer field;
#   LINTIAN=no skips lintian.
#
# The version is <module version>+kamailio<installed kamailio version
# without epoch>: the module version is the one of the top entry of
# packaging/deb/changelog, whose @KAMAILIO_VERSION@ is filled in here.
# The module must have been built against the source of exactly the
# installed kamailio (scripts/deps.sh does that): checked below with the
# version and compile flags strings kamailio compares when it loads it.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
here="$top/packaging/deb"
so=${1:-$top/modules/reauth/reauth.so}
out=${2:-$top/build/deb}
pkg=kamailio-reauth-module
maintainer=${DEB_MAINTAINER:-reauth developers <maintainers@users.noreply.r-seed-770961e6.example>}

die() { echo "deb: $*" >&2; exit 1; }

for t in dpkg-deb dpkg-shlibdeps dpkg-parsechangelog dpkg-architecture strip gzip; do
	command -v "$t" >/dev/null 2>&1 || die "$t not found (apt-get install dpkg-dev binutils gzip)"
done
[ -f "$so" ] || die "$so not built (make build)"
dpkg-query -W -f='${Status}' kamailio 2>/dev/null | grep -q "ok installed" \
	|| die "kamailio is not installed (make deps)"

# --- versions --------------------------------------------------------------
kam_full=$(dpkg-query -W -f='${Version}' kamailio)   # as in Depends (epoch kept)
kam_ver=${kam_full#*:}                                # without epoch
arch=$(dpkg --print-architecture)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)

# the module carries the version and flags of the core it was built
# against; kamailio refuses to load it when they differ from its own
kinfo=$(kamailio -I 2>/dev/null) || die "kamailio -I failed"
k_version=$(printf '%s\n' "$kinfo" | sed -n 's/^ *Version: *//p' | sed 's/ *$//')
k_flags=$(printf '%s\n' "$kinfo" | sed -n 's/^ *Compile flags: *//p' | sed 's/ *$//')
moddir=$(printf '%s\n' "$kinfo" | sed -n 's/^ *Default paths to modules: *//p' \
	| sed 's/ *$//' | cut -d: -f1)
[ -n "$k_version" ] && [ -n "$k_flags" ] && [ -n "$moddir" ] \
	|| die "cannot read version, flags and module path from kamailio -I"
[ "$moddir" = "/usr/lib/$multiarch/kamailio/modules" ] \
	|| die "kamailio's module path is $moddir, not /usr/lib/$multiarch/kamailio/modules"
strings -a "$so" | grep -qxF "$k_version" \
	|| die "$so was not built for '$k_version' (make distclean && make build)"
strings -a "$so" | grep -qxF "$k_flags" \
	|| die "$so was not built with the compile flags of the installed kamailio (make distclean && make build)"

out=$(mkdir -p "$out" && cd "$out" && pwd)
work="$out/work"
root="$work/root"
rm -rf "$work"
mkdir -p "$root/DEBIAN" "$work/debian"

sed "1s/@KAMAILIO_VERSION@/$kam_ver/" "$here/changelog" >"$work/debian/changelog"
version=$(dpkg-parsechangelog -l "$work/debian/changelog" -SVersion)
mod_version=${version%%+kamailio*}
[ "$version" = "$mod_version+kamailio$kam_ver" ] \
	|| die "top entry of packaging/deb/changelog is not <module version>+kamailio@KAMAILIO_VERSION@"
# reproducible: every file gets the date of the top changelog entry
SOURCE_DATE_EPOCH=$(dpkg-parsechangelog -l "$work/debian/changelog" -STimestamp)
export SOURCE_DATE_EPOCH

# --- files -----------------------------------------------------------------
doc="$root/usr/share/doc/$pkg"
install -d -m 0755 "$root$moddir" "$root/usr/share/kamailio/db_sqlite" \
	"$doc/examples" "$root/usr/share/lintian/overrides"

# module: stripped like dh_strip does for shared objects
install -m 0644 "$so" "$root$moddir/reauth.so"
strip --remove-section=.comment --remove-section=.note --strip-unneeded \
	"$root$moddir/reauth.so"

# schema, next to kamailio's own (kamdbctl-style <module>-create.sql)
install -m 0644 "$top/etc/reauth-create.sql" "$root/usr/share/kamailio/db_sqlite/reauth-create.sql"

# documentation: the README `make doc` generates, else the DocBook sources
if [ -f "$top/modules/reauth/README" ]; then
	install -m 0644 "$top/modules/reauth/README" "$doc/README"
else
	echo "deb: modules/reauth/README not generated, shipping doc/*.xml instead"
	for f in "$top"/doc/*.xml; do
		install -m 0644 "$f" "$doc/"
	done
fi
install -m 0644 "$here/copyright" "$doc/copyright"
install -m 0644 "$top/etc/kamailio.cfg" "$doc/examples/kamailio.cfg"
install -m 0644 "$top/etc/reauth-identities.sql" "$doc/examples/reauth-identities.sql"
install -m 0644 "$top/etc/subscribers.sql" "$doc/examples/subscribers.sql"
install -m 0644 "$here/lintian-overrides" "$root/usr/share/lintian/overrides/$pkg"

# a version with a Debian revision has changelog.Debian.gz, a native one
# (kamailio.org's 5.6.3+bpo12 builds) only changelog.gz
case $version in
*-*) changelog=changelog.Debian.gz ;;
*) changelog=changelog.gz ;;
esac
gzip -9nc "$work/debian/changelog" >"$doc/$changelog"

# dh_compress: documentation over 4 KiB, but not examples and copyright
find "$doc" -path "$doc/examples" -prune -o -type f -size +4k \
	! -name copyright ! -name '*.gz' -print | while read -r f; do
	gzip -9n "$f"
done

# --- control ---------------------------------------------------------------
# library dependencies as dh_shlibdeps finds them: libc6, libxml2, and
# kamailio (>= upstream version) for libsrdb1, kamailio's database API
# library, which the exact kamailio dependency below already implies
cat >"$work/debian/control" <<EOF
Source: $pkg

Package: $pkg
Architecture: $arch
EOF
shlibs=$(cd "$work" && dpkg-shlibdeps -O -e"$root$moddir/reauth.so") \
	|| die "dpkg-shlibdeps failed"
shlibs=$(printf '%s\n' "${shlibs#shlibs:Depends=}" | tr ',' '\n' | sed 's/^ *//' \
	| grep -v '^kamailio\( \|$\)' | paste -sd, - | sed 's/,/, /g')
case $shlibs in *libxml2*) ;; *) die "no libxml2 dependency found by dpkg-shlibdeps: $shlibs" ;; esac

find "$root" -type d -exec chmod 0755 {} +
find "$root" -type f -exec chmod 0644 {} +

# Installed-Size as dpkg-gencontrol computes it: KiB per file, 1 per directory
size=$(find "$root" -path "$root/DEBIAN" -prune -o \( -type f -printf '%s\n' \) \
	-o \( ! -type f -printf '1024\n' \) | awk '{ s += int(($1 + 1023) / 1024) } END { print s }')

cat >"$root/DEBIAN/control" <<EOF
Package: $pkg
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $size
Depends: kamailio (= $kam_full), $shlibs
Recommends: kamailio-sqlite-modules
Section: net
Priority: optional
Multi-Arch: same
Description: network-initiated re-authentication module for Kamailio
 The reauth module gives a Kamailio registrar the S-CSCF procedure
 "network-initiated re-authentication" of 3GPP TS 24.229: when public
 identities of a registered user must re-authenticate, it notifies every
 reg event subscription of the user, waits for an authenticated
 re-REGISTER, falls back to a REFER, and de-registers the user (ending
 the user's calls) when every way fails.
 .
 The module is also the registrar's registration-state event notifier
 (RFC 3680, Event: reg). Its SQLite schema is installed in
 /usr/share/kamailio/db_sqlite/reauth-create.sql.
 .
 This build is for kamailio $kam_ver only.
EOF

(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\n' | LC_ALL=C sort \
	| xargs -d '\n' md5sum) >"$root/DEBIAN/md5sums"

find "$root" -newermt "@$SOURCE_DATE_EPOCH" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

# --- package ---------------------------------------------------------------
rm -f "$out/${pkg}"_*.deb
deb="$out/${pkg}_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "deb: built $deb"

if [ "${LINTIAN:-yes}" != no ]; then
	if command -v lintian >/dev/null 2>&1; then
		# informational: tags are printed, they do not fail the build
		# (lintian does not like root: run it as nobody when it can read)
		echo "deb: lintian --display-info --pedantic $(basename "$deb")"
		as=""
		if [ "$(id -u)" -eq 0 ] && command -v runuser >/dev/null 2>&1 \
				&& runuser -u nobody -- test -r "$deb"; then
			as="runuser -u nobody --"
		fi
		$as lintian --display-info --pedantic "$deb" || true
		echo "deb: lintian done"
	else
		echo "deb: lintian not installed (apt-get install lintian), not run"
	fi
fi
