# PostgreSQL and Redis on loopback, for the multi-instance tests, benchmarks and `run.sh --cluster`.
# Sourced after lib.sh. Each start is a no-op when the server already answers.

SERVICES_DIR="${MD_SERVICES_DIR:-${TMPDIR:-/tmp}/mini-discord-services}"
# Below the kernel's ephemeral range (32768 and up): after a load run with thousands of sockets,
# a port in that range can still be held by a closing client connection.
PG_PORT="${MD_PG_PORT:-25432}"

ensure_services_installed() {
  apt_install postgresql redis-server
}

pg_bin() {
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  [ -n "$bin" ] || { echo "PostgreSQL binaries not found under /usr/lib/postgresql" >&2; exit 1; }
  echo "$bin"
}

# Runs a PostgreSQL command as a user it accepts: it refuses to run as root.
as_pg_user() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Starts a throwaway cluster (trust auth, loopback only) and prints its admin URL.
start_postgres() {
  local bin dir="$SERVICES_DIR/pg-$PG_PORT"
  bin="$(pg_bin)"
  if ! as_pg_user "$bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir" && chmod 700 "$dir"
    if [ ! -f "$dir/PG_VERSION" ]; then
      log "initdb $dir"
      as_pg_user "$bin/initdb" -D "$dir" -U postgres -A trust --no-sync >/dev/null
    fi
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    as_pg_user "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
      -o "-p $PG_PORT -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off" start >/dev/null
  fi
  echo "postgres://postgres@127.0.0.1:$PG_PORT/postgres"
}

# The process id of the cluster started above (its postmaster; `loadgen --cpu-watch` adds the
# backends, its children).
postgres_pid() {
  head -1 "$SERVICES_DIR/pg-$PG_PORT/postmaster.pid" 2>/dev/null || true
}

stop_postgres() {
  local dir="$SERVICES_DIR/pg-$PG_PORT"
  [ -f "$dir/postmaster.pid" ] && as_pg_user "$(pg_bin)/pg_ctl" -D "$dir" -m fast stop >/dev/null || true
}

# Creates database $1 (dropping an older one of that name) and prints its URL.
fresh_database() {
  local name="$1" bin
  bin="$(pg_bin)"
  PGOPTIONS="-c client_min_messages=warning" "$bin/psql" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres \
    -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" -c "CREATE DATABASE \"$name\"" >/dev/null
  echo "postgres://postgres@127.0.0.1:$PG_PORT/$name"
}

# Starts a Redis without persistence on port $1 and prints its URL.
start_redis() {
  local port="$1" dir="$SERVICES_DIR/redis-$1"
  mkdir -p "$dir"
  if ! redis-cli -p "$port" ping >/dev/null 2>&1; then
    log "starting Redis on 127.0.0.1:$port"
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
      --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
    for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
    redis-cli -p "$port" ping >/dev/null 2>&1 || { echo "Redis on port $port did not start" >&2; exit 1; }
  fi
  echo "redis://127.0.0.1:$port"
}

# The process id of the Redis answering on port $1 (empty if none does).
redis_pid() {
  redis-cli -p "$1" info server 2>/dev/null | awk -F: '/^process_id:/ { print $2 + 0 }'
}

stop_redis() {
  redis-cli -p "$1" shutdown nosave >/dev/null 2>&1 || true
}

# Creates database $1 unless it exists (keeping its data) and prints its URL.
ensure_database() {
  local name="$1" bin
  bin="$(pg_bin)"
  if ! "$bin/psql" -qtA -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres \
      -c "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1; then
    "$bin/psql" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -c "CREATE DATABASE \"$name\"" >/dev/null
  fi
  echo "postgres://postgres@127.0.0.1:$PG_PORT/$name"
}
