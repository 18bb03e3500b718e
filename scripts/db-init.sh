#!/bin/sh
# Create the embedded sqlite databases of etc/kamailio.cfg on first use:
#   DBFILE         Kamailio's own tables (subscriber, location, dialog...)
#                  from the installed db_sqlite schema, and the subscribers;
#   REAUTH_DBFILE  the reauth module's tables (etc/reauth-create.sql) and
#                  its example implicit registration sets.
# Two files, because sqlite lets one writer at a time per file: usrloc in
# the SIP workers and the reauth notifier then never wait for each other.
# Usage: db-init.sh DBFILE REAUTH_DBFILE
#
# Either may instead be a PostgreSQL db_url (postgres://user:pw@host:port/db,
# e.g. from scripts/pg.sh url): the same tables are created in that
# database, unless they are there, from the schema Kamailio installs for
# db_postgres and from the same etc/*.sql files (one source for both: only
# the auto-numbered id column is written SERIAL for PostgreSQL). Both URLs
# may name one database.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
schema=/usr/share/kamailio/db_sqlite
pgschema=/usr/share/kamailio/postgres

# ------------------------------------------------------------- PostgreSQL
# pg_has URL TABLE: 1 when the table exists
pg_has() {
	PGOPTIONS='-c client_min_messages=warning' psql -X -tA "$1" -c \
		"select count(*) from information_schema.tables where table_schema = current_schema() and table_name = '$2'"
}
# pg_load URL SQL...: run the files in one transaction; etc/*.sql are
# written for sqlite, where "id INTEGER PRIMARY KEY" numbers itself
pg_load() {
	url=$1
	shift
	for f in "$@"; do
		case $f in
		"$top"/etc/*) sed 's/\bid INTEGER PRIMARY KEY NOT NULL/id SERIAL PRIMARY KEY NOT NULL/' "$f" ;;
		*) cat "$f" ;;
		esac
	done | PGOPTIONS='-c client_min_messages=warning' psql -X -q -1 -v ON_ERROR_STOP=1 "$url" >/dev/null
}
pg_init() {
	kdb=$1
	rdb=$2
	[ -d "$pgschema" ] || { echo "db-init: $pgschema missing (make deps installs kamailio-postgres-modules)" >&2; exit 1; }
	if [ "$(pg_has "$kdb" version)" = 0 ]; then
		pg_load "$kdb" "$pgschema/standard-create.sql"
	fi
	if [ "$(pg_has "$kdb" subscriber)" = 0 ]; then
		pg_load "$kdb" "$pgschema/auth_db-create.sql" "$pgschema/usrloc-create.sql" \
			"$pgschema/dialog-create.sql" "$pgschema/permissions-create.sql" \
			"$top/etc/subscribers.sql"
		echo "db-init: created Kamailio's tables in ${kdb##*@}"
	fi
	if [ "$(pg_has "$rdb" version)" = 0 ]; then
		pg_load "$rdb" "$pgschema/standard-create.sql"
	fi
	if [ "$(pg_has "$rdb" reauth_subscription)" = 0 ]; then
		pg_load "$rdb" "$top/etc/reauth-create.sql" "$top/etc/reauth-identities.sql"
		echo "db-init: created the reauth tables in ${rdb##*@}"
	fi
}
case ${1:-} in
postgres://* | postgresql://*)
	case ${2:-} in
	postgres://* | postgresql://*) pg_init "$1" "$2"; exit 0 ;;
	*) echo "db-init: both or neither of the databases on PostgreSQL" >&2; exit 2 ;;
	esac
	;;
esac

# create JOURNAL FILE SQL...: build FILE from the SQL files, unless it
# exists, in journal mode JOURNAL (WAL stays in the file; DELETE is
# sqlite's default for every connection)
create() {
	journal=$1
	db=$2
	shift 2
	[ -s "$db" ] && return 0
	mkdir -p "$(dirname "$db")"
	tmp="$db.tmp.$$"
	rm -f "$tmp"
	sqlite3 "$tmp" "PRAGMA journal_mode=$journal;" >/dev/null
	for f in "$@"; do
		sqlite3 "$tmp" <"$f"
	done
	# a -wal, -shm or -journal left by a deleted file would be replayed
	# onto the new one (old rows back, or "database disk image is malformed")
	rm -f "$db-wal" "$db-shm" "$db-journal"
	mv "$tmp" "$db"
	echo "db-init: created $db"
}

# Kamailio's tables in WAL: readers (auth_db, usrloc in every SIP worker)
# never wait for the writer
create WAL "$1" "$schema/standard-create.sql" "$schema/auth_db-create.sql" \
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
# version 1 of reauth_subscription had no event column: every row was "reg"
if [ -s "$2" ] && [ "$(sqlite3 "$2" "select table_version from version where table_name='reauth_subscription'" 2>/dev/null)" = 1 ]; then
	sqlite3 "$2" "ALTER TABLE reauth_subscription ADD COLUMN event VARCHAR(32) DEFAULT 'reg' NOT NULL; UPDATE version SET table_version=2 WHERE table_name='reauth_subscription';"
	echo "db-init: added the event column to reauth_subscription in $2"
fi
# The module's tables with a rollback journal, not WAL: a WAL file's
# shared-memory index (-shm) is written through mmap, and when the store
# turns read-only (remount, chattr +i) that write kills the Kamailio
# process with SIGBUS, and Kamailio then stops the whole server. With a
# rollback journal a broken store fails a transaction, which the module
# counts (reauth:db_errors) and tries again. Its writers take turns
# (busy_timeout); the module writes in batches, so seldom. A file from an
# older db-init is switched (the module does it too, at start-up).
if [ -s "$2" ] && [ "$(sqlite3 "$2" 'PRAGMA journal_mode')" = wal ]; then
	sqlite3 "$2" 'PRAGMA journal_mode=DELETE' >/dev/null
	echo "db-init: $2 switched from WAL to a rollback journal"
fi
create DELETE "$2" "$schema/standard-create.sql" "$top/etc/reauth-create.sql" \
	"$top/etc/reauth-identities.sql"
