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
# WAL: readers (auth_db) never wait for a writer (usrloc, reauth); the mode
# is kept in the file, so every Kamailio process gets it
sqlite3 "$tmp" 'PRAGMA journal_mode=WAL;' >/dev/null
for t in standard auth_db usrloc dialog; do
	sqlite3 "$tmp" <"$schema/$t-create.sql"
done
[ -f "$top/etc/reauth-create.sql" ] && sqlite3 "$tmp" <"$top/etc/reauth-create.sql"
sqlite3 "$tmp" <"$top/etc/subscribers.sql"
mv "$tmp" "$db"
echo "db-init: created $db"
