# Switchboard container image.
#
#   docker build -t switchboard .
#   docker run -d --name switchboard -p 8080:8080 -v switchboard-data:/data switchboard
#   docker run --rm -v switchboard-data:/data switchboard token alice --ttl 12h
#
# Configuration is by SWITCHBOARD_* environment variables (see `docker run --rm switchboard --help`).
# Change the port with SWITCHBOARD_PORT (not --port): the HEALTHCHECK reads that variable.
# On SIGTERM the server drains (drain.delay 5s, then closes over drain.window 10s) and stops within
# shutdown.grace (default 30s), longer than the default `docker stop` timeout of 10s: give
# `docker stop -t`/stop_grace_period a few seconds more than shutdown.grace.

# ---------------------------------------------------------------------------------------------------------
# Build stage: fat jar at /build/server/target/switchboard.jar
# ---------------------------------------------------------------------------------------------------------
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build

# Dependencies and plugins first, so this layer is reused until a pom changes.
# The dependency plugin is pinned (it otherwise varies with the Maven version of the image); go-offline
# leaves out the reactor's own modules, so server's dependency on console-ui does not need a prior install.
COPY pom.xml ./
COPY console-ui/pom.xml console-ui/
COPY client/pom.xml client/
COPY server/pom.xml server/
COPY bench/pom.xml bench/
RUN mvn -B -q org.apache.maven.plugins:maven-dependency-plugin:3.9.0:go-offline

# Sources. sql/ holds the Flyway migrations that the server module packs into the jar. client/ is in the reactor
# because the server's tests use the Java client; it is not part of the image.
COPY console-ui/ console-ui/
COPY client/ client/
COPY server/ server/
COPY sql/ sql/
COPY bench/ bench/
RUN mvn -B -DskipTests -pl server -am package

# ---------------------------------------------------------------------------------------------------------
# Runtime stage
# ---------------------------------------------------------------------------------------------------------
FROM eclipse-temurin:17-jre

# Fixed, non-root uid/gid so volume ownership is predictable (e.g. chown 10001:10001 on a bind mount).
RUN groupadd --gid 10001 switchboard \
    && useradd --uid 10001 --gid switchboard --no-log-init --no-create-home \
        --home-dir /app --shell /usr/sbin/nologin switchboard \
    && mkdir -p /data \
    && chown 10001:10001 /data \
    && chmod 0750 /data

WORKDIR /app
# Owned by root and read-only for the service user.
COPY --from=build /build/server/target/switchboard.jar /app/switchboard.jar

ENV SWITCHBOARD_DATA_DIR=/data \
    SWITCHBOARD_PORT=8080

# Embedded H2 database, generated admin token and client-token secret, lock file.
VOLUME ["/data"]

USER 10001:10001
EXPOSE 8080

# wget ships with the eclipse-temurin Ubuntu images (curl is not needed). GET, not HEAD: /health is a GET route.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD wget -q -O - -T 3 --tries=1 "http://127.0.0.1:${SWITCHBOARD_PORT}/health" | grep -q '"UP"' || exit 1

# Exec form: java is PID 1 and receives SIGTERM directly. The heap follows the container memory limit;
# on OutOfMemoryError the process exits so the restart policy can take over. GC: G1 (the JVM would pick Serial below
# 2 CPUs); after a collection the heap keeps 10-20% free rather than 40-70%, and an idle JVM collects after 60 s and
# returns unused memory, so that the resident memory follows the live connections (docs/benchmarks.md, scenario A).
# Extra JVM options: JAVA_TOOL_OPTIONS. Overriding ENTRYPOINT drops the base image's CA-certificate entrypoint
# (USE_SYSTEM_CA_CERTS); it is not needed here.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75.0", "-XX:+ExitOnOutOfMemoryError", "-XX:+UseG1GC", "-XX:MinHeapFreeRatio=10", \
            "-XX:MaxHeapFreeRatio=20", "-XX:G1PeriodicGCInterval=60000", "-jar", "/app/switchboard.jar"]
CMD ["serve"]
