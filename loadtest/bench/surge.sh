#!/usr/bin/env bash
# One bounded surge benchmark: starts SILOS silo processes (built ConferenceCluster.Silo; 1 silo = the embedded SQLite
# cluster in a temp directory, 3 silos = one Orleans cluster on PostgreSQL, scripts/postgres.sh's server, locations
# london (2) and oslo (1)), creates the rooms through the management API, runs ConferenceCluster.LoadTest with the
# surge profile against them, stops the silos.
#
#   bash loadtest/bench/surge.sh SILOS STEADY SURGE SURGE_OVER_SECONDS [extra load tester options]
#   e.g. bash loadtest/bench/surge.sh 1 100 200 2 --report /tmp/surge.json
#
# Media ranges are kept below the kernel's ephemeral ports, where the load tester's own RTP sockets land.
# Every run is bounded: the load tester's --duration (DURATION, 45 s by default) and a kill of the silos after it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

silos=${1:?silos (1 or 3)} steady=${2:?steady participants} surge=${3:?surge participants} over=${4:?surge seconds}
shift 4
[[ $silos == 1 || $silos == 3 ]] || { echo "surge.sh: SILOS must be 1 or 3" >&2; exit 2; }
per_conference=${PER_CONFERENCE:-10}
conferences=$(( (steady + surge + per_conference - 1) / per_conference ))
password="bench-$(date +%s)"
work=$(mktemp -d /tmp/cc-bench-XXXXXX)
cluster_id="bench-$(date +%s)"
if [[ $silos == 1 ]]; then
  storage=(--Cluster:Storage=sqlite --Cluster:ConnectionString="$work/cluster.db")
else
  # Several silos are one cluster only on PostgreSQL (an embedded SQLite database serves one silo).
  bash scripts/postgres.sh start >/dev/null
  storage=(--Cluster:Storage=postgres --Cluster:ConnectionString="$(bash scripts/postgres.sh url)")
fi

dotnet build -c Release src/ConferenceCluster.Silo -v quiet -nologo >/dev/null
dotnet build -c Release loadtest/ConferenceCluster.LoadTest -v quiet -nologo >/dev/null
silo_dll=src/ConferenceCluster.Silo/bin/Release/net10.0/ConferenceCluster.Silo.dll
loadtest_dll=loadtest/ConferenceCluster.LoadTest/bin/Release/net10.0/ConferenceCluster.LoadTest.dll

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 2
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

locations=(london london oslo)
targets=()
for (( i = 0; i < silos; i++ )); do
  location=${locations[$i]}; [[ $silos == 1 ]] && location=london
  dotnet "$silo_dll" --Cluster:Id="$cluster_id" "${storage[@]}" \
    --Silo:Name="bench-$i" --Silo:Location="$location" --Silo:AdvertisedAddress=127.0.0.1 \
    --Silo:Ports:Silo=$((11300 + i)) --Silo:Ports:Gateway=$((30300 + i)) --Silo:Ports:Http=$((8380 + i)) \
    --Silo:Ports:Sip=$((5260 + 2 * i)) --Silo:Ports:MediaRange="$((20000 + 3000 * i))-$((22999 + 3000 * i))" \
    --Silo:Capacity:AudioCalls="${CAPACITY:-5000}" --Silo:DrainTimeout=00:00:00 --Admin:Password="$password" \
    --Logging:LogLevel:Default=Warning >"$work/silo-$i.log" 2>&1 &
  pids+=($!)
  targets+=(--target "$location=127.0.0.1:$((5260 + 2 * i))" --cpu-pid $!)
  [[ $i == 0 ]] && sleep 3 # the first silo sets the cluster up; the others join it
done

api() { curl -sf -u "admin:$password" -H 'Content-Type: application/json' "$@"; }
for (( i = 0; i < silos; i++ )); do
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$((8380 + i))/health" >/dev/null && break; sleep 0.5; done
  curl -sf "http://127.0.0.1:$((8380 + i))/health" >/dev/null || { echo "silo $i did not come up:"; tail -20 "$work/silo-$i.log"; exit 1; }
done
for location in $(printf '%s\n' "${locations[@]:0:$silos}" | sort -u); do
  api -X POST "http://127.0.0.1:8380/api/admin/configuration/v1/system_location/" -d "{\"name\":\"$location\"}" >/dev/null
done
for (( c = 1; c <= conferences; c++ )); do
  api -X POST "http://127.0.0.1:8380/api/admin/configuration/v1/conference/" \
    -d "{\"name\":\"loadtest$c\",\"aliases\":[{\"alias\":\"loadtest$c\"}]}" >/dev/null
done
sleep 6 # the silos reload configuration on their own poll

mode=round-robin; [[ $silos == 3 ]] && mode=per-location
set -x
dotnet "$loadtest_dll" --profile surge -n "$steady" -m "$conferences" --ramp 10 --surge "$surge" --surge-at 15 --surge-over "$over" \
  --duration "${DURATION:-45}" --max-participants $((steady + surge)) --target-mode "$mode" "${targets[@]}" --quiet "$@"
