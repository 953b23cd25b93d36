#!/usr/bin/env bash
# Builds the Delinkcious images, one per service, from deploy/docker/Dockerfile:
#   <REGISTRY>/delinkcious-<service>:<VERSION>
#
#   deploy/docker/build.sh                     every service
#   deploy/docker/build.sh link-service ...    only those
#
# REGISTRY  where the images go (default localhost:5000, as in
#           deploy/kubernetes/components/images)
# VERSION   the tag (default: the version in package.json); never "latest"
# PUSH      true to push each image after building it
# DOCKER    the docker command (default docker; `echo` shows what would run)
set -euo pipefail
cd "$(dirname "$0")/../.."

SERVICES=(api-gateway link-service social-graph-service user-service news-service link-checker)
REGISTRY="${REGISTRY:-localhost:5000}"
VERSION="${VERSION:-$(sed -n 's/^  "version": "\(.*\)",$/\1/p' package.json)}"
PUSH="${PUSH:-false}"
DOCKER="${DOCKER:-docker}"
REVISION="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)"

if [[ -z "$VERSION" || "$VERSION" == latest ]]; then
  echo "build.sh: VERSION must name a release (got \"${VERSION}\")" >&2
  exit 2
fi

selected=("$@")
if [[ ${#selected[@]} -eq 0 ]]; then selected=("${SERVICES[@]}"); fi
for service in "${selected[@]}"; do
  if [[ " ${SERVICES[*]} " != *" ${service} "* ]]; then
    echo "build.sh: unknown service \"${service}\"; known: ${SERVICES[*]}" >&2
    exit 2
  fi
done

for service in "${selected[@]}"; do
  image="${REGISTRY}/delinkcious-${service}:${VERSION}"
  echo "build.sh: ${image}" >&2
  "$DOCKER" build \
    --file deploy/docker/Dockerfile \
    --target "$service" \
    --build-arg "VERSION=${VERSION}" \
    --build-arg "REVISION=${REVISION}" \
    --build-arg "CREATED=${CREATED}" \
    --tag "$image" \
    .
  if [[ "$PUSH" == true ]]; then "$DOCKER" push "$image"; fi
done
