#!/usr/bin/env bash
# CI: builds the Delinkcious image and runs every service from it as its pod
# would, then `delinkcious smoke` (from the same image) against that deployment.
#
#  1. a private Docker engine (Debian's docker.io): its own data root, exec
#     root, pid file and socket, so it never meets another dockerd;
#  2. the base image built locally (deploy/docker/base-image.sh: debootstrap
#     minbase + the Node.js LTS from the npm registry; no registry is reachable),
#     then the image with the classic builder (BuildKit would pull its frontend);
#  3. the containers and their environment from the rendered manifests
#     (deploy/docker/pod-runs.ts): read-only root, tmpfs for each emptyDir,
#     uid 10001, no capabilities, no privilege escalation, ConfigMaps and
#     Secrets (CI stand-ins) as env files, host networking on 127.0.0.1;
#     the machine's PostgreSQL (databases ci_image_*, dropped again) and Redis
#     (database 9, emptied again), and a private nats-server of the machine's
#     binary (its own port and store, so the suite's streams are never shared;
#     requiring the Secret nats-auth's password, as the pod's nats.conf does);
#  4. the migration Jobs, then every service; two users signed in through the
#     local sign-in (the one setting changed from the manifests: DEV_LOGIN=true,
#     since no GitHub is reachable), an API token each, and the smoke test.
# Every container, the nats-server, the databases and the dockerd are removed at exit.
#
# Images stay in the data root between runs (the next build reuses its layers).
#
# CI_IMAGE_TARGET  the render whose ConfigMaps the containers get (default base)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
started=$SECONDS

state=/run/delinkcious-ci-docker
data_root=/var/lib/delinkcious-docker
export DOCKER_HOST="unix://$state/docker.sock"
export DOCKER_BUILDKIT=0
work="$(mktemp -d /tmp/delinkcious-ci-image.XXXXXX)"
chmod 755 "$work"
image="delinkcious-ci:$(git rev-parse --short HEAD 2>/dev/null || echo dev)"
nats_port=14222
db_prefix=ci_image_
databases=(link_manager social_graph_manager user_manager)
redis_db=9
nats_pid=""
dockerd_pid=""

log() { echo "ci-image: $*" >&2; }
psql_admin() { PGOPTIONS="-c client_min_messages=warning" psql -q -v ON_ERROR_STOP=1 "postgres://postgres@127.0.0.1:5432/postgres" -c "$1" >/dev/null; }

cleanup() {
  status=$?
  if [ -S "$state/docker.sock" ]; then
    if [ "$status" -ne 0 ]; then
      for name in $(docker ps -a --filter name=delinkcious-ci- --format '{{.Names}}' 2>/dev/null); do
        log "--- last logs of $name"; docker logs --tail 20 "$name" 2>&1 | sed 's/^/  /' >&2 || true
      done
    fi
    docker ps -aq --filter name=delinkcious-ci- | xargs -r docker rm -f >/dev/null 2>&1 || true
  fi
  if [ -n "$dockerd_pid" ]; then
    kill "$dockerd_pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.25; done
  fi
  if [ -n "$nats_pid" ]; then kill "$nats_pid" 2>/dev/null || true; fi
  for db in "${databases[@]}"; do psql_admin "DROP DATABASE IF EXISTS ${db_prefix}${db} WITH (FORCE)" || true; done
  redis-cli -n "$redis_db" FLUSHDB >/dev/null 2>&1 || true
  rm -rf "$work"
  log "done in $((SECONDS - started))s (exit $status)"
}
trap cleanup EXIT

