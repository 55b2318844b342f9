#!/usr/bin/env bash
# .ci/run's container step: build the guestbook's image and smoke-test it hardened from its contract, with its own
# checks (scripts/container-smoke.sh → app/container-smoke.sh), then the second service the platform deploys,
# examples/hello-express, from its contract, with the first engine that works here, or skip with the reason:
#   1. the offline container tool, when this machine has one (scripts/lib/offline-engine.sh: the offline machine this
#      repository is built on, where it installs podman and builds local stand-ins for the base images);
#   2. Docker from PATH, when its daemon answers (`docker info`);
#   3. Podman from PATH (`podman info`).
# None of them: skipped with how to get one; a failure instead under CI=true, where the image is part of the proof.
# NODEAPP_SKIP_CONTAINER_SMOKE=true skips on purpose (the workflow's test job: its image job smoke-tests with Docker).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${NODEAPP_SKIP_CONTAINER_SMOKE:-}" = true ]; then
  echo "container smoke test skipped: NODEAPP_SKIP_CONTAINER_SMOKE=true (CI's image job smoke-tests the image with Docker)"
  exit 0
fi

# Podman without systemd (a container, WSL, a CI box): its defaults talk to systemd (cgroup manager, journald
# events) and print `level=error … systemd` lines. podman's own check for systemd is /run/systemd/system, sd_booted(3).
# https://github.com/containers/common/blob/main/docs/containers.conf.5.md (cgroup_manager, events_logger)
podman_without_systemd() {
  if [ ! -d /run/systemd/system ] && [ -z "${CONTAINERS_CONF:-}" ]; then
    export CONTAINERS_CONF=$PWD/.ci/podman-without-systemd.conf
  fi
}

source scripts/lib/offline-engine.sh
if offline_tool=$(offline_engine_tool); then
  echo "container engine: podman, prepared by $offline_tool"
  # shellcheck source=/dev/null
  source "$offline_tool"
  engine=podman
  export SMOKE_UNPIN_BASES=true # its base images are stand-ins, without the official digests
elif command -v docker >/dev/null && docker info >/dev/null 2>&1; then
  echo "container engine: docker ($(command -v docker))"
  engine=docker
elif command -v podman >/dev/null && { podman_without_systemd; podman info >/dev/null 2>&1; }; then
  echo "container engine: podman ($(command -v podman)${CONTAINERS_CONF:+, CONTAINERS_CONF=$CONTAINERS_CONF})"
  engine=podman
else
  reason="no container engine (no offline container tool beside the clone, no running Docker, no working Podman)"
  how="install Docker (https://docs.docker.com/engine/install/) or Podman (apt-get install podman)"
  if [ "${CI:-}" = true ]; then
    echo "container smoke test FAILED: $reason; CI must provide one: $how, or set NODEAPP_SKIP_CONTAINER_SMOKE=true where another job smoke-tests the image" >&2
    exit 1
  fi
  echo "container smoke test skipped: $reason; to run it: $how"
  exit 0
fi

CONTAINER_ENGINE=$engine bash scripts/container-smoke.sh
CONTAINER_ENGINE=$engine bash scripts/container-smoke.sh --service examples/hello-express
