#!/usr/bin/env bash
# The topology of deploy/compose.yaml as local processes on 127.0.0.1: PostgreSQL (Debian's, through
# scripts/postgres.sh), compose's schema step (the built ConferenceCluster.Silo with --migrate, once, before the silos),
# one Kamailio per location (Debian's, with deploy/kamailio/kamailio.cfg and the location's dispatcher list) and the
# silos (the built ConferenceCluster.Silo) with the environment compose gives them.
# The environment is read from compose.yaml itself (deploy/local/render.py), so the two cannot drift; only what one
# host forces is rewritten: addresses become 127.0.0.1, unpublished silo ports are spread apart, PostgreSQL is local.
#
#   deploy/local-cluster.sh [start] [options]      start everything, print the addresses, stop it all on Ctrl-C
#   deploy/local-cluster.sh stop [--data-dir D]     stop a cluster started with --detach
#   deploy/local-cluster.sh status [--data-dir D]   which processes run
#   deploy/local-cluster.sh add-silo NAME --location L [--env KEY=VALUE ...]
#                                                   scale out: a new silo of location L (the environment of the
#                                                   location's other silos), added to its Kamailio dispatcher list
#   deploy/local-cluster.sh remove-silo NAME        scale in: out of the dispatcher list, SIGTERM (drain), wait for it
#
# Start options:
#   --no-build              use the silo already built (src/ConferenceCluster.Silo/bin/<configuration>/net10.0)
#   --configuration C       Release (default) or Debug
#   --data-dir D            where logs, rendered configuration and PostgreSQL live (default /tmp/cc-local-cluster);
#                           the `postgres` OS user must be able to reach it when run as root
#   --detach                return once everything is up; stop later with `deploy/local-cluster.sh stop`
#   --port-offset N         add N to every port (several clusters on one machine, tests)
#   --only a,b,...          start only these compose services (PostgreSQL always)
#   --env SERVICE:KEY=VALUE override one silo key (tests; the point of this script is not to need it)
#
# Passwords: CC_DB_PASSWORD and CC_ADMIN_PASSWORD from the environment, else deploy/.env, else generated (printed).
set -euo pipefail

# kamailio and kamcmd live in /usr/sbin, which a non-root PATH may lack.
export PATH="$PATH:/usr/sbin:/sbin"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COMPOSE="$REPO/deploy/compose.yaml"
RENDER=(/usr/bin/python3 "$REPO/deploy/local/render.py")
DATA_DIR="${TMPDIR:-/tmp}/cc-local-cluster"
READY_TIMEOUT_SECONDS=180
STOP_TIMEOUT_SECONDS=30

log() { echo "local-cluster: $*" >&2; }
die() { log "$*"; exit 1; }

# shellcheck source=../scripts/lib/packages.sh
source "$REPO/scripts/lib/packages.sh"

command="start"
case "${1:-}" in start | stop | status | add-silo | remove-silo) command="$1"; shift ;; esac

build=1 detach=0 port_offset=0 configuration=Release only="" location="" silo_name=""
overrides=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --no-build) build=0 ;;
        --detach) detach=1 ;;
        --configuration) configuration="$2"; shift ;;
        --data-dir) DATA_DIR="$2"; shift ;;
        --port-offset) port_offset="$2"; shift ;;
        --only) only="$2"; shift ;;
        --location) location="$2"; shift ;;
        --env) overrides+=(--env "$2"); shift ;;
        -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        -*) die "unknown option $1 (--help)" ;;
        *) [[ -z "$silo_name" ]] || die "unexpected argument $1"; silo_name="$1" ;;
    esac
    shift
done
[[ "$port_offset" =~ ^[0-9]+$ ]] || die "--port-offset must be a number"
DATA_DIR="$(mkdir -p "$DATA_DIR" && cd "$DATA_DIR" && pwd)"
PLAN="$DATA_DIR/plan.sh"
SILO_DLL="$REPO/src/ConferenceCluster.Silo/bin/$configuration/net10.0/ConferenceCluster.Silo.dll"

pid_of() { [[ -f "$DATA_DIR/$1/pid" ]] && cat "$DATA_DIR/$1/pid"; }
alive() { local pid; pid="$(pid_of "$1")" && kill -0 "$pid" 2>/dev/null; }
postgres() { PGPORT_CC="$PG_PORT" CC_PG_DIR="$DATA_DIR/postgres" bash "$REPO/scripts/postgres.sh" "$@"; }
kamcmd_of() { kamcmd -s "unix:$DATA_DIR/$1/kamailio.ctl" "${@:2}"; }

