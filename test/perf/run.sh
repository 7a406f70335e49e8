#!/bin/sh
# test/perf/run.sh: the figures of issue 5 §6, measured through the ze binary
# (docs/perf.md). Not part of make test: it takes about 4 minutes.
#
#   test/perf/run.sh [table|sessions|all]     (default all)
#
# table     the full table of ../shared/corpus/mrt/bgpdump__updates.et-header.2015.gz
#           replayed by ze-test peer into ze: prefixes per second decoded and
#           counted by ze (its show bgp neighbor counters), ze's peak RSS and CPU.
# sessions  COUNT (1000) sessions from 127.1.x.y by ze-test load, held
#           established for DURATION (3m) with hold time HOLD (90): none may be
#           lost; ze's RSS and CPU seconds.
#
# Environment: ZE, ZE_TEST (binaries; default bin/ze, bin/ze-test, built when
# missing), MRT (the table), COUNT, DURATION, HOLD, OUT (where the logs and
# JSON reports go; default a new temporary directory, kept).
set -eu

cd "$(dirname "$0")/../.."
ZE=${ZE:-bin/ze}
ZE_TEST=${ZE_TEST:-bin/ze-test}
MRT=${MRT:-../shared/corpus/mrt/bgpdump__updates.et-header.2015.gz}
COUNT=${COUNT:-1000}
DURATION=${DURATION:-3m}
HOLD=${HOLD:-90}
OUT=${OUT:-$(mktemp -d /tmp/ze-perf.XXXXXX)}
mkdir -p "$OUT"
what=${1:-all}

if [ ! -x "$ZE" ] || [ ! -x "$ZE_TEST" ]; then
	go build -o bin/ze ./cmd/ze
	go build -o bin/ze-test ./cmd/ze-test
fi
ZE=$(realpath "$ZE")
ZE_TEST=$(realpath "$ZE_TEST")

die() { echo "run.sh: $*" >&2; exit 1; }

# freeport ADDR: a TCP port free on ADDR now.
freeport() {
	python3 -c 'import socket,sys; s=socket.socket(); s.bind((sys.argv[1],0)); print(s.getsockname()[1])' "$1"
}

now() { date +%s.%N; }

# proc PID: "rss-kib peak-rss-kib cpu-seconds" of PID.
proc() {
	rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$1/status")
	hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$1/status")
	cpu=$(awk '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / 100 }' "/proc/$1/stat")
	echo "$rss $hwm $cpu"
}

# start_ze DIR: runs ze on DIR/ze.conf with state DIR/s, waits for its socket,
# sets ZEPID.
start_ze() {
	"$ZE" "$1/ze.conf" --state "$1/s" > "$1/ze.out" 2> "$1/ze.err" &
	ZEPID=$!
	for _ in $(seq 400); do
		[ -S "$1/s/ze.sock" ] && return 0
		kill -0 "$ZEPID" 2>/dev/null || die "ze exited: $(tail -3 "$1/ze.err")"
		sleep 0.05
	done
	die "ze did not start in 20 s"
}

stop_ze() {
	"$ZE" signal --state "$1/s" stop > /dev/null
	wait "$ZEPID" || die "ze exited with $?"
	if grep -q panic "$1/ze.err"; then die "ze panicked: $1/ze.err"; fi
}

# json FILE KEY: the first number after "KEY": in FILE.
json() { grep -o "\"$2\":[0-9.]*" "$1" | head -1 | cut -d: -f2; }

