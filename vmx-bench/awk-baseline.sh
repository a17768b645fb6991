#!/bin/sh
# Times the per-reason kvm_exit count a user would write in awk, on the same generated file the
# TraceTextBenchmark reads (1,000,000 lines by default), to compare with its typedStatistics score.
# Usage: vmx-bench/awk-baseline.sh [LINES]   (after ./mvnw -B -pl vmx-bench -am package, which builds target/benchmarks.jar)
set -eu
LINES=${1:-1000000}
HERE=$(cd "$(dirname "$0")" && pwd)
JAR="$HERE/target/benchmarks.jar"
FILE=$(mktemp /tmp/vmx-trace-XXXXXX.txt)
trap 'rm -f "$FILE"' EXIT
java -cp "$JAR" dev.vmx.bench.TraceTextMix "$FILE" "$LINES"
echo "file: $FILE ($(wc -l < "$FILE") lines, $(wc -c < "$FILE") bytes)"
for AWK in mawk gawk awk; do
    command -v "$AWK" >/dev/null 2>&1 || continue
    echo "== $AWK"
    /usr/bin/time -f "%e s elapsed, %M KB max RSS" "$AWK" '
        / kvm_exit: / { for (i = 1; i <= NF; i++) if ($i == "reason") { count[$(i + 1)]++; break } }
        END { for (r in count) printf "%10d %s\n", count[r], r }' "$FILE" | sort -rn
done
echo "== wc -l (lower bound for any line reader)"
/usr/bin/time -f "%e s elapsed" wc -l "$FILE"
