#!/usr/bin/env bash
# Builds the solution once and runs every test project (tests/*/*.Tests.csproj), one after another,
# against a throwaway PostgreSQL server. Prints one line per project and ends with the totals alone on a line:
#   N passed, N failed[, N skipped]
# Exits non-zero if any project failed, crashed or ran no test.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib/packages.sh

# Everything the tests drive for real: libopus and libvpx (codecs), SQLite (embedded store), SIPp and baresip (SIP peers),
# and what deploy/local-cluster.sh runs for the local cluster tests: Kamailio (Debian's kamailio package carries the
# dispatcher module and kamcmd), python3-yaml (it reads deploy/compose.yaml), curl (health checks), and Debian's
# chromium for the WebRTC tests (headless, with its fake microphone; no browser is ever downloaded).
install_test_dependencies() {
    ensure_debian_packages libopus0 libvpx7 sip-tester baresip kamailio python3-yaml curl chromium
}

install_test_dependencies

dotnet build -c Release ConferenceCluster.sln

if [[ -f scripts/postgres.sh ]]; then
    trap 'bash scripts/postgres.sh stop >/dev/null 2>&1 || true' EXIT
    bash scripts/postgres.sh start
    CONFERENCECLUSTER_TEST_POSTGRES="$(bash scripts/postgres.sh url)"
    export CONFERENCECLUSTER_TEST_POSTGRES
else
    echo "test.sh: scripts/postgres.sh is absent; PostgreSQL tests will skip" >&2
fi

results_dir="$(mktemp -d)"

# The three slowest tests of a project, from its trx (where the time of a suite goes).
slowest_tests() {
    [[ -f "$1" ]] || return 0
    grep -o '<UnitTestResult [^>]*' "$1" |
        sed -nE 's/.*testName="([^"]*)".*duration="([0-9:.]*)".*/\2 \1/p' | sort -r | head -n 3 |
        sed 's/^/  slowest: /' || true
}
total_passed=0 total_failed=0 total_skipped=0 any_failure=0
summaries=()

while IFS= read -r project; do
    name="$(basename "$project" .csproj)"
    log="$results_dir/$name.log"
    echo "=== $name"
    started=$SECONDS
    set +e
    dotnet test "$project" --no-build -c Release --logger "trx;LogFileName=$name.trx" --results-directory "$results_dir" 2>&1 | tee "$log"
    exit_code=${PIPESTATUS[0]}
    set -e
    slowest_tests "$results_dir/$name.trx"

    # vstest's closing line per assembly: "Passed!  - Failed:     0, Passed:    56, Skipped:     0, Total:    56, ..."
    read -r passed failed skipped < <(
        grep -Eo 'Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+' "$log" |
            awk -F'[:,] +' '{ f += $2; p += $4; s += $6 } END { print p + 0, f + 0, s + 0 }')
    verdict="ok"
    if [[ $exit_code -ne 0 || $failed -gt 0 ]]; then
        verdict="FAILED (exit $exit_code)"
        any_failure=1
    elif [[ $((passed + failed)) -eq 0 ]]; then
        verdict="FAILED (ran no test)"
        any_failure=1
    fi
    total_passed=$((total_passed + passed))
    total_failed=$((total_failed + failed))
    total_skipped=$((total_skipped + skipped))
    elapsed=$((SECONDS - started))
    summaries+=("  [$name] passed $passed, failed $failed, skipped $skipped in $((elapsed / 60))m$((elapsed % 60))s: $verdict")
done < <(find tests -name '*.Tests.csproj' | sort)

echo
echo "Test projects:"
if [[ ${#summaries[@]} -eq 0 ]]; then
    echo "  none found under tests/"
    any_failure=1
else
    printf '%s\n' "${summaries[@]}"
fi
totals="$total_passed passed, $total_failed failed"
[[ $total_skipped -gt 0 ]] && totals+=", $total_skipped skipped"
echo "$totals"
exit $any_failure
