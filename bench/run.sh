#!/usr/bin/env bash
# Runs the Switchboard benchmarks (docs/benchmarks.md). Every argument goes to the harness, e.g.
#   bench/run.sh                      scenarios A-E at full scale (takes a while)
#   bench/run.sh F                    two nodes behind HAProxy vs one node (needs postgresql, redis-server, haproxy)
#   bench/run.sh B C --quick          fan-out and the rate sweep at a tenth of the scale
#   bench/run.sh C --C.rates=1,2,4 --jfr=60s --jfr-delay=10s
# Environment:
#   BENCH_BUILD=auto|always|never     build missing or stale jars (auto), always, or never
#   BENCH_JAVA_OPTS                   JVM options of the load generator (default -Xmx3g)
#   BENCH_NOFILE                      open-files limit to ask for (default 200000)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf 'run.sh: %s\n' "$*" >&2; }

# --- open files: every connection is one descriptor in the generator and one in the server -------------------
want="${BENCH_NOFILE:-200000}"
hard="$(ulimit -Hn)"
if [ "$hard" != unlimited ] && [ "$hard" -lt "$want" ]; then
  if ulimit -Hn "$want" 2>/dev/null; then
    hard="$want"
  else
    say "could not raise the hard open-files limit from $hard to $want (needs root with CAP_SYS_RESOURCE, or"
    say "  a higher 'nofile' in /etc/security/limits.conf / the container's --ulimit); steps that need more"
    say "  than about $((hard - 1024)) connections will be skipped (--force tries them anyway)"
  fi
fi
soft="$want"
if [ "$hard" != unlimited ] && [ "$hard" -lt "$soft" ]; then soft="$hard"; fi
if ! ulimit -n "$soft" 2>/dev/null; then
  say "could not raise the open-files limit to $soft; it stays $(ulimit -n)"
fi
say "open-files limit $(ulimit -n) (hard $(ulimit -Hn)); ephemeral ports $(tr '\t' '-' </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo '?') per source address"

# --- build if needed ------------------------------------------------------------------------------------------
mvn_cmd=(./mvnw -B -q)
server_jar=server/target/switchboard.jar
bench_jar=bench/target/switchboard-bench.jar
build="${BENCH_BUILD:-auto}"
newer_than() { # newer_than JAR PATH...: is any file under PATH newer than JAR?
  local jar="$1"; shift
  [ -n "$(find "$@" -type f -newer "$jar" -print -quit 2>/dev/null)" ]
}
if [ "$build" != never ]; then
  if [ "$build" = always ] || [ ! -f "$server_jar" ] || newer_than "$server_jar" server/src/main server/pom.xml sql console-ui/src/main; then
    say "building the server ($server_jar)"
    "${mvn_cmd[@]}" -pl server -am package -DskipTests
  fi
  if [ "$build" = always ] || [ ! -f "$bench_jar" ] || newer_than "$bench_jar" bench/src/main bench/pom.xml; then
    say "building the bench ($bench_jar)"
    "${mvn_cmd[@]}" -pl bench package -DskipTests
  fi
fi
for jar in "$server_jar" "$bench_jar"; do
  [ -f "$jar" ] || { say "missing $jar (BENCH_BUILD=never?)"; exit 2; }
done

# shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of options
exec java ${BENCH_JAVA_OPTS:--Xmx3g} -jar "$bench_jar" "$@"
