#!/usr/bin/env bash
# A Switchboard cluster on this machine's loopback, for development: Redis, PostgreSQL, three nodes from the built
# fat jar and HAProxy in front of them.
#
#   deploy/local-cluster.sh [start]   start everything (build the jar first: ./mvnw -B -q package -DskipTests)
#   deploy/local-cluster.sh status    what runs, with the URLs
#   deploy/local-cluster.sh stop      stop everything (the data stays for the next start)
#   deploy/local-cluster.sh clean     stop and delete the data
#
# Needs redis-server, haproxy, the PostgreSQL server binaries (Debian: apt-get install redis-server haproxy postgresql)
# and curl. Works as a normal user and as root (PostgreSQL then runs as the postgres user).
#
# Environment (defaults in brackets): SB_CLUSTER_DIR [${TMPDIR:-/tmp}/switchboard-local-cluster], SB_LB_PORT [8080],
# SB_NODE_PORTS ["8081 8082 8083"], SB_REDIS_PORT [6380], SB_PG_PORT [5433], SB_STATS_PORT [8404],
# SB_JAR [server/target/switchboard.jar], SB_JAVA_OPTS [-Xmx384m], SB_NODE_ARGS (more flags for every node, e.g.
# "--demo true").
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${SB_CLUSTER_DIR:-${TMPDIR:-/tmp}/switchboard-local-cluster}"
# status, stop and clean use the ports the cluster was started with.
if [ "${1:-start}" != start ] && [ -f "$DIR/cluster.env" ]; then
  # shellcheck disable=SC1091
  . "$DIR/cluster.env"
fi
settings() {
  LB_PORT="${SB_LB_PORT:-8080}"
  read -r -a NODE_PORTS <<< "${SB_NODE_PORTS:-8081 8082 8083}"
  REDIS_PORT="${SB_REDIS_PORT:-6380}"
  PG_PORT="${SB_PG_PORT:-5433}"
  STATS_PORT="${SB_STATS_PORT:-8404}"
  JAR="${SB_JAR:-$ROOT/server/target/switchboard.jar}"
}
settings
JAVA_OPTS="${SB_JAVA_OPTS:--Xmx384m}"
PG_USER=switchboard
PG_DB=switchboard

say() { printf '%s\n' "$*"; }
die() { printf 'local-cluster: %s\n' "$*" >&2; exit 1; }

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pg_bin() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/pg_ctl" ] && { echo "$d"; return; }
  done
  command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/pg_ctl" ] && { pg_config --bindir; return; }
  command -v pg_ctl >/dev/null 2>&1 && { dirname "$(command -v pg_ctl)"; return; }
  return 1
}

# PostgreSQL refuses to run as root: run its tools as the postgres user then.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

random_secret() { head -c "$1" /dev/urandom | base64 | tr -d '\n/+=' | head -c "$2"; }

wait_http() { # url, seconds, what
  local i
  for ((i = 0; i < $2 * 5; i++)); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$1" 2>/dev/null || true)" = 200 ] && return 0
    sleep 0.2
  done
  return 1
}

