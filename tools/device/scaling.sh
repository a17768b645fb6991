#!/usr/bin/env bash
# Thread scaling of ExitStatistics.readFile (issue 18, section 3) on the 16-core machine.
#
#   tools/device/scaling.sh prepare   # here, with the JDK: builds .devjars/ (vmx-api + vmx-bench jars)
#                                     # and .devjre/ (../shared/tools/device-jre.sh) if missing
#   tools/device/scaling.sh run       # there, with no JDK: take .devjre/ and .devjars/ along
#
# `run` writes an 8,000,000-line kvm trace (dev.vmx.bench.TraceTextMix, the generator of the
# ingestion benchmark) to a temporary directory, times readFile and its pieces at 1, 2, 4, 8 and 16
# threads (dev.vmx.bench.ScalingRun: warm-up runs, then median/min/max of timed runs), times mawk's
# per-reason count and wc -l on the same file, and prints the tables to $OUT/scaling.txt (stdout
# too). It stops starting new steps after SCALING_BUDGET_S seconds (default 270) so that the whole
# run ends within about 5 minutes.
# Environment: SCALING_LINES (default 8000000; a small value tests the script), SCALING_THREADS
# (default 1,2,4,8,16), SCALING_DIR (where the trace goes, default /tmp), OUT (default ./scaling-out),
# JAVA (default .devjre/bin/java, else java on the PATH).
set -euo pipefail
cd "$(dirname "$0")/../.."

prepare() {
    export MAVEN_OPTS="${MAVEN_OPTS:-}"
    ./mvnw -B -q package -pl vmx-bench -am -DskipTests -Dmaven.javadoc.skip=true -Djacoco.skip=true
    rm -rf .devjars && mkdir -p .devjars
    cp vmx-api/target/vmx-api-*[0-9T].jar .devjars/vmx-api.jar
    cp vmx-bench/target/vmx-bench-*[0-9T].jar .devjars/vmx-bench.jar
    # a worktree's .git is a file; its info/exclude lives in the common git directory
    exclude="$(git rev-parse --git-common-dir)/info/exclude"
    mkdir -p "$(dirname "$exclude")"
    grep -qxF "/.devjars/" "$exclude" 2>/dev/null || echo "/.devjars/" >> "$exclude"
    if [ ! -x .devjre/bin/java ]; then
        # device-jre.sh ends by writing .git/info/exclude, which fails in a worktree (.git is a file):
        # what matters is the runtime it links first
        local jre_tool=../shared/tools/device-jre.sh
        [ -x "$jre_tool" ] || jre_tool=/work/shared/tools/device-jre.sh
        "$jre_tool" .devjre || true
        [ -x .devjre/bin/java ] || { echo "no runtime in .devjre" >&2; exit 1; }
    fi
    grep -qxF "/.devjre/" "$exclude" 2>/dev/null || echo "/.devjre/" >> "$exclude"
    du -sh .devjars .devjre
    total=$(du -sm .devjars .devjre | awk '{ s += $1 } END { print s }')
    echo "carry .devjre and .devjars: ${total} MiB of the 64 MiB limit"
    [ "$total" -lt 60 ] || { echo "too large to carry" >&2; exit 1; }
}

run() {
    local java=${JAVA:-}
    if [ -z "$java" ]; then
        if [ -x .devjre/bin/java ]; then java=.devjre/bin/java; else java=java; fi
    fi
    local lines=${SCALING_LINES:-8000000}
    local threads=${SCALING_THREADS:-1,2,4,8,16}
    local budget=${SCALING_BUDGET_S:-270}
    local out=${OUT:-./scaling-out}
    mkdir -p "$out"
    local report="$out/scaling.txt"
    # global: the EXIT trap runs after this function has returned
    dir=$(mktemp -d "${SCALING_DIR:-/tmp}/vmx-scaling-XXXXXX")
    trap 'rm -rf "$dir"' EXIT
    local file="$dir/trace.txt"
    local cp=".devjars/vmx-api.jar:.devjars/vmx-bench.jar"
    # everything to the terminal and to the report; the pipeline ends only when tee has written all
    measure_all "$java" "$lines" "$threads" "$budget" "$file" "$cp" 2>&1 | tee "$report"
}

