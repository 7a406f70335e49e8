#!/usr/bin/env bash
# Runs every native Go fuzz target (func FuzzXxx in a *_test.go file) for
# FUZZTIME each (default 3s), stopping at the first failure. FUZZ, when set,
# is a regexp that selects targets by name. A failing input is saved by Go
# under the package's testdata/fuzz/FuzzXxx/ and replays in `go test`.
set -euo pipefail
cd "$(dirname "$0")/.."

go=${GO:-go}
fuzztime=${FUZZTIME:-3s}
filter=${FUZZ:-}

mapfile -t targets < <(
	grep -r --include='*_test.go' --exclude-dir=.git --exclude-dir=testdata --exclude-dir=vendor \
		-o '^func Fuzz[A-Za-z0-9_]*' . | sed 's/:func /:/' | sort
)

ran=0
for t in "${targets[@]}"; do
	file=${t%%:*}
	name=${t##*:}
	if [[ -n $filter && ! $name =~ $filter ]]; then
		continue
	fi
	pkg=./$(dirname "${file#./}")
	echo "fuzz $pkg $name ($fuzztime)"
	if ! "$go" test -run='^$' -fuzz="^${name}\$" -fuzztime="$fuzztime" "$pkg"; then
		echo "fuzz: $name in $pkg failed; the input is in $pkg/testdata/fuzz/$name/" >&2
		exit 1
	fi
	ran=$((ran + 1))
done
echo "fuzz: $ran targets fuzzed for $fuzztime each, none failed"