passwords() {
    if [[ -f "$REPO/deploy/.env" ]]; then
        local line
        while IFS= read -r line; do
            [[ "$line" =~ ^(CC_DB_PASSWORD|CC_ADMIN_PASSWORD)=(.*)$ ]] && [[ -z "${!BASH_REMATCH[1]:-}" ]] && export "${BASH_REMATCH[1]}=${BASH_REMATCH[2]}"
        done < "$REPO/deploy/.env"
    fi
    if [[ -z "${CC_DB_PASSWORD:-}" ]]; then CC_DB_PASSWORD="$(head -c 12 /dev/urandom | base64 | tr -d '/+=')"; export CC_DB_PASSWORD; fi
    if [[ -z "${CC_ADMIN_PASSWORD:-}" ]]; then CC_ADMIN_PASSWORD="$(head -c 12 /dev/urandom | base64 | tr -d '/+=')"; export CC_ADMIN_PASSWORD; fi
}

# Starts one silo in its own session (so only this script signals it), with the rendered environment.
start_silo() {
    local name="$1" line
    local environment=()
    while IFS= read -r line; do environment+=("$line"); done < "$DATA_DIR/$name/environment"
    (cd "$DATA_DIR/$name" && exec setsid env "${environment[@]}" dotnet "$SILO_DLL" > "$DATA_DIR/$name/silo.log" 2>&1 < /dev/null) &
    echo $! > "$DATA_DIR/$name/pid"
}

start_dispatcher() {
    local name="$1"
    mkdir -p "$DATA_DIR/$name/run"
    # -DD: stay in the foreground (this script owns the process); -E: log to stderr, i.e. the log file.
    setsid kamailio -DD -E -f "$DATA_DIR/$name/kamailio.cfg" -Y "$DATA_DIR/$name/run" > "$DATA_DIR/$name/kamailio.log" 2>&1 < /dev/null &
    echo $! > "$DATA_DIR/$name/pid"
}

# Compose's schema step: the silo binary with --migrate and the step's environment; it applies the cluster schema and exits.
run_migration() {
    local name="$1" line
    local environment=()
    while IFS= read -r line; do environment+=("$line"); done < "$DATA_DIR/$name/migrate.environment"
    if ! (cd "$DATA_DIR/$name" && timeout "$READY_TIMEOUT_SECONDS" env "${environment[@]}" dotnet "$SILO_DLL" --migrate > "$DATA_DIR/$name/migrate.log" 2>&1 < /dev/null); then
        tail -n 30 "$DATA_DIR/$name/migrate.log" >&2 || true
        die "$name (--migrate) failed (log: $DATA_DIR/$name/migrate.log)"
    fi
    log "$name: $(tail -n 1 "$DATA_DIR/$name/migrate.log")"
}

wait_for_silo() {
    local name="$1" waited=0
    until curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:${SILO_HTTP[$name]}/health"; do
        if ! alive "$name"; then
            tail -n 30 "$DATA_DIR/$name/silo.log" >&2 || true
            die "$name exited while starting (log: $DATA_DIR/$name/silo.log)"
        fi
        (( waited++ < READY_TIMEOUT_SECONDS )) || die "$name not healthy after ${READY_TIMEOUT_SECONDS}s (log: $DATA_DIR/$name/silo.log)"
        sleep 1
    done
}

wait_for_dispatcher() {
    local name="$1" waited=0
    until kamcmd_of "$name" core.uptime > /dev/null 2>&1; do
        if ! alive "$name"; then
            tail -n 30 "$DATA_DIR/$name/kamailio.log" >&2 || true
            die "$name exited while starting (log: $DATA_DIR/$name/kamailio.log)"
        fi
        (( waited++ < 30 )) || die "$name not answering on its control socket after 30s"
        sleep 1
    done
}

# SIGTERM (a silo drains; a second SIGTERM cuts the drain short), then SIGKILL to the process group if it lingers.
stop_process() {
    local name="$1" pid waited=0
    pid="$(pid_of "$name")" || return 0
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        sleep 1
        kill -TERM "$pid" 2>/dev/null || true
        while kill -0 "$pid" 2>/dev/null && (( waited++ < STOP_TIMEOUT_SECONDS * 5 )); do sleep 0.2; done
        if kill -0 "$pid" 2>/dev/null; then
            log "$name did not stop within ${STOP_TIMEOUT_SECONDS}s; killing it"
            kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    # Kamailio's children, and anything else left in the process's session.
    kill -KILL -- "-$pid" 2>/dev/null || true
    rm -f "$DATA_DIR/$name/pid"
}

