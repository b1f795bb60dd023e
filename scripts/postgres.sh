#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests and local clusters.
#
#   scripts/postgres.sh start   install postgresql if missing, create and start the server, create the database
#                               and apply the cluster schema to it (as `schema` does)
#   scripts/postgres.sh schema [DATABASE]  apply the cluster schema (our tables for Orleans' providers and for the
#                               configuration documents) to DATABASE
#                               (default conferencecluster) with psql; a no-op where it was applied before
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
# The cluster schema: the manifest and SQL files ConferenceCluster.Storage embeds (one source of truth).
SCHEMA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/src/ConferenceCluster.Storage/Sql"

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
    schema "$DATABASE"
    log "ready: $(url)"
}

# Applies src/ConferenceCluster.Storage/Sql/PostgreSQL.manifest the way OrleansPostgresSchema.ApplyAsync does (a silo
# does it at start, or with --migrate): one transaction (psql -1) that first takes the schema's advisory lock, then
# runs each script not yet recorded in conferencecluster_schema_version and records it with its SHA-256. So `schema`
# is safe to repeat and to run beside starting silos; a failing script rolls the whole apply back.
schema() {
    local database="$1" plan name sha
    [[ -n "$BIN_DIR" ]] || die "postgresql is not installed (run: $0 start)"
    plan="$(mktemp)"
    {
        echo "SET client_min_messages = warning;" # not the NOTICEs of IF NOT EXISTS
        echo "\\o /dev/null"                       # nor the lock's empty result row
        echo "\\i '$SCHEMA_DIR/ConferenceCluster/PostgreSQL-Lock.sql'"
        echo "\\o"
        echo "\\i '$SCHEMA_DIR/ConferenceCluster/PostgreSQL-SchemaVersion.sql'"
        while read -r name; do
            [[ -z "$name" || "$name" == \#* ]] && continue
            sha="$(sha256sum "$SCHEMA_DIR/$name" | cut -d' ' -f1)"
            cat <<PLAN
\\set script '$name'
SELECT NOT EXISTS (SELECT 1 FROM conferencecluster_schema_version WHERE script = :'script') AS missing \\gset
\\if :missing
  \\i '$SCHEMA_DIR/$name'
  INSERT INTO conferencecluster_schema_version (script, sha256, applied_by) VALUES (:'script', '$sha', 'scripts/postgres.sh');
  \\echo 'postgres.sh: applied' :script
\\else
  \\echo 'postgres.sh: already applied' :script
\\endif
PLAN
        done < "$SCHEMA_DIR/PostgreSQL.manifest"
    } > "$plan"
    if ! "$BIN_DIR/psql" -X -q -1 -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U "$SUPERUSER" -d "$database" -f "$plan" >&2; then
        rm -f "$plan"
        die "the cluster schema was not applied to $database (rolled back: nothing changed)"
    fi
    rm -f "$plan"
    log "cluster schema is applied to $database"
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
    schema) schema "${2:-$DATABASE}" ;;
    stop) stop ;;
    url) url ;;
    status) status ;;
    *) echo "usage: $0 start|schema [DATABASE]|stop|url|status" >&2; exit 2 ;;
esac
