#!/bin/sh
# test/perf/compare.sh: ze side by side with BIRD, FRR, GoBGP and OpenBGPD on the same
# machine in one run (docs/perf.md, "Side by side"). Not part of make test: with GoBGP it
# takes about five minutes per run. Needs root (network namespaces) and the Debian packages
# bird2, frr, gobgpd, openbgpd.
#
#   test/perf/compare.sh [-runs N] [-speakers ze,bird,frr,gobgp,openbgpd] [-json FILE] [-out DIR]
#
# Every daemon receives the full table of ../shared/corpus/mrt/bgpdump__updates.et-header.2015.gz
# from `ze-test peer` (replay), in a network namespace of its own, one daemon at a time; the
# table and the JSON report go to stdout and OUT/compare.json.
set -eu
cd "$(dirname "$0")/../.."
go build -o bin/ze ./cmd/ze
go build -o bin/ze-test ./cmd/ze-test
bin=$(mktemp -d /tmp/ze-compare-bin.XXXXXX)
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/compare" ./test/perf/compare
"$bin/compare" "$@"
