#!/bin/sh
# The floor of any trace.dat reader on this machine, in C: memcpy of the ring-buffer pages against
# a walk over their record headers (with and without prefetching the next page), on the same
# generated file TraceDatBenchmark reads (1,000,000 events by default). See RESULTS.md, issue 17.
# Usage: vmx-bench/record-walk-baseline.sh [EVENTS] [ROUNDS]   (after ./mvnw -B -pl vmx-bench -am package)
set -eu
EVENTS=${1:-1000000}
ROUNDS=${2:-15}
HERE=$(cd "$(dirname "$0")" && pwd)
JAR="$HERE/target/benchmarks.jar"
WORK=$(mktemp -d /tmp/vmx-record-walk-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
command -v gcc >/dev/null 2>&1 || { echo "record-walk-baseline.sh: gcc is needed (apt-get install gcc)" >&2; exit 1; }
gcc -O2 -Wall -Werror -o "$WORK/record-walk" "$HERE/src/main/c/record-walk.c"
java -cp "$JAR" dev.vmx.bench.TraceDatMix "$WORK/trace.dat" "$EVENTS"
"$WORK/record-walk" "$WORK/trace.dat" "$ROUNDS"
