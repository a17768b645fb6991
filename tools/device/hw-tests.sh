#!/usr/bin/env bash
# Runs vmx-hw's test suite from jars on a machine that has /dev/kvm and tracefs but no JDK, no
# Maven and no network (the 16-core machine of DEVELOPERS.md), with JUnit's console launcher.
#
#   tools/device/hw-tests.sh prepare   # here, from the project root: builds what is taken along
#   tools/device/hw-tests.sh run       # there (as root), from the project root: runs the tests
#
# prepare writes two ignored folders, which are all the run needs beside the tracked files:
#   .devjre/   a small Java 17 runtime (../shared/tools/device-jre.sh, i.e. JAVA_HOME's jlink)
#   .devjars/  vmx-api and vmx-hw with their test jars, JNA, and
#              junit-platform-console-standalone (the JUnit Platform version that goes with the
#              pom's JUnit Jupiter version), all from the local Maven repository
# Take both along (with the device tool: carry [".devjre", ".devjars"]); together about 45 MB.
#
# run writes to $OUT (default target/hw-tests/): hw-tests.txt (the machine, then the launcher's
# summary and failures), hw-tests-log.txt (every test as a tree, with the tests' own output) and
# junit-reports/ (XML per test class). Without .devjre it uses the java on PATH (to try it here).
# The launcher is bounded by HW_TESTS_TIMEOUT seconds (default 480) and killed after it.
set -euo pipefail
cd "$(dirname "$0")/../.."

jre=.devjre
jars=.devjars

prepare() {
    export MAVEN_OPTS="${MAVEN_OPTS:-}"
    ./mvnw -B -q install -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true -pl vmx-api,vmx-hw -am
    rm -rf "$jars"
    mkdir -p "$jars"
    local version
    version=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' pom.xml | head -1)
    cp "vmx-api/target/vmx-api-$version.jar" "vmx-api/target/vmx-api-$version-tests.jar" \
       "vmx-hw/target/vmx-hw-$version.jar" "vmx-hw/target/vmx-hw-$version-tests.jar" "$jars/"
    # JNA and whatever else vmx-hw needs at run time, from the local repository
    ./mvnw -B -q -pl vmx-hw dependency:copy-dependencies -DincludeScope=runtime -DexcludeGroupIds=dev.vmx \
        -DoutputDirectory="$PWD/$jars"
    # JUnit Jupiter 5.x runs on JUnit Platform 1.x of the same minor and patch
    local jupiter platform
    jupiter=$(sed -n 's:.*<junit.version>\(.*\)</junit.version>.*:\1:p' pom.xml)
    platform="1.${jupiter#5.}"
    ./mvnw -B -q dependency:copy -Dartifact="org.junit.platform:junit-platform-console-standalone:$platform" \
        -DoutputDirectory="$PWD/$jars"
    # the runtime; device-jre.sh also adds it to .git/info/exclude, which a worktree (.git is a file) lacks
    local script=../shared/tools/device-jre.sh
    [ -x "$script" ] || script=/work/shared/tools/device-jre.sh
    "$script" "$jre" || [ -x "$jre/bin/java" ]
    du -sh "$jre" "$jars"
    echo "prepare: take along $jre and $jars: $(du -sm "$jre" "$jars" | awk '{ s += $1 } END { print s }') MB"
}

run() {
    local out=${OUT:-target/hw-tests}
    mkdir -p "$out"
    local java=java
    [ -x "$jre/bin/java" ] && java=$jre/bin/java
    local classpath
    classpath=$(ls "$jars"/*.jar | tr '\n' ':')
    local tests
    tests=$(ls "$jars"/vmx-hw-*-tests.jar)
    {
        echo "# vmx-hw tests from jars, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
        echo "# host: $(uname -srm), $(nproc) CPUs, uid $(id -u), /dev/kvm: $([ -e /dev/kvm ] && echo present || echo absent)," \
            "tracefs: $(grep -c ' tracefs ' /proc/mounts || true) mount(s)"
        echo "# java: $("$java" -version 2>&1 | head -1)"
    } > "$out/hw-tests.txt"
    # the jars on the JVM's own class path (not --class-path): tests start child JVMs with java.class.path
    local status=0
    timeout -k 10 "${HW_TESTS_TIMEOUT:-480}" "$java" -cp "$classpath" org.junit.platform.console.ConsoleLauncher execute \
        --scan-classpath "$tests" --details=tree --disable-banner --reports-dir="$out/junit-reports" \
        > "$out/hw-tests-log.txt" 2>&1 || status=$?
    # the summary: from the failures list (if any) or the run's totals to the end
    awk '/^Failures \(|Test run finished after/ { keep = 1 } keep' "$out/hw-tests-log.txt" >> "$out/hw-tests.txt"
    grep -E '^(SKIPPED|NOTE|live poll|idle poll|fuzz |  KNOWN_OPEN)' "$out/hw-tests-log.txt" | sed 's/^/# /' >> "$out/hw-tests.txt" || true
    echo "# launcher exit status: $status" >> "$out/hw-tests.txt"
    cat "$out/hw-tests.txt"
    return "$status"
}

case "${1:-}" in
    prepare) prepare ;;
    run) run ;;
    *) echo "usage: $0 prepare|run" >&2; exit 2 ;;
esac