table() {
	d=$OUT/table
	mkdir -p "$d"
	[ -f "$MRT" ] || die "$MRT: no such file"
	port=$(freeport 127.76.0.1)
	ssh=$(freeport 127.0.0.1)
	cat > "$d/ze.conf" <<CONF
system { ssh { address 127.0.0.1; port $ssh; } }
bgp {
    router-id 192.0.2.1;
    local-as 65001;
    listen 127.76.0.1 { port $port; }
    peer table {
        remote { ip 127.76.0.2; as 65000; }
        local-address 127.76.0.1;
        passive true;
    }
}
CONF
	start_ze "$d"
	set -- $(proc "$ZEPID")
	idle_rss=$1 idle_cpu=$3
	t0=$(now)
	"$ZE_TEST" peer --connect "127.76.0.1:$port" --local 127.76.0.2 --as 65000 --quiet --timeout 10m \
		replay "$MRT" > "$d/peer.out" 2> "$d/peer.err" &
	peer=$!
	# The file holds 89,679 UPDATEs (one of them an End-of-RIB); the peer adds
	# its own End-of-RIB: ze has them all when it has counted 89,680.
	want=${TABLE_UPDATES:-89680}
	while :; do
		"$ZE" cli --state "$d/s" -c 'show bgp neighbor table json' > "$d/neighbor.json" 2>&1 || true
		got=$(json "$d/neighbor.json" updates-received)
		[ "${got:-0}" -ge "$want" ] && break
		kill -0 "$peer" 2>/dev/null || { cat "$d/peer.err" >&2; die "the replay peer exited before ze counted $want UPDATEs (got ${got:-0})"; }
		sleep 0.02
	done
	t1=$(now)
	# From the moment ze logged the session established (the replay peer
	# reads and decompresses the file before it connects).
	est=$(grep -m1 'to=established' "$d/ze.err" | sed 's/^time=\([^ ]*\) .*/\1/')
	[ -n "$est" ] && t0=$(date -d "$est" +%s.%N)
	set -- $(proc "$ZEPID")
	rss=$1 hwm=$2 cpu=$3
	kill "$peer" 2>/dev/null || true
	wait "$peer" 2>/dev/null || true
	"$ZE" cli --state "$d/s" -c 'show bgp neighbor table' > "$d/neighbor.txt" 2>&1 || true
	stop_ze "$d"
	received=$(grep -o '"families":\[{"family":"ipv4/unicast","received":[0-9]*' "$d/neighbor.json" | grep -o '[0-9]*$')
	accepted=$(json "$d/neighbor.json" prefixes-accepted)
	tw=$(json "$d/neighbor.json" treat-as-withdraw)
	awk -v t0="$t0" -v t1="$t1" -v n="$received" -v u="$got" -v a="$accepted" -v tw="$tw" \
		-v rss="$rss" -v hwm="$hwm" -v cpu="$cpu" -v irss="$idle_rss" -v icpu="$idle_cpu" 'BEGIN {
		s = t1 - t0
		printf "table: %d UPDATEs, %d prefixes received (%d accepted, %d treat-as-withdraw) in %.2f s from Established\n", u, n, a, tw, s
		printf "table: %.0f prefixes/s, %.0f UPDATEs/s (wall clock); %.0f prefixes per CPU second of ze\n", n / s, u / s, n / (cpu - icpu)
		printf "table: ze RSS %d KiB idle, %d KiB after, peak %d KiB (VmHWM); CPU %.2f s for the table\n", irss, rss, hwm, cpu - icpu
	}' | tee "$d/result.txt"
}

sessions() {
	d=$OUT/sessions
	mkdir -p "$d"
	port=$(freeport 127.76.1.1)
	ssh=$(freeport 127.0.0.1)
	"$ZE_TEST" load config --from 127.1.0.1 --count "$COUNT" --as 65100 --listen 127.76.1.1 --port "$port" \
		--hold "$HOLD" --ssh-port "$ssh" > "$d/ze.conf"
	start_ze "$d"
	sleep 1
	set -- $(proc "$ZEPID")
	echo "sessions: ze with $COUNT peers configured, none up: RSS $1 KiB, CPU $3 s" | tee "$d/result.txt"
	rc=0
	"$ZE_TEST" load sessions --connect "127.76.1.1:$port" --from 127.1.0.1 --count "$COUNT" --as 65100 \
		--hold "$HOLD" --duration "$DURATION" --establish-timeout 2m --pid "$ZEPID" > "$d/report.json" 2> "$d/load.err" || rc=$?
	"$ZE" cli --state "$d/s" -c 'show bgp summary' | head -3 > "$d/summary.txt" 2>&1 || true
	stop_ze "$d"
	expiries=$(grep -c 'hold-timer-expired' "$d/ze.err" || true)
	awk -v hold="$HOLD" -v expiries="$expiries" -v rc="$rc" '
		/"sessions"/ { gsub(/[^0-9]/, ""); n = $0 }
		/"established"/ { gsub(/[^0-9]/, ""); e = $0 }
		/"establish-ns"/ { gsub(/[^0-9]/, ""); ens = $0 }
		/"held-ns"/ { gsub(/[^0-9]/, ""); hns = $0 }
		/"up"/ { gsub(/[^0-9]/, ""); up = $0 }
		/"keepalives-received"/ { gsub(/[^0-9]/, ""); kr = $0 }
		/"process":/ { p = 1 } /"process-at-established":/ { p = 2 }
		/"rss-kib"/ { gsub(/[^0-9]/, ""); rss[p] = $0 }
		/"peak-rss-kib"/ { gsub(/[^0-9]/, ""); hwm[p] = $0 }
		/"cpu-seconds"/ { gsub(/[^0-9.]/, ""); cpu[p] = $0 }
		END {
			printf "sessions: %d of %d established in %.2f s, %d still up after %.0f s (hold time %d s), %d keepalives from ze\n", e, n, ens / 1e9, up, hns / 1e9, hold, kr
			printf "sessions: ze hold-timer expiries logged: %d; ze-test load exit %d\n", expiries, rc
			printf "sessions: ze RSS %d KiB once established, %d KiB at the end, peak %d KiB (VmHWM)\n", rss[2], rss[1], hwm[1]
			printf "sessions: ze CPU %.2f s to establish (from its start), %.2f s during the %.0f s hold, %.2f s in all\n", cpu[2], cpu[1] - cpu[2], hns / 1e9, cpu[1]
		}' "$d/report.json" | tee -a "$d/result.txt"
	[ "$rc" -eq 0 ] || die "ze-test load failed: $(tail -3 "$d/load.err")"
}

case $what in
table) table ;;
sessions) sessions ;;
all) table; sessions ;;
*) die "unknown figure $what (table, sessions, all)" ;;
esac
echo "logs and reports: $OUT"
