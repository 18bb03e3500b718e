#!/bin/sh
# Configure an unpacked Kamailio source tree the way Debian's build does
# (debian/rules: make cfg ... FLAVOUR=kamailio), so that a module built
# against it carries the same version and compile flags as the installed
# kamailio binary. Usage: kamailio-cfg.sh SRC_DIR
set -eu
src=$1
[ -f "$src/src/config.mak" ] && exit 0
# debian/rules: export DEB_BUILD_MAINT_OPTIONS = hardening=+all
export DEB_BUILD_MAINT_OPTIONS=hardening=+all
CC_EXTRA_OPTS="$(dpkg-buildflags --get CPPFLAGS) $(dpkg-buildflags --get CFLAGS) -DVERSION_NODATE"
LD_EXTRA_OPTS="$(dpkg-buildflags --get LDFLAGS)"
make -s -C "$src" cfg quiet=silent prefix=/usr cfg_target=/etc/kamailio/ \
	FLAVOUR=kamailio CC_EXTRA_OPTS="$CC_EXTRA_OPTS" \
	LD_EXTRA_OPTS="$LD_EXTRA_OPTS" group_include=kstandard >/dev/null
echo "kamailio-cfg: configured $src"