start() {
  for tool in redis-server haproxy curl java; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found (Debian: apt-get install redis-server haproxy curl openjdk-17-jre-headless)"
  done
  local bin
  bin="$(pg_bin)" || die "PostgreSQL server binaries not found (Debian: apt-get install postgresql)"
  [ -f "$JAR" ] || die "no $JAR: build it first with ./mvnw -B -q package -DskipTests"
  if alive "$DIR/haproxy.pid"; then die "already running (deploy/local-cluster.sh status, or stop)"; fi
  local p
  for p in "$LB_PORT" "${NODE_PORTS[@]}" "$REDIS_PORT" "$PG_PORT" "$STATS_PORT"; do
    port_busy "$p" && die "port $p is in use on 127.0.0.1 (set SB_LB_PORT, SB_NODE_PORTS, SB_REDIS_PORT, SB_PG_PORT or SB_STATS_PORT)"
  done

  mkdir -p "$DIR"
  chmod 755 "$DIR"
  printf 'SB_LB_PORT=%q\nSB_NODE_PORTS=%q\nSB_REDIS_PORT=%q\nSB_PG_PORT=%q\nSB_STATS_PORT=%q\nSB_JAR=%q\n' \
    "$LB_PORT" "${NODE_PORTS[*]}" "$REDIS_PORT" "$PG_PORT" "$STATS_PORT" "$JAR" > "$DIR/cluster.env"
  # Secrets every node shares; owner-only, made once.
  [ -f "$DIR/admin.token" ] || (umask 077 && random_secret 48 32 > "$DIR/admin.token")
  [ -f "$DIR/jwt.secret" ] || (umask 077 && random_secret 96 64 > "$DIR/jwt.secret")

  say "Redis on 127.0.0.1:$REDIS_PORT"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --pidfile "$DIR/redis.pid" --logfile "$DIR/redis.log" --dir "$DIR" >/dev/null

  say "PostgreSQL on 127.0.0.1:$PG_PORT"
  mkdir -p "$DIR/pg"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$DIR/pg"
  if [ ! -f "$DIR/pg/data/PG_VERSION" ]; then
    as_pg "$bin/initdb" -D "$DIR/pg/data" -A trust -U "$PG_USER" --no-sync -E UTF8 --locale=C.UTF-8 >"$DIR/pg/initdb.log" 2>&1 \
      || die "initdb failed: see $DIR/pg/initdb.log"
  fi
  as_pg "$bin/pg_ctl" -w -t 30 -D "$DIR/pg/data" -l "$DIR/pg/postgres.log" \
    -o "-p $PG_PORT -k $DIR/pg -c listen_addresses=127.0.0.1" start >/dev/null || die "PostgreSQL did not start: see $DIR/pg/postgres.log"
  as_pg "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'" | grep -q 1 \
    || as_pg "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" "$PG_DB"

  local i=0 port
  for port in "${NODE_PORTS[@]}"; do
    i=$((i + 1))
    say "node$i on 127.0.0.1:$port"
    mkdir -p "$DIR/node$i"
    # Secrets in the environment, never on the command line.
    # shellcheck disable=SC2086
    SWITCHBOARD_ADMIN_TOKEN="$(cat "$DIR/admin.token")" SWITCHBOARD_JWT_SECRET="$(cat "$DIR/jwt.secret")" \
      nohup java $JAVA_OPTS -jar "$JAR" serve --host 127.0.0.1 --port "$port" --data-dir "$DIR/node$i" \
      --db-url "jdbc:postgresql://127.0.0.1:$PG_PORT/$PG_DB" --db-user "$PG_USER" \
      --redis-url "redis://127.0.0.1:$REDIS_PORT" --node-id "node$i" ${SB_NODE_ARGS:-} \
      >"$DIR/node$i.log" 2>&1 &
    echo $! > "$DIR/node$i.pid"
  done

  {
    cat <<EOF
global
  # No maxconn: HAProxy derives it from the file descriptor limit.

defaults
  mode http
  option redispatch
  retries 3
  timeout connect 2s
  timeout client 1h
  timeout server 1h
  # An upgraded WebSocket is a tunnel: it may stay quiet between heartbeats for a long time.
  timeout tunnel 1h
  timeout client-fin 5s
  timeout http-request 10s
  timeout check 2s

frontend switchboard
  bind 127.0.0.1:$LB_PORT
  default_backend nodes

backend nodes
  balance roundrobin
  # A draining or unready node answers 503 on /ready and leaves rotation within about a second.
  option httpchk
  http-check send meth GET uri /ready
  http-check expect status 200
  default-server inter 500ms fall 1 rise 2
EOF
    i=0
    for port in "${NODE_PORTS[@]}"; do
      i=$((i + 1))
      echo "  server node$i 127.0.0.1:$port check"
    done
    cat <<EOF

listen stats
  bind 127.0.0.1:$STATS_PORT
  stats enable
  stats uri /stats
EOF
  } > "$DIR/haproxy.cfg"
  say "HAProxy on 127.0.0.1:$LB_PORT"
  haproxy -D -p "$DIR/haproxy.pid" -f "$DIR/haproxy.cfg" >"$DIR/haproxy.log" 2>&1 || die "haproxy did not start: see $DIR/haproxy.log"

  i=0
  for port in "${NODE_PORTS[@]}"; do
    i=$((i + 1))
    for ((t = 0; t < 600; t++)); do
      [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/ready" 2>/dev/null || true)" = 200 ] && break
      # A node that exited (a bad setting, a busy port) is reported at once, with what it said.
      alive "$DIR/node$i.pid" || { tail -n 5 "$DIR/node$i.log" >&2; die "node$i exited during start-up: see $DIR/node$i.log"; }
      sleep 0.2
    done
    [ "$t" -lt 600 ] || die "node$i is not ready after 120 s: see $DIR/node$i.log"
  done
  wait_http "http://127.0.0.1:$LB_PORT/ready" 30 || die "the balancer has no node in rotation: see $DIR/haproxy.log"
  status
}

