#!/bin/sh
# Benchmarks ze's UPDATE decoding against GoBGP's over the same real UPDATE
# stream (../../../shared/corpus/mrt/bgpdump__updates.et-header.2015.gz) on
# one core, then prints the ratio. Fails if ze allocates or is less than
# ZE_BENCH_MIN_RATIO (default 5) times faster.
set -eu
cd "$(dirname "$0")"
export ZE_BENCH_MIN_RATIO="${ZE_BENCH_MIN_RATIO:-5}"
exec go test -count=1 -cpu 1 -run 'TestSameWork|TestCompare' -bench 'Iterate' -benchmem -v "$@" .
