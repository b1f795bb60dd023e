#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests and local clusters.
#
#   scripts/postgres.sh start   install postgresql if missing, create and start the server, create the database
#   scripts/postgres.sh stop    stop the server and delete its files
#   scripts/postgres.sh url     print the Npgsql connection string
#   scripts/postgres.sh status  say whether it runs
#
# It listens on 127.0.0.1 only (port $PGPORT_CC, default 55432) with trust authentication, which is why it
# must never listen anywhere else. Its files live in $CC_PG_DIR (default /tmp/cc-pg). Run as root on a fresh
# Debian machine, the server itself runs as the `postgres` OS user because it refuses to run as root.
set -euo pipefail

PORT="${PGPORT_CC:-55432}"
BASE_DIR="${CC_PG_DIR:-/tmp/cc-pg}"
DATA_DIR="$BASE_DIR/data"
LOG_FILE="$BASE_DIR/server.log"
DATABASE="conferencecluster"
SUPERUSER="postgres"
READY_TIMEOUT_SECONDS=60

log() { echo "postgres.sh: $*" >&2; }
die() { log "$*"; exit 1; }

find_bin_dir() {
    local initdb
    initdb="$(ls -1d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)"
    [[ -n "$initdb" ]] && dirname "$initdb"
}

install_postgres() {
    [[ $EUID -eq 0 ]] || die "postgresql is not installed and installing it needs root (apt-get install -y postgresql)"
    log "installing postgresql"
    export DEBIAN_FRONTEND=noninteractive
    # Only refresh the package lists when the install fails: they are usually fresh enough and the refresh is slow.
    if ! apt-get install -y postgresql >&2; then
        apt-get update >&2
        apt-get install -y postgresql >&2
    fi
}

BIN_DIR="$(find_bin_dir || true)"

# Runs a server-side command as the OS user that owns the data directory (root may not run the server).
as_owner() {
    if [[ $EUID -eq 0 ]]; then
        # From /tmp, so the postgres user is not left in a working directory it may not read (/root).
        (cd /tmp && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

pg() { as_owner "$BIN_DIR/$1" "${@:2}"; }

is_running() {
    [[ -n "$BIN_DIR" && -f "$DATA_DIR/PG_VERSION" ]] && pg pg_ctl -D "$DATA_DIR" status >/dev/null 2>&1
}

url() {
    echo "Host=127.0.0.1;Port=$PORT;Username=$SUPERUSER;Database=$DATABASE"
}

wait_ready() {
    local waited=0
    until "$BIN_DIR/pg_isready" -q -h 127.0.0.1 -p "$PORT" -U "$SUPERUSER"; do
        (( waited++ < READY_TIMEOUT_SECONDS )) || { tail -n 30 "$LOG_FILE" >&2 || true; die "server not ready after ${READY_TIMEOUT_SECONDS}s"; }
        sleep 1
    done
}

init_cluster() {
    log "creating a server in $DATA_DIR"
    if [[ $EUID -eq 0 ]]; then
        id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
        install -d -m 0700 -o postgres -g postgres "$BASE_DIR"
    else
        install -d -m 0700 "$BASE_DIR"
    fi
    rm -rf "$DATA_DIR" # the remains of an initdb that did not finish
    # --no-sync and fsync=off: the server is disposable, and tests should not wait on the disk.
    pg initdb -D "$DATA_DIR" -U "$SUPERUSER" --auth=trust --encoding=UTF8 --no-locale --no-sync >/dev/null
    cat >> "$DATA_DIR/postgresql.conf" <<EOF

# scripts/postgres.sh: loopback only (trust authentication), private socket directory, disposable data.
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$BASE_DIR'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
}

start() {
    if [[ -z "$BIN_DIR" ]]; then
        install_postgres
        BIN_DIR="$(find_bin_dir)" || die "postgresql installed but no initdb found under /usr/lib/postgresql"
    fi
    if is_running; then
        log "already running on 127.0.0.1:$PORT"
    else
        [[ -f "$DATA_DIR/PG_VERSION" ]] || init_cluster
        log "starting on 127.0.0.1:$PORT"
        if ! pg pg_ctl -D "$DATA_DIR" -l "$LOG_FILE" -w -t "$READY_TIMEOUT_SECONDS" start >/dev/null; then
            tail -n 30 "$LOG_FILE" >&2 || true
            die "server failed to start (is port $PORT taken? set PGPORT_CC)"
        fi
    fi
    wait_ready
    local exists
    exists="$("$BIN_DIR/psql" -h 127.0.0.1 -p "$PORT" -U "$SUPERUSER" -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")"
    if [[ "$exists" != "1" ]]; then
        "$BIN_DIR/createdb" -h 127.0.0.1 -p "$PORT" -U "$SUPERUSER" "$DATABASE"
        log "created database $DATABASE"
    fi
    log "ready: $(url)"
}

stop() {
    if is_running; then
        pg pg_ctl -D "$DATA_DIR" -m fast -w stop >/dev/null
        log "stopped"
    fi
    rm -rf "$BASE_DIR"
}

status() {
    if is_running; then echo "running: $(url)"; else echo "not running"; return 1; fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    url) url ;;
    status) status ;;
    *) echo "usage: $0 start|stop|url|status" >&2; exit 2 ;;
esac
