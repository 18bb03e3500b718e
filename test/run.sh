#!/usr/bin/env bash
# Run every test: the cmocka unit suite, then each integration case
# (two at a time, each with its own Kamailio on its own ports).
# Ends with "N passed, N failed"; exits non-zero on any failure.
# Usage: test/run.sh [unit|integration|all] [--repeat N]
#   --repeat N (or TEST_REPEAT=N): run it N times in a row; each run
#   prints "run I/N: N passed, N failed (S s)", the last line is the total;
#   fails when any run failed.
#   TEST_JOBS=N: integration cases at a time (2).
# Several suites may run at once (other checkouts, tests run by hand):
# each case claims a port range of its own machine-wide (see
# test/integration/lib.sh).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
what=all
repeat=${TEST_REPEAT:-1}
while [ $# -gt 0 ]; do
	case $1 in
	--repeat) repeat=${2:?--repeat N}; shift 2 ;;
	--repeat=*) repeat=${1#--repeat=}; shift ;;
	unit | integration | all) what=$1; shift ;;
	*) echo "usage: $0 [unit|integration|all] [--repeat N]" >&2; exit 2 ;;
	esac
done
case $repeat in '' | *[!0-9]* | 0) echo "--repeat: a number >= 1, not '$repeat'" >&2; exit 2 ;; esac
jobs=${TEST_JOBS:-2}

# run_once: one run of the suite; sets passed and failed
run_once() {
	passed=0
	failed=0
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
		# a case that does not start must not count a previous run's result
		for c in $cases; do rm -f "var/test/$(basename "$c" .sh)/result"; done
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
}

total_passed=0
total_failed=0
bad_runs=0
summary=""
for run in $(seq 1 "$repeat"); do
	[ "$repeat" -gt 1 ] && echo "== run $run/$repeat"
	start=$(date +%s)
	run_once
	secs=$(($(date +%s) - start))
	total_passed=$((total_passed + passed))
	total_failed=$((total_failed + failed))
	if [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then bad_runs=$((bad_runs + 1)); fi
	if [ "$repeat" -gt 1 ]; then
		line="run $run/$repeat: $passed passed, $failed failed (${secs} s)"
		echo "$line"
		summary="$summary$line
"
	fi
done

if [ "$repeat" -gt 1 ]; then
	printf '%s' "$summary"
	echo "$repeat runs, $bad_runs failed"
fi
echo "$total_passed passed, $total_failed failed"
[ "$bad_runs" -eq 0 ]
