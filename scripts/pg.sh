#!/bin/sh
# A private PostgreSQL cluster of the checkout (Debian's postgresql), for
# `make cluster` and the PostgreSQL tests. It never touches the system's
# own clusters: its data, socket and log live in PGDIR (default var/pg),
# it listens on 127.0.0.1 only, on a TCP port chosen free at start, and it
# is started and stopped by its PID.
#
#   pg.sh start          initdb on first use (as the postgres user), start,
#                        wait until it accepts connections
#   pg.sh stop           stop it (fast shutdown, by PID); the data stays
#   pg.sh destroy        stop it and remove PGDIR
#   pg.sh status         "running PID on 127.0.0.1:PORT" or "stopped"
#   pg.sh url [DB]       the Kamailio db_url of database DB (kamailio)
#   pg.sh createdb DB    create database DB (owned by the kamailio role)
#                        unless it exists; prints its db_url
#   pg.sh psql [DB] [psql arguments...]
#
# Environment: PGDIR (the directory), PG_PORT (the port of a first start;
# default the first free one from 15432). The role `kamailio` gets a
# random password (PGDIR/password), checked on TCP (scram-sha-256); the
# unix socket (PGDIR/run) is for root and postgres only.
#
# PostgreSQL refuses to run as root, and runs here as the postgres user,
# which must be able to reach PGDIR. When the checkout is in a directory
# postgres cannot enter (e.g. /root, mode 700), the data goes to a private
# directory under ${TMPDIR:-/tmp} instead (PGDIR/data-dir says where); stop
# keeps it, destroy removes it.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
PGDIR=${PGDIR:-$top/var/pg}
case $PGDIR in /*) ;; *) PGDIR="$(pwd)/$PGDIR" ;; esac
PGUSER_OS=postgres
ROLE=kamailio
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bindir" ] && [ -x "$bindir/postgres" ] || {
	echo "pg.sh: PostgreSQL server not installed (make deps installs postgresql)" >&2
	exit 1
}

# as the postgres user, from / (pg_ctl and initdb fail in a working
# directory they cannot read)
as_pg() { (cd / && runuser -u "$PGUSER_OS" -- "$@"); }

# where the data directory is (PGDIR/data, or the fallback's)
datadir() {
	if [ -f "$PGDIR/data-dir" ]; then cat "$PGDIR/data-dir"; else echo "$PGDIR/data"; fi
}
port() { cat "$PGDIR/port" 2>/dev/null || true; }
sockdir() { echo "$(dirname "$(datadir)")/run"; }
logfile() { echo "$(dirname "$(datadir)")/postgres.log"; }

# the PID of the running postmaster, or nothing: the one postmaster.pid
# names, if that process is a postgres of this data directory (a stale
# file's PID may belong to another process by now)
pid() {
	p=$(head -1 "$(datadir)/postmaster.pid" 2>/dev/null) || return 0
	[ -n "$p" ] && tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline" \
		| grep -qF -- "postgres -D $(datadir) " && echo "$p"
	return 0
}

free_tcp_port() {
	p=15432
	while [ "$p" -lt 65000 ]; do
		if ! ss -Hltn "sport = :$p" 2>/dev/null | grep -q .; then
			echo "$p"
			return 0
		fi
		p=$((p + 1))
	done
	echo "pg.sh: no free TCP port" >&2
	return 1
}

init() {
	mkdir -p "$PGDIR"
	chmod 755 "$PGDIR"
	# the postgres user must reach the data directory
	if ! as_pg test -x "$PGDIR"; then
		if [ ! -f "$PGDIR/data-dir" ]; then
			base=$(mktemp -d "${TMPDIR:-/tmp}/reauth-pg.XXXXXX")
			chmod 755 "$base"
			echo "$base/data" >"$PGDIR/data-dir"
			echo "pg.sh: $PGDIR is out of reach of the postgres user: data in $base (pg.sh destroy removes it)"
		fi
	fi
	d=$(datadir)
	[ -f "$d/PG_VERSION" ] && return 0
	mkdir -p "$d" "$(sockdir)"
	chown "$PGUSER_OS:" "$d" "$(sockdir)"
	chmod 700 "$d" "$(sockdir)"
	pw=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
	umask 077
	printf '%s\n' "$pw" >"$PGDIR/password"
	umask 022
	# the superuser is postgres (socket only); kamailio logs in with a
	# password over TCP
	as_pg "$bindir/initdb" -D "$d" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
		>"$PGDIR/initdb.log" 2>&1 || {
		echo "pg.sh: initdb failed:" >&2
		tail -20 "$PGDIR/initdb.log" >&2
		return 1
	}
	cat >"$d/pg_hba.conf" <<-EOF
		# private cluster of $top (scripts/pg.sh)
		local all postgres trust
		local all $ROLE trust
		host all $ROLE 127.0.0.1/32 scram-sha-256
	EOF
	chown "$PGUSER_OS:" "$d/pg_hba.conf"
	echo "pg.sh: initialized $d"
}

start() {
	init
	d=$(datadir)
	if [ -n "$(pid)" ]; then
		echo "pg.sh: already running ($(pid)) on 127.0.0.1:$(port)"
		return 0
	fi
	# the port of the first start is kept while it is free
	p=$(port)
	if [ -n "${PG_PORT:-}" ]; then
		p=$PG_PORT
	elif [ -z "$p" ] || ss -Hltn "sport = :$p" 2>/dev/null | grep -q .; then
		p=$(free_tcp_port)
	fi
	echo "$p" >"$PGDIR/port"
	touch "$(logfile)"
	chown "$PGUSER_OS:" "$(logfile)"
	# pg_ctl -w returns once it accepts connections; fsync off: a test
	# cluster, nothing to keep across a power cut
	if ! as_pg "$bindir/pg_ctl" -D "$d" -l "$(logfile)" -w -t 60 \
		-o "-c listen_addresses=127.0.0.1 -p $p -k $(sockdir) -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c shared_buffers=16MB" \
		start >"$PGDIR/pg_ctl.log" 2>&1; then
		echo "pg.sh: PostgreSQL did not start:" >&2
		tail -20 "$(logfile)" >&2
		return 1
	fi
	for _ in $(seq 1 50); do
		[ -n "$(pid)" ] && break
		sleep 0.1
	done
	# the role and its database, once
	if [ "$(psql_ postgres -tAc "select 1 from pg_roles where rolname = '$ROLE'")" != 1 ]; then
		psql_ postgres -qc "CREATE ROLE $ROLE LOGIN PASSWORD '$(cat "$PGDIR/password")'"
	fi
	createdb_ kamailio >/dev/null
	echo "pg.sh: PostgreSQL $(pid) on 127.0.0.1:$p (data $d)"
}

stop() {
	p=$(pid)
	[ -n "$p" ] || { echo "pg.sh: not running"; return 0; }
	# SIGINT: fast shutdown (sessions ended, clean checkpoint)
	kill -INT "$p"
	for _ in $(seq 1 150); do
		kill -0 "$p" 2>/dev/null || { echo "pg.sh: stopped $p"; return 0; }
		sleep 0.1
	done
	# SIGQUIT: immediate shutdown (recovery at the next start)
	kill -QUIT "$p" 2>/dev/null
	for _ in $(seq 1 50); do
		kill -0 "$p" 2>/dev/null || { echo "pg.sh: stopped $p (immediate)"; return 0; }
		sleep 0.1
	done
	echo "pg.sh: PostgreSQL $p does not stop" >&2
	return 1
}

destroy() {
	stop
	d=$(datadir)
	case $d in
	"$PGDIR"/*) ;;
	*) rm -rf "$(dirname "$d")" ;;
	esac
	rm -rf "$PGDIR"
}

# psql_ DB [args]: as postgres over the socket
psql_() {
	db=$1
	shift
	as_pg "$bindir/psql" -X -v ON_ERROR_STOP=1 -h "$(sockdir)" -p "$(port)" -d "$db" "$@"
}

createdb_() {
	if [ "$(psql_ postgres -tAc "select 1 from pg_database where datname = '$1'")" != 1 ]; then
		psql_ postgres -qc "CREATE DATABASE \"$1\" OWNER $ROLE" >/dev/null
	fi
	url "$1"
}

url() {
	echo "postgres://$ROLE:$(cat "$PGDIR/password")@127.0.0.1:$(port)/${1:-kamailio}"
}

cmd=${1:-status}
[ $# -gt 0 ] && shift
case $cmd in
start) start ;;
stop) stop ;;
destroy) destroy ;;
status)
	if [ -n "$(pid)" ]; then echo "running $(pid) on 127.0.0.1:$(port)"
	else echo stopped; fi
	;;
url) url "${1:-kamailio}" ;;
createdb) createdb_ "${1:?createdb DB}" ;;
psql)
	db=${1:-kamailio}
	[ $# -gt 0 ] && shift
	psql_ "$db" -U "$ROLE" "$@"
	;;
*)
	echo "usage: $0 start|stop|destroy|status|url [DB]|createdb DB|psql [DB] [args]" >&2
	exit 2
	;;
esac
