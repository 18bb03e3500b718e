# PostgreSQL for a test: a private cluster of its own (scripts/pg.sh) in
# $WORK/pg, on a TCP port of the test's range, stopped and removed when
# the test ends however it ends (lib.sh at_exit). Source after lib.sh:
#   . "$(dirname "$0")/pg_lib.sh"
#   kam_start_pg [defines...]     PostgreSQL, the schema, then Kamailio
#                                 with -A WITH_POSTGRES on it
#   pg_sql QUERY                  psql, rows as sqlite3 prints them (a|b)
#   wait_pg QUERY EXPECTED [S]    until the query prints EXPECTED
#   pg_ stop|start|status ...     scripts/pg.sh on this test's cluster

PG_SH="$TOP/scripts/pg.sh"
PG_DIR="$WORK/pg"
PG_PORT=""
pg_() { PGDIR="$PG_DIR" "$PG_SH" "$@"; }

# a port of this test's range that no one listens on, UDP or TCP
free_port_tcp() {
	local p
	while p=$(free_port); do
		ss -Hltn "sport = :$p" 2>/dev/null | grep -q . || { echo "$p"; return 0; }
	done
	return 1
}

# pg_start: this test's PostgreSQL, on the same port when started again
pg_start() {
	if [ -z "$PG_PORT" ]; then
		PG_PORT=$(free_port_tcp) || { fail "a TCP port for PostgreSQL"; finish; }
		at_exit 'pg_ destroy >>"$WORK/pg.out" 2>&1'
	fi
	if PG_PORT=$PG_PORT pg_ start >>"$WORK/pg.out" 2>&1; then
		log "PostgreSQL $(pg_ status)"
		return 0
	fi
	fail "PostgreSQL starts" "$(tail -20 "$WORK/pg.out")"
	return 1
}

# kam_start_pg [defines...]: kam_start on PostgreSQL: Kamailio's tables
# and the module's in one database, the trusted addresses as kam_start
# has them
kam_start_pg() {
	pg_start || finish
	KAM_DBURL=$(pg_ url kamailio)
	KAM_REAUTH_DBURL=$KAM_DBURL
	if ! out=$("$TOP/scripts/db-init.sh" "$KAM_DBURL" "$KAM_REAUTH_DBURL" 2>&1); then
		fail "db-init.sh creates the schema on PostgreSQL" "$out"
		finish
	fi
	pg_sql "INSERT INTO address (grp, ip_addr, mask, port, tag)
		VALUES (1, '$PCSCF_IP', 32, 0, 'pcscf'), (2, '$AS_IP', 32, 0, 'as')" >/dev/null
	KAM_PORT=${KAM_PORT:-$(free_port)}
	KAM_DB="$WORK/unused.sqlite"
	KAM_RDB="$WORK/unused-reauth.sqlite"
	KAM_CTL="unix:$WORK/ctl.sock"
	KAM_LOG="$WORK/kamailio.log"
	kam_launch WITH_POSTGRES "$@"
}

# pg_sql QUERY: the rows, columns separated by |
pg_sql() { psql -X -q -tA "${KAM_DBURL:-$(pg_ url kamailio)}" -c "$1" 2>&1; }

# wait_pg QUERY EXPECTED [SECONDS]: until pg_sql prints EXPECTED (15 s);
# prints what it last read
wait_pg() {
	local out i
	for i in $(seq 1 $((${3:-15} * 5))); do
		out=$(pg_sql "$1")
		[ "$out" = "$2" ] && break
		sleep 0.2
	done
	printf '%s' "$out"
}