stop_all() {
    [[ -f "$PLAN" ]] || { log "nothing to stop in $DATA_DIR"; return 0; }
    # shellcheck disable=SC1090
    source "$PLAN"
    # Dispatchers first (no new calls), then the silos, each group in parallel. Only the stoppers are waited for:
    # in the foreground the silos are this shell's children too.
    local name stoppers=()
    for name in "${DISPATCHERS[@]}"; do stop_process "$name" & stoppers+=($!); done
    (( ${#stoppers[@]} == 0 )) || wait "${stoppers[@]}"
    stoppers=()
    for name in $(ls "$DATA_DIR"); do
        [[ -f "$DATA_DIR/$name/environment" ]] || continue
        stop_process "$name" & stoppers+=($!)
    done
    (( ${#stoppers[@]} == 0 )) || wait "${stoppers[@]}"
    postgres stop > /dev/null 2>&1 || true
    rm -f "$PLAN"
    log "stopped"
}

print_addresses() {
    local name
    echo "ConferenceCluster local cluster (data: $DATA_DIR)"
    echo "  PostgreSQL            127.0.0.1:$PG_PORT database $PG_DATABASE user $PG_USER"
    for name in "${DISPATCHERS[@]}"; do
        printf '  %-20s  SIP front door of %s: sip:<alias>@127.0.0.1:%s (udp, tcp)\n' "$name" "${DISPATCHER_LOCATION[$name]}" "${DISPATCHER_SIP[$name]}"
    done
    for name in "${!SILO_HTTP[@]}"; do
        [[ -f "$DATA_DIR/$name/environment" ]] || continue
        printf '  %-20s  %s %s: HTTP http://127.0.0.1:%s (admin/status), SIP 127.0.0.1:%s\n' "$name" \
            "${SILO_LOCATION[$name]}" "${SILO_ROLE[$name]}" "${SILO_HTTP[$name]}" "${SILO_SIP[$name]}"
    done | sort
    echo "  management API user admin, password $CC_ADMIN_PASSWORD"
}

start() {
    local name
    for name in $(ls "$DATA_DIR"); do
        alive "$name" && die "a cluster already runs in $DATA_DIR ($name); stop it first: deploy/local-cluster.sh stop --data-dir $DATA_DIR"
    done
    if [[ -f "$PLAN" ]]; then log "cleaning up the remains of an earlier run in $DATA_DIR"; stop_all; fi
    # Silos added to an earlier run are not part of this one.
    rm -f "$DATA_DIR"/*/environment "$DATA_DIR"/*/compose.environment "$DATA_DIR"/*/environment.removed
    ensure_debian_packages python3-yaml kamailio libopus0 libvpx7 curl
    command -v dotnet > /dev/null || die "the .NET 10 SDK (dotnet) is required"
    if (( build )); then
        dotnet build -c "$configuration" "$REPO/src/ConferenceCluster.Silo" -v quiet -nologo > "$DATA_DIR/build.log" 2>&1 \
            || { tail -n 30 "$DATA_DIR/build.log" >&2; die "build failed"; }
    fi
    [[ -f "$SILO_DLL" ]] || die "$SILO_DLL is missing: build it (drop --no-build)"
    passwords

    local plan_text
    plan_text="$("${RENDER[@]}" plan "$COMPOSE" "$DATA_DIR" "$port_offset" ${only:+--only "$only"} "${overrides[@]}")" || die "could not render $COMPOSE"
    printf '%s\n' "$plan_text" "CC_ADMIN_PASSWORD=$(printf '%q' "$CC_ADMIN_PASSWORD")" "CONFIGURATION=$configuration" > "$PLAN"
    # shellcheck disable=SC1090
    source "$PLAN"

    if (( ! detach )); then trap 'echo; stop_all; exit 0' INT TERM; fi
    trap 'status=$?; if (( status != 0 )); then log "start failed; stopping what started"; stop_all; fi' EXIT

    postgres start
    local bin
    bin="$(dirname "$(ls -1d /usr/lib/postgresql/*/bin/psql | sort -V | tail -n 1)")"
    "$bin/psql" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 \
        -c "CREATE ROLE \"$PG_USER\" LOGIN PASSWORD '${PG_PASSWORD//\'/\'\'}'" \
        -c "CREATE DATABASE \"$PG_DATABASE\" OWNER \"$PG_USER\"" > /dev/null

    for name in "${MIGRATIONS[@]}"; do run_migration "$name"; done
    for name in "${SILOS[@]}"; do start_silo "$name"; done
    for name in "${SILOS[@]}"; do wait_for_silo "$name"; done
    for name in "${DISPATCHERS[@]}"; do start_dispatcher "$name"; done
    for name in "${DISPATCHERS[@]}"; do wait_for_dispatcher "$name"; done
    trap - EXIT

    print_addresses
    if (( detach )); then
        echo "  stop with: deploy/local-cluster.sh stop --data-dir $DATA_DIR"
        return 0
    fi
    echo "  Ctrl-C stops it all"
    while true; do sleep 1 & wait $! || true; done
}

require_running() {
    [[ -f "$PLAN" ]] || die "no cluster runs in $DATA_DIR (start one with --detach, or pass its --data-dir)"
    # shellcheck disable=SC1090
    source "$PLAN"
    SILO_DLL="$REPO/src/ConferenceCluster.Silo/bin/$CONFIGURATION/net10.0/ConferenceCluster.Silo.dll"
}

add_silo() {
    [[ -n "$silo_name" && -n "$location" ]] || die "usage: add-silo NAME --location LOCATION [--env KEY=VALUE ...]"
    require_running
    local added
    added="$("${RENDER[@]}" add-silo "$DATA_DIR" "$silo_name" "$location" "${overrides[@]}")" || die "could not add $silo_name"
    printf '%s\n' "$added" >> "$PLAN"
    # shellcheck disable=SC1090
    source "$PLAN"
    start_silo "$silo_name"
    wait_for_silo "$silo_name"
    if [[ -n "$ADDED_DISPATCHER" ]]; then
        kamcmd_of "$ADDED_DISPATCHER" dispatcher.reload > /dev/null
        log "$silo_name is in $ADDED_DISPATCHER's dispatcher list"
    fi
    printf '  %-20s  %s %s: HTTP http://127.0.0.1:%s, SIP 127.0.0.1:%s\n' "$silo_name" "$location" \
        "${SILO_ROLE[$silo_name]}" "${SILO_HTTP[$silo_name]}" "${SILO_SIP[$silo_name]}"
}

remove_silo() {
    [[ -n "$silo_name" ]] || die "usage: remove-silo NAME"
    require_running
    [[ -f "$DATA_DIR/$silo_name/environment" ]] || die "no silo $silo_name in $DATA_DIR"
    local dispatcher pid drain waited=0
    dispatcher="$("${RENDER[@]}" remove-destination "$DATA_DIR" "$silo_name")"
    if [[ -n "$dispatcher" ]]; then
        kamcmd_of "$dispatcher" dispatcher.reload > /dev/null
        log "$silo_name is out of $dispatcher's dispatcher list"
    fi
    # The silo's own drain bound (Silo__DrainTimeout, default 5 minutes) plus the time to leave.
    drain="$(sed -n 's/^Silo__DrainTimeout=//p' "$DATA_DIR/$silo_name/environment")"
    drain="${drain:-00:05:00}"
    IFS=: read -r h m s <<< "$drain"
    local bound=$(( 10#$h * 3600 + 10#$m * 60 + 10#${s%%.*} + 60 ))
    if pid="$(pid_of "$silo_name")" && kill -0 "$pid" 2>/dev/null; then
        log "$silo_name drains (SIGTERM): no new calls; it leaves when its last call ends, at most ${drain} from now"
        kill -TERM "$pid"
        while kill -0 "$pid" 2>/dev/null; do
            (( waited++ < bound )) || { log "$silo_name still runs after ${bound}s; killing it"; kill -KILL "$pid"; break; }
            sleep 1
        done
    fi
    rm -f "$DATA_DIR/$silo_name/pid"
    mv "$DATA_DIR/$silo_name/environment" "$DATA_DIR/$silo_name/environment.removed"
    log "$silo_name removed; its log ($DATA_DIR/$silo_name/silo.log) ends:"
    grep -E 'Drain|Silo .* stopped' "$DATA_DIR/$silo_name/silo.log" | sed 's/^ */    /' >&2 || true
}

status() {
    require_running
    local name
    for name in $(ls "$DATA_DIR"); do
        [[ -f "$DATA_DIR/$name/pid" ]] || continue
        if alive "$name"; then echo "$name: running (pid $(pid_of "$name"))"; else echo "$name: not running"; fi
    done
    postgres status
}

case "$command" in
    start) start ;;
    stop) stop_all ;;
    status) status ;;
    add-silo) add_silo ;;
    remove-silo) remove_silo ;;
esac
