# The module's sqlite files made unwritable while Kamailio runs (chattr +i,
# as a read-only remount would), for db_broken.sh and db_backlog.sh.
# Sourced after lib.sh; a filesystem without the immutable flag skips the
# test. Whatever ends the test makes the files writable again.

# the files made immutable
IMMUTABLE=""
unfreeze() {
	local f
	for f in $IMMUTABLE; do chattr -i "$f" 2>/dev/null; done
	IMMUTABLE=""
}
trap 'unfreeze; cleanup_on_exit' EXIT
# (not in check's subshell: IMMUTABLE must reach the trap)
freeze() {
	local f
	for f in "$KAM_RDB" "$KAM_RDB-wal" "$KAM_RDB-shm" "$KAM_RDB-journal"; do
		[ -e "$f" ] || continue
		chattr +i "$f" || return 1
		IMMUTABLE="$IMMUTABLE $f"
	done
}

# chattr needs a filesystem that knows the immutable flag (ext4, xfs, btrfs)
probe="$WORK/chattr-probe"
touch "$probe"
if ! chattr +i "$probe" 2>/dev/null; then
	rm -f "$probe"
	echo "ok - $TEST_NAME: # SKIP chattr +i is not supported on $(df -T "$WORK" | awk 'NR==2{print $2}')"
	exit 0
fi
chattr -i "$probe"
rm -f "$probe"
