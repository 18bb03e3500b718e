#!/usr/bin/env bash
# make demo works: both paths end as expected (completed, deregistered)
# and the ladder diagrams are written from the captured messages.
. "$(dirname "$0")/lib.sh"

out=$(cd "$TOP" && NO_COLOR=1 timeout 120 ./demo/run.sh 2>&1)
rc=$?
check_eq() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected '$2', got '$3'"; fi; }
check_eq "demo/run.sh exits 0" 0 "$rc"
check_contains "the success path completed" "A. success path: completed (re-registered)" "$out"
check_contains "the failure path de-registered" "B. failure path: deregistered (refer failed)" "$out"
for f in success failure; do
	check "var/demo/$f.svg is well-formed SVG" xmllint --noout "$TOP/var/demo/$f.svg"
	check "var/demo/$f.txt has the ladder" grep -q "S-CSCF" "$TOP/var/demo/$f.txt"
done
check_contains "the failure ladder shows the REFER and the BYEs" "BYE" "$(cat "$TOP/var/demo/failure.txt")"
# the failed checks with what they saw, then the summary
[ $rc -ne 0 ] && printf '%s\n' "$out" | grep -A12 -E '✘|\[FAIL\]' | head -60 | sed 's/^/# /'
[ $rc -ne 0 ] && printf '%s\n' "$out" | tail -30 | sed 's/^/# /'

finish
