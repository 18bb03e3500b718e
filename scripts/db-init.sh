#!/bin/sh
# Create the embedded sqlite databases of etc/kamailio.cfg on first use:
#   DBFILE         Kamailio's own tables (subscriber, location, dialog...)
#                  from the installed db_sqlite schema, and the subscribers;
#   REAUTH_DBFILE  the reauth module's tables (etc/reauth-create.sql) and
#                  its example implicit registration sets.
# Two files, because sqlite lets one writer at a time per file: usrloc in
# the SIP workers and the reauth notifier then never wait for each other.
# Usage: db-init.sh DBFILE REAUTH_DBFILE
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
schema=/usr/share/kamailio/db_sqlite

# create FILE SQL...: build FILE from the SQL files, unless it exists
create() {
	db=$1
	shift
	[ -s "$db" ] && return 0
	mkdir -p "$(dirname "$db")"
	tmp="$db.tmp.$$"
	rm -f "$tmp"
	# WAL: readers never wait for the writer; the mode stays in the file
	sqlite3 "$tmp" 'PRAGMA journal_mode=WAL;' >/dev/null
	for f in "$@"; do
		sqlite3 "$tmp" <"$f"
	done
	# a -wal or -shm left by a deleted file would be replayed onto the new
	# one (old rows back, or "database disk image is malformed")
	rm -f "$db-wal" "$db-shm"
	mv "$tmp" "$db"
	echo "db-init: created $db"
}

create "$1" "$schema/standard-create.sql" "$schema/auth_db-create.sql" \
	"$schema/usrloc-create.sql" "$schema/dialog-create.sql" \
	"$schema/permissions-create.sql" "$top/etc/subscribers.sql"
# trusted addresses (permissions) came later: add the tables to an older file
if [ "$(sqlite3 "$1" "select count(*) from version where table_name='address'")" = 0 ]; then
	sqlite3 "$1" <"$schema/permissions-create.sql"
	echo "db-init: added the permissions tables to $1"
fi
# a module database from an older layout is set aside, not half-used
if [ -s "$2" ]; then
	for t in reauth_subscription reauth_procedure reauth_identity; do
		n=$(sqlite3 "$2" "select count(*) from version where table_name='$t'" 2>/dev/null || echo 0)
		if [ "${n:-0}" = 0 ]; then
			mv "$2" "$2.old"
			echo "db-init: $2 lacks table $t: moved to $2.old, creating it anew"
			break
		fi
	done
fi
create "$2" "$schema/standard-create.sql" "$top/etc/reauth-create.sql" \
	"$top/etc/reauth-identities.sql"