wait_until() { # what seconds command...
  local what=$1 limit=$2; shift 2
  for _ in $(seq 1 $((limit * 4))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.25; done
  log "$what did not happen within ${limit}s"
  return 1
}

# 1. The engine: dockerd is what must be there (a docker CLI alone is not enough).
for tool in dockerd:docker.io debootstrap:debootstrap; do
  command -v "${tool%%:*}" >/dev/null || { log "installing ${tool##*:}"; apt-get update -qq && apt-get install -y -qq "${tool##*:}" >/dev/null; }
done
mkdir -p "$state"
if ! docker info >/dev/null 2>&1; then
  log "starting dockerd (data root $data_root)"
  dockerd --data-root "$data_root" --exec-root "$state/exec" --pidfile "$state/dockerd.pid" \
    --host "$DOCKER_HOST" >"$work/dockerd.log" 2>&1 &
  dockerd_pid=$!
  wait_until "dockerd" 60 docker info || { tail -20 "$work/dockerd.log" >&2; exit 1; }
fi

# 2. The images.
t=$SECONDS
base="$(deploy/docker/base-image.sh)"
log "base image $base ($((SECONDS - t))s)"
t=$SECONDS
docker build --quiet --network host --file deploy/docker/Dockerfile --build-arg "NODE_IMAGE=$base" \
  --build-arg "REVISION=$(git rev-parse HEAD 2>/dev/null || echo unknown)" --tag "$image" . >/dev/null
# Earlier builds' images (their tags moved on) would fill the data root.
docker image prune --force >/dev/null
log "image $image built ($((SECONDS - t))s, $(docker image inspect --format '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}'))"

# 3. What the containers use.
for db in "${databases[@]}"; do
  psql_admin "DROP DATABASE IF EXISTS ${db_prefix}${db} WITH (FORCE)"
  psql_admin "CREATE DATABASE ${db_prefix}${db}"
done
redis-cli -n "$redis_db" FLUSHDB >/dev/null

# Starts with letters: nats-server reads the variable as a config value, and a bare hex like 12e4… is a number to it.
nats_password="pw$(openssl rand -hex 24)"
POD_RUNS_TARGET="${CI_IMAGE_TARGET:-base}" POD_RUNS_DB_PREFIX="$db_prefix" \
POD_RUNS_REDIS="redis://127.0.0.1:6379/$redis_db" POD_RUNS_NATS="nats://127.0.0.1:$nats_port" \
POD_RUNS_NATS_PASSWORD="$nats_password" \
POD_RUNS_OVERRIDES=DEV_LOGIN=true \
  node --import tsx deploy/docker/pod-runs.ts "$work/pods" >"$work/pods.list"
# NATS requires the user and password of the Secret nats-auth, with the pod's nats.conf (the rendered ConfigMap).
start_nats() {
  NATS_USER=delinkcious NATS_PASSWORD="$nats_password" \
    /usr/sbin/nats-server -c "$work/pods/nats.conf" -a 127.0.0.1 -p "$nats_port" -js -sd "$work/nats" >>"$work/nats.log" 2>&1 &
  nats_pid=$!
  wait_until "nats-server on $nats_port" 30 bash -c "exec 3<>/dev/tcp/127.0.0.1/$nats_port"
}
# Once it did not listen within 30 s, right after the base image was built: its log says why, and a second start follows.
if ! start_nats; then
  tail -20 "$work/nats.log" >&2
  kill "$nats_pid" 2>/dev/null || true
  start_nats || { tail -20 "$work/nats.log" >&2; exit 1; }
fi

# 4. Jobs to completion, then the services.
t=$SECONDS
while read -r pod; do
  mapfile -t spec <"$work/pods/$pod.args"
  split=0; while [ "${spec[$split]}" != -- ]; do split=$((split + 1)); done
  options=("${spec[@]:0:$split}") args=("${spec[@]:$((split + 1))}")
  if [[ "$pod" == *-migrate ]]; then
    docker run --rm "${options[@]}" "$image" "${args[@]}" >&2
  else
    docker run --detach "${options[@]}" "$image" "${args[@]}" >/dev/null
  fi
done <"$work/pods.list"
# Every readiness probe, as Kubernetes would before sending traffic.
probe() { # url
  case "$1" in
    http://*) curl -fsS --max-time 2 "$1" ;;
    tcp://*) local address=${1#tcp://}; (exec 3<>"/dev/tcp/${address%:*}/${address##*:}") ;;
  esac
}
for ready in "$work"/pods/*.ready; do
  wait_until "$(basename "$ready" .ready) to be ready" 120 probe "$(cat "$ready")"
done
gateway="$(sed 's#/readyz$##' "$work/pods/api-gateway.ready")"
for name in $(docker ps -a --filter name=delinkcious-ci- --filter status=exited --format '{{.Names}}'); do
  log "$name exited"; exit 1
done
log "$(wc -l <"$work/pods.list") pods from the image, ready ($((SECONDS - t))s)"

# Two users and an API token each, as an operator makes them for the smoke Job.
api_token() { # username
  local session
  session="$(curl -fsS -H 'content-type: application/json' -d "{\"username\":\"$1\"}" "$gateway/login/dev" \
    | node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(0, "utf8")).access_token)')"
  curl -fsS -H "authorization: Bearer $session" -H 'content-type: application/json' -d '{"name":"smoke"}' "$gateway/v1/tokens" \
    | node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(0, "utf8")).access_token)'
}
smoke_token="$(api_token ci-smoke-saver)"
smoke_token2="$(api_token ci-smoke-follower)"

t=$SECONDS
docker run --rm --network host --read-only --user 10001:10001 --cap-drop ALL --security-opt no-new-privileges \
  --env SMOKE_TOKEN="$smoke_token" --env SMOKE_TOKEN2="$smoke_token2" \
  "$image" smoke --url "$gateway" --timeout 60s >&2
log "smoke passed against the image's pods ($((SECONDS - t))s)"