measure_all() {
    local java=$1 lines=$2 threads=$3 budget=$4 file=$5 cp=$6
    local start=$SECONDS

    echo "# vmx readFile scaling, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
    echo "## machine"
    echo "nproc: $(nproc)"
    if command -v lscpu >/dev/null; then
        lscpu | grep -E '^(Model name|Socket|Core|Thread|CPU\(s\)|NUMA node|L3|CPU max MHz|CPU min MHz)' || true
    else
        grep -m1 'model name' /proc/cpuinfo || true
    fi
    grep -E 'MemTotal|MemAvailable' /proc/meminfo || true
    "$java" -version 2>&1 | head -3
    df -h "$dir" | tail -1

    echo "## trace"
    "$java" -cp "$cp" dev.vmx.bench.ScalingRun generate "$file" "$lines"
    local bytes
    bytes=$(wc -c < "$file")
    echo "file: $lines event lines, $bytes bytes, on $(df --output=fstype "$dir" 2>/dev/null | tail -1 || echo '?')"
    cat "$file" > /dev/null   # page-cached, as in the issue's measurement

    local results="$dir/results.txt"
    : > "$results"
    measure() { # MODE WARMUPS RUNS
        if [ $((SECONDS - start)) -ge "$budget" ]; then
            echo "skipped $1: the ${budget}s budget is spent"
            return
        fi
        echo "measuring $1 at $threads threads ($2 warm-up, $3 timed runs each)"
        # a step may run on past the budget by 30 s at most
        timeout $((budget + 30 - (SECONDS - start))) "$java" -cp "$cp" dev.vmx.bench.ScalingRun measure "$1" "$file" "$threads" "$2" "$3" | tee -a "$results" \
            || echo "$1 failed or ran out of time (status $?)"
    }
    measure readFile 3 7
    measure parts-channel 2 5
    measure newlines-channel 2 5
    measure parse-memory 2 5
    measure parts-mmap 2 5
    measure newlines-mmap 2 5

    echo "## baselines on the same file (median of 3)"
    local awk_cmd=""
    for candidate in mawk awk gawk "busybox awk"; do
        if command -v ${candidate%% *} >/dev/null 2>&1; then awk_cmd=$candidate; break; fi
    done
    local awk_ms="" wc_ms=""
    timed3() { # prints the median wall ms of three runs of "$@"
        local t=()
        for _ in 1 2 3; do
            local s e
            s=$(date +%s%N); "$@" > /dev/null; e=$(date +%s%N)
            t+=($(( (e - s) / 1000000 )))
        done
        printf '%s\n' "${t[@]}" | sort -n | sed -n 2p
    }
    wc_ms=$(timed3 wc -l "$file")
    echo "wc -l: ${wc_ms} ms"
    if [ -n "$awk_cmd" ]; then
        local awk_program='/ kvm_exit: / { for (i = 1; i <= NF; i++) if ($i == "reason") { count[$(i + 1)]++; break } } END { for (r in count) printf "%d %s\n", count[r], r }'
        local awk_exits
        awk_exits=$($awk_cmd "$awk_program" "$file" | awk '{ s += $1 } END { print s }')
        echo "awk: '$awk_cmd' ($($awk_cmd -W version 2>&1 | head -1 || true)); it counts $awk_exits exits"
        if [ $((SECONDS - start)) -lt "$budget" ]; then
            awk_ms=$(timed3 $awk_cmd "$awk_program" "$file")
            echo "$awk_cmd per-reason count: ${awk_ms} ms"
        else
            echo "awk timing skipped: the ${budget}s budget is spent"
        fi
    else
        echo "no awk (mawk, awk, gawk, busybox awk) on this machine: no awk baseline"
    fi

    echo
    echo "## readFile: $lines lines, $bytes bytes, page-cached (ms: median [min-max] of the timed runs)"
    awk -v lines="$lines" -v awkms="$awk_ms" '
        $1 == "readFile" { if (!base) base = $3
            printf "| %2d threads | %8.1f ms [%.1f-%.1f] | %5.2fx | %3.0f%% | %6.1f M lines/s | %s |\n", $2, $3, $4, $5,
                base / $3, 100 * base / $3 / $2, lines / $3 / 1000, awkms ? sprintf("%.1fx mawk", awkms / $3) : "-" }
        ' "$results" | sed '1i | threads | time | speed-up | efficiency | throughput | vs awk |\n|---|---:|---:|---:|---:|---:|'
    echo
    echo "## where the time goes (ms, median run; parts: slowest part / mean part / merge of the parts)"
    awk '
        $1 ~ /^parts-/ { p[$1, $2] = sprintf("%.1f (%.1f/%.1f/%.2f)", $3, $6, $7, $8) }
        $1 ~ /^newlines-/ || $1 == "parse-memory" { p[$1, $2] = sprintf("%.1f", $3) }
        $1 == "readFile" { r[$2] = $3; order[++n] = $2 }
        END {
            print "| threads | readFile | parts-channel | parse-memory | parts-mmap | newlines-channel | newlines-mmap |"
            print "|---|---:|---:|---:|---:|---:|---:|"
            for (i = 1; i <= n; i++) { t = order[i]
                printf "| %s | %s | %s | %s | %s | %s | %s |\n", t, r[t], p["parts-channel", t], p["parse-memory", t],
                    p["parts-mmap", t], p["newlines-channel", t], p["newlines-mmap", t] }
        }' "$results"
    echo
    echo "wc -l: ${wc_ms} ms; ${awk_cmd:-awk}: ${awk_ms:-n/a} ms; whole run: $((SECONDS - start)) s"
}

case "${1:-}" in
    prepare) prepare ;;
    run) run ;;
    *) echo "usage: $0 prepare|run" >&2; exit 2 ;;
esac
