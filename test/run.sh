#!/usr/bin/env bash
# Run every test: the cmocka unit suite, then each integration case
# (two at a time, each with its own Kamailio on its own ports).
# Ends with "N passed, N failed"; exits non-zero on any failure.
# Usage: test/run.sh [unit|integration]
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
what=${1:-all}
passed=0
failed=0
jobs=${TEST_JOBS:-2}

if [ "$what" = all ] || [ "$what" = unit ]; then
	echo "== unit tests"
	out=$(make --no-print-directory -C test/unit check 2>&1)
	rc=$?
	echo "$out"
	p=$(printf '%s\n' "$out" | grep -cE '^[[:space:]]*ok [0-9]+')
	f=$(printf '%s\n' "$out" | grep -cE '^[[:space:]]*not ok [0-9]+')
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	passed=$((passed + p))
	failed=$((failed + f))
fi

if [ "$what" = all ] || [ "$what" = integration ]; then
	echo "== integration tests"
	mkdir -p var/test
	cases=$(ls test/integration/*.sh | grep -v 'lib\.sh$')
	# shellcheck disable=SC2086
	# each case gets a slot: its own range of ports (see lib.sh)
	slot=0
	for c in $cases; do
		echo "$slot $c"
		slot=$((slot + 1))
	done | xargs -P "$jobs" -L 1 sh -c \
		'n=$(basename "$1" .sh); TEST_SLOT=$0 bash "$1" >var/test/$n.out 2>&1; cat var/test/$n.out'
	for c in $cases; do
		n=$(basename "$c" .sh)
		if [ -f "var/test/$n/result" ]; then
			read -r p f <"var/test/$n/result"
		else
			echo "not ok - $n: did not finish"
			p=0
			f=1
		fi
		passed=$((passed + p))
		failed=$((failed + f))
	done
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
