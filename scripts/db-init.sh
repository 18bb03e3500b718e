#!/bin/sh
# Create the embedded sqlite database of etc/kamailio.cfg on first use:
# Kamailio's own tables (from the installed db_sqlite schema), the module's
# tables (etc/reauth-create.sql, when present) and the test subscribers.
# Usage: db-init.sh DBFILE
set -eu
db=$1
[ -s "$db" ] && exit 0
top=$(cd "$(dirname "$0")/.." && pwd)
schema=/usr/share/kamailio/db_sqlite
mkdir -p "$(dirname "$db")"
tmp="$db.tmp.$$"
rm -f "$tmp"
for t in standard auth_db usrloc dialog; do
	sqlite3 "$tmp" <"$schema/$t-create.sql"
done
[ -f "$top/etc/reauth-create.sql" ] && sqlite3 "$tmp" <"$top/etc/reauth-create.sql"
sqlite3 "$tmp" <"$top/etc/subscribers.sql"
mv "$tmp" "$db"
echo "db-init: created $db"