status() {
  local i=0 port state
  for port in "${NODE_PORTS[@]}"; do
    i=$((i + 1))
    if alive "$DIR/node$i.pid"; then state="running (pid $(cat "$DIR/node$i.pid")), /ready $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/ready" || true)"; else state="stopped"; fi
    say "node$i   http://127.0.0.1:$port  $state  log $DIR/node$i.log"
  done
  alive "$DIR/redis.pid" && say "redis   redis://127.0.0.1:$REDIS_PORT" || say "redis   stopped"
  alive "$DIR/haproxy.pid" && say "haproxy stats http://127.0.0.1:$STATS_PORT/stats" || say "haproxy stopped"
  say ""
  say "Load balancer:  http://127.0.0.1:$LB_PORT/console/   (WebSocket ws://127.0.0.1:$LB_PORT/ws?token=...)"
  [ -f "$DIR/admin.token" ] && say "Admin token:    $(cat "$DIR/admin.token")"
  say "Client token:   SWITCHBOARD_JWT_SECRET=\$(cat $DIR/jwt.secret) java -jar $JAR token alice"
  local dir_env=""
  [ -n "${SB_CLUSTER_DIR:-}" ] && dir_env="SB_CLUSTER_DIR=$DIR "
  say "Stop:           ${dir_env}deploy/local-cluster.sh stop    (delete the data too: ${dir_env}deploy/local-cluster.sh clean)"
}

stop() {
  local f i=0
  for port in "${NODE_PORTS[@]}"; do
    i=$((i + 1))
    f="$DIR/node$i.pid"
    if alive "$f"; then kill -TERM "$(cat "$f")"; fi
  done
  i=0
  for port in "${NODE_PORTS[@]}"; do
    i=$((i + 1))
    f="$DIR/node$i.pid"
    # A node drains (drain.delay + drain.window, 15 s by default) and stops within its shutdown.grace (30 s by
    # default); only a node still running after that is killed.
    for _ in $(seq 1 320); do alive "$f" || break; sleep 0.1; done
    alive "$f" && kill -KILL "$(cat "$f")"
    rm -f "$f"
  done
  if alive "$DIR/haproxy.pid"; then kill "$(cat "$DIR/haproxy.pid")"; fi
  rm -f "$DIR/haproxy.pid"
  if alive "$DIR/redis.pid"; then kill "$(cat "$DIR/redis.pid")"; fi
  if [ -f "$DIR/pg/data/postmaster.pid" ]; then
    local bin
    bin="$(pg_bin)" && as_pg "$bin/pg_ctl" -w -t 30 -D "$DIR/pg/data" -m fast stop >/dev/null 2>&1 || true
  fi
  say "Stopped (data kept in $DIR)."
}

case "${1:-start}" in
  start) start ;;
  status) status ;;
  stop) stop ;;
  clean) stop; rm -rf "$DIR"; say "Deleted $DIR." ;;
  -h|--help|help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) die "unknown command '$1' (start, status, stop, clean)" ;;
esac
