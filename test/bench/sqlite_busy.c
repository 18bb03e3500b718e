/*
 * Benchmark helper, not part of the module: an LD_PRELOAD shim that gives
 * every sqlite connection Kamailio opens a busy timeout.
 *
 * Kamailio 5.6's db_sqlite never sets one, so a write that meets another
 * process's lock fails at once ("database is locked"). With usrloc
 * write-through in several SIP workers sharing one sqlite file, most
 * REGISTERs then fail with 500 as soon as a few are processed at once,
 * and the benchmark would measure sqlite lock collisions instead of the
 * notifiers. With the shim a process waits for the lock instead (as it
 * would queue on a DB server); both stacks get it alike. run.sh builds it
 * into var/bench/ and preloads it into Kamailio unless
 * BENCH_SQLITE_BUSY_MS=0; the wait is BENCH_SQLITE_BUSY_MS milliseconds.
 *
 * Build: cc -shared -fPIC -o sqlite_busy.so sqlite_busy.c -l:libsqlite3.so.0 -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>

typedef struct sqlite3 sqlite3;

int sqlite3_busy_timeout(sqlite3 *db, int ms);

int sqlite3_open_v2(
		const char *filename, sqlite3 **db, int flags, const char *vfs)
{
	static int (*real_open)(const char *, sqlite3 **, int, const char *);
	const char *env;
	int rc, ms;

	if(real_open == NULL)
		real_open = (int (*)(const char *, sqlite3 **, int,
				const char *))dlsym(RTLD_NEXT, "sqlite3_open_v2");
	if(real_open == NULL)
		return 1; /* SQLITE_ERROR */
	rc = real_open(filename, db, flags, vfs);
	env = getenv("BENCH_SQLITE_BUSY_MS");
	ms = env ? atoi(env) : 5000;
	if(rc == 0 && db && *db && ms > 0)
		sqlite3_busy_timeout(*db, ms);
	return rc;
}
