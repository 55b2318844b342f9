#!/usr/bin/env bash
# Local rehearsal of the workflow's plan, image, push and deploy-check jobs with a real Docker engine (Debian's
# docker.io, classic image store, like GitHub's runners), a real registry standing in for ECR (Debian's
# docker-registry, on loopback) and skopeo/buildah: it calls the same scripts/ files the workflow calls.
#   sudo bash scripts/image-rehearsal.sh          (.ci/run runs it; about 3-4 minutes on 2 cores)
# Per image of infra/config/images.ts, for linux/amd64: build → archive as BuildKit's type=docker writes it →
# image-load.sh (docker load + digest check) → image-smoke.sh → then push-images.sh (by digest + manifest list),
# image-plan.sh again (a re-run reuses every digest, builds nothing), push-images.sh again (pushes nothing),
# a push under `npm run up`'s local- tag first (the plan must still build the commit),
# image-digest-check.sh (deploy-env's guard) for the right digests and a wrong one, `docker pull` by list digest; the
# app image with zstd layers pushed by image-push.sh, and pull + start of both compressions timed.
# Negative controls: the app's archive in the old `type=oci` format must FAIL image-load.sh (docker load cannot read
# it; REHEARSAL_ARCHIVE=oci runs the whole rehearsal with that old format and stops at that step), and an archive
# changed after image-load.sh recorded its sha256 must FAIL image-push.sh before anything is pushed.
# Substitutions (docs/deploy.md, "workflow job → script → what proves it here"): podman/buildah builds instead of
# BuildKit (not packaged for Debian 12); the archive assembled from skopeo's dir: copy as containerd's exporter lays
# it out; local stand-ins for the base images (the offline container tool, scripts/lib/offline-engine.sh, for node and Debian, and
# below for prom/prometheus and prom/alertmanager from Debian's binaries; grafana/grafana has none, so Grafana is
# built, loaded and pushed but not smoke-tested); amd64 only (no arm64 emulation here).
# Without that tool (a plain clone, no offline base images) it skips with the reason; under CI=true it fails.
# NODEAPP_SKIP_CONTAINER_SMOKE=true (the GitHub test job) skips it: the workflow's own jobs run the scripts there.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
source scripts/lib/images.sh

say() { echo "[rehearsal +${SECONDS}s] $*"; }
current_step="setup"
# Every failure names the workflow step it rehearses.
trap 'status=$?; [ $status = 0 ] || echo "REHEARSAL FAILED at step: $current_step (exit $status)" >&2' ERR
step() { current_step=$*; say "step: $*"; }
skip_or_fail() {
  if [ "${CI:-}" = true ]; then echo "REHEARSAL FAILED: $1" >&2; exit 1; fi
  echo "rehearsal skipped: $1"
  exit 0
}

# The GitHub test job (no engine in its container) sets this: its image and push jobs run these scripts for real.
if [ "${NODEAPP_SKIP_CONTAINER_SMOKE:-}" = true ]; then
  echo "rehearsal skipped: NODEAPP_SKIP_CONTAINER_SMOKE=true (the workflow's image and push jobs run these scripts)"
  exit 0
fi
format=${REHEARSAL_ARCHIVE:-docker}
case $format in docker | oci) ;; *) echo "REHEARSAL_ARCHIVE must be docker or oci (got '$format')" >&2; exit 2 ;; esac
source scripts/lib/offline-engine.sh
engine_tool=$(offline_engine_tool) || skip_or_fail "no offline container tool beside the clone: the base images cannot be pulled on this machine's network (on a machine with Docker Hub access the workflow's image job is the test)"
[ "$(id -u)" = 0 ] || skip_or_fail "needs root (dockerd, registry): run it with sudo"
tools=(dockerd docker-registry skopeo buildah podman jq curl)
missing=()
for t in "${tools[@]}"; do command -v "$t" >/dev/null || missing+=("$t"); done
if [ ${#missing[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || skip_or_fail "missing ${missing[*]}: apt-get install docker.io docker-registry skopeo buildah podman jq curl"
  say "installing docker.io docker-registry skopeo buildah podman"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io docker-registry skopeo buildah podman jq curl >/dev/null
fi

work=$(mktemp -d /tmp/nodeapp-rehearsal.XXXXXX)
dockerd_pid=
registry_pid=
standins=()
cleanup() {
  if [ -n "$registry_pid" ]; then kill "$registry_pid" 2>/dev/null || true; wait "$registry_pid" 2>/dev/null || true; fi
  if [ -n "$dockerd_pid" ]; then
    kill "$dockerd_pid" 2>/dev/null || true
    wait "$dockerd_pid" 2>/dev/null || true
    umount "$work/docker-exec/netns/default" 2>/dev/null || true
  fi
  # The stand-in base tags must not outlive the rehearsal: another build on this machine would take them for the
  # official images (the layer cache stays).
  if [ ${#standins[@]} -gt 0 ]; then podman rmi -f "${standins[@]}" >/dev/null 2>&1 || true; fi
  # overlay2 layers still mounted (a container left behind by a failed step) would keep the folder busy.
  awk -v w="$work/" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r | xargs -r umount 2>/dev/null || true
  rm -rf "$work" 2>/dev/null || true
}
trap cleanup EXIT

step "engines: podman with the offline base images, Debian's dockerd (classic store), a registry for ECR"
# shellcheck source=/dev/null
source "$engine_tool" >/dev/null
# Debian's docker client is the engine's own version; a newer static client elsewhere on PATH is not what runs here.
docker() { /usr/bin/docker "$@"; }
export -f docker
# start_dockerd DRIVER: overlay2 as on the runners (and much faster than vfs); vfs where overlay mounts are refused.
start_dockerd() {
  dockerd --data-root "$work/docker-$1" --exec-root "$work/docker-exec" --pidfile "$work/docker.pid" \
    -H "unix://$work/docker.sock" --iptables=false --ip6tables=false --bridge=none --storage-driver="$1" \
    >"$work/dockerd-$1.log" 2>&1 &
  dockerd_pid=$!
  for _ in $(seq 1 100); do
    docker info >/dev/null 2>&1 && return 0
    kill -0 "$dockerd_pid" 2>/dev/null || break
    sleep 0.2
  done
  kill "$dockerd_pid" 2>/dev/null || true
  wait "$dockerd_pid" 2>/dev/null || true
  umount "$work/docker-exec/netns/default" 2>/dev/null || true
  dockerd_pid=
  return 1
}
export DOCKER_HOST="unix://$work/docker.sock"
start_dockerd overlay2 || start_dockerd vfs || { tail -n 20 "$work"/dockerd-*.log >&2; exit 1; }
say "docker engine $(docker version --format '{{.Server.Version}}'), storage driver $(docker info --format '{{.Driver}}')"
registry_port=$(node -e 's=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
mkdir -p "$work/registry"
printf 'version: 0.1\nstorage: {filesystem: {rootdirectory: %s}, delete: {enabled: false}}\nhttp: {addr: 127.0.0.1:%s}\n' \
  "$work/registry" "$registry_port" >"$work/registry.yml"
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$registry_port/v2/" >/dev/null && break; sleep 0.1; done
registry=127.0.0.1:$registry_port
export REGISTRY_TLS_VERIFY=false # plain HTTP on loopback only; on GitHub every registry call verifies TLS

step "base image stand-ins for prom/prometheus and prom/alertmanager (Debian's binaries; none exists for grafana/grafana)"
# standin IMAGE_REF DATA_DIR ENTRYPOINT [HOST_FILE IMAGE_PATH]...: a Debian slim image with host files at the
# official paths, laid out as the official image is (its Dockerfile's last lines): user nobody, DATA_DIR owned by
# nobody, declared a VOLUME and the working directory (Nodeapp's images replace ENTRYPOINT and CMD with their own).
standin() {
  local ref=$1 data=$2 entry=$3 ctx
  shift 3
  ctx=$(mktemp -d "$work/standin.XXXXXX")
  local copies=()
  while [ $# -gt 0 ]; do cp "$1" "$ctx/$(basename "$2")"; copies+=("COPY $(basename "$2") $2"); shift 2; done
  {
    echo "FROM docker.io/library/debian:bookworm-slim"
    printf '%s\n' "${copies[@]}"
    echo "RUN mkdir -p /etc/prometheus /etc/alertmanager $data && chown 65534:65534 $data"
    echo "USER 65534"
    echo "VOLUME [\"$data\"]"
    echo "WORKDIR $data"
    echo "ENTRYPOINT [\"$entry\"]"
  } >"$ctx/Dockerfile"
  podman build -q --pull=never --format docker -t "$ref" "$ctx" >/dev/null
  standins+=("$ref")
}
base_of() { awk 'toupper($1) == "FROM" { sub(/@sha256:[0-9a-f]+$/, "", $2); print $2; exit }' "$1"; }
standin "docker.io/$(base_of monitoring/prometheus/Dockerfile)" /prometheus /bin/prometheus \
  /usr/bin/prometheus /bin/prometheus /usr/bin/promtool /bin/promtool
# Debian's build reads its default notification templates from /usr/share/prometheus/alertmanager.
standin "docker.io/$(base_of monitoring/alertmanager/Dockerfile)" /alertmanager /bin/alertmanager \
  /usr/bin/prometheus-alertmanager /bin/alertmanager /usr/bin/amtool /bin/amtool \
  /usr/share/prometheus/alertmanager/default.tmpl /usr/share/prometheus/alertmanager/default.tmpl \
  /usr/share/prometheus/alertmanager/email.tmpl /usr/share/prometheus/alertmanager/email.tmpl
grafana_base=docker.io/$(base_of monitoring/grafana/Dockerfile)
mkdir -p "$work/grafana-standin"
printf 'FROM docker.io/library/debian:bookworm-slim\nRUN mkdir -p /etc/grafana\n' >"$work/grafana-standin/Dockerfile"
podman build -q --pull=never --format docker -t "$grafana_base" "$work/grafana-standin" >/dev/null
standins+=("$grafana_base")

# docker_archive IMAGE OUT NAME [zstd]: what BuildKit's type=docker exporter writes (containerd's archive exporter): an
# OCI layout (oci-layout, index.json, blobs/sha256/*) holding the Docker-media-type manifest, plus manifest.json for
# docker load. skopeo's dir: copy keeps podman's Docker manifest byte for byte (gzip layers, as BuildKit's default).
# With zstd: what the image job writes with compression=zstd,oci-mediatypes=true (the OCI manifest, zstd layers).
docker_archive() {
  local image=$1 out=$2 name=$3 d l m digest size config
  local compress=(--dest-compress)
  [ "${4:-}" = zstd ] && compress=(--format oci --dest-compress --dest-compress-format zstd)
  d=$(mktemp -d "$work/layout.XXXXXX")
  skopeo copy -q "${compress[@]}" "containers-storage:$image" "dir:$d/dir"
  mkdir -p "$d/oci/blobs/sha256"
  for f in "$d"/dir/*; do
    case $(basename "$f") in manifest.json | version) ;; *) mv "$f" "$d/oci/blobs/sha256/" ;; esac
  done
  m=$d/dir/manifest.json
  digest=sha256:$(sha256sum "$m" | cut -d' ' -f1)
  size=$(stat -c %s "$m")
  cp "$m" "$d/oci/blobs/sha256/${digest#sha256:}"
  printf '{"imageLayoutVersion":"1.0.0"}' >"$d/oci/oci-layout"
  jq -cn --arg d "$digest" --argjson s "$size" --arg mt "$(jq -r '.mediaType // "application/vnd.oci.image.manifest.v1+json"' "$m")" --arg n "docker.io/library/$name" \
    '{schemaVersion: 2, manifests: [{mediaType: $mt, digest: $d, size: $s,
      annotations: {"io.containerd.image.name": $n, "org.opencontainers.image.ref.name": ($n | split(":")[-1])}}]}' \
    >"$d/oci/index.json"
  config=$(jq -r '.config.digest' "$m")
  jq -c --arg n "$name" '[{Config: ("blobs/sha256/" + (.config.digest | ltrimstr("sha256:"))), RepoTags: [$n],
      Layers: [.layers[].digest | "blobs/sha256/" + ltrimstr("sha256:")]}]' "$m" >"$d/oci/manifest.json"
  [ -f "$d/oci/blobs/sha256/${config#sha256:}" ]
  (cd "$d/oci" && tar -cf "$out" oci-layout index.json manifest.json blobs) # member names as containerd writes them
  rm -rf "$d"
}

commit=$(git rev-parse HEAD 2>/dev/null || echo rehearsal)
tag=$commit
mkdir -p "$work/archives"
rows=$(image_rows)
while read -r name repository dockerfile context _key; do
  local_tag=$repository:ci # the workflow's LOCAL_IMAGE: <repository>:ci (image references are lowercase)
  step "image ($name, linux/amd64): build $dockerfile (podman, as build-push-action would)"
  # Base images pinned by digest (FROM name:tag@sha256:…) resolve to the local stand-ins by tag: the stand-ins cannot
  # have the official digests.
  sed -E 's/@sha256:[0-9a-f]{64}//g' "$dockerfile" >"$work/Dockerfile.$name"
  podman build -q --pull=never --format docker --platform linux/amd64 -f "$work/Dockerfile.$name" -t "localhost/$local_tag" \
    --build-arg "GIT_COMMIT=$commit" --build-arg "APP_VERSION=rehearsal" \
    --build-arg "BUILD_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)" --build-arg "SOURCE_URL=local" "$context" >/dev/null
  archive=$work/archives/$name-amd64.tar
  if [ "$format" = docker ]; then
    docker_archive "localhost/$local_tag" "$archive" "$local_tag"
  else
    podman save -q --format oci-archive -o "$archive" "localhost/$local_tag"
  fi
  step "image ($name, linux/amd64): scripts/image-load.sh (docker load of the $format archive)"
  bash scripts/image-load.sh "$archive" "$local_tag"
  if [ "$name" = grafana ]; then
    say "image (grafana): smoke test not rehearsed: no grafana/grafana stand-in here (docs/deploy.md)"
  else
    step "image ($name, linux/amd64): scripts/image-smoke.sh"
    bash scripts/image-smoke.sh "$name" "$local_tag" linux/amd64
  fi
  # The old format, for the negative control below: BuildKit's type=oci is an OCI layout without manifest.json.
  # And the app's layers in zstd, as the image job compresses them (pushed and pulled below: Docker 20.10 cannot
  # load or pull zstd layers, Docker 23.0 added them: https://github.com/moby/moby/pull/41759).
  if [ "$name" = app ]; then
    podman save -q --format oci-archive -o "$work/old-oci.tar" "localhost/$local_tag"
    mkdir -p "$work/zstd"
    docker_archive "localhost/$local_tag" "$work/zstd/app-amd64.tar" "$local_tag" zstd
    # Its sha256 recorded as image-load.sh records it on the runners (Docker 20.10 here cannot load zstd).
    (cd "$work/zstd" && sha256sum app-amd64.tar) >"$work/zstd/app-amd64.tar.sha256"
  fi
  podman rmi -f "localhost/$local_tag" >/dev/null 2>&1 || true
done <<<"$rows"

step "negative control: the old type=oci archive must fail scripts/image-load.sh"
if bash scripts/image-load.sh "$work/old-oci.tar" "$(image_field app repository):ci" >"$work/old.log" 2>&1; then
  echo "the old type=oci archive loaded: this rehearsal cannot tell the formats apart" >&2
  exit 1
fi
grep -q 'no such file or directory' "$work/old.log" || { cat "$work/old.log" >&2; exit 1; }
say "as on the runners: $(grep -m1 'no such file or directory' "$work/old.log")"

step "negative control: an archive changed after its scan must not be pushed (scripts/image-push.sh)"
mkdir -p "$work/tampered"
cp "$work/archives/app-amd64.tar" "$work/archives/app-amd64.tar.sha256" "$work/tampered/"
printf x >>"$work/tampered/app-amd64.tar" # still a valid tar (bytes after its end), no longer the scanned one
if bash scripts/image-push.sh app "$registry" tampered "$work/tampered/app-amd64.tar" >"$work/tampered.log" 2>&1; then
  echo "an archive changed after the scan was pushed" >&2
  exit 1
fi
grep -q 'changed since it was scanned' "$work/tampered.log" || { cat "$work/tampered.log" >&2; exit 1; }
say "refused as it should: $(grep -m1 'changed since' "$work/tampered.log")"

step "npm run up's push: scripts/push-images.sh under a local- tag; the plan must still build the commit"
# `npm run up` (infra/lib/up/steps/images.ts) pushes the tested archives with the same script under
# local-<commit>-<time>; the pipeline's plan looks up only :<commit>, so it must still plan every build.
local_tag=$(node --input-type=module -e '
  const { localTag } = await import("./infra/lib/up/steps/images.ts");
  console.log(localTag({ commit: process.argv[1], dirty: false }, new Date()));' "$commit")
PUSH_ARCHS=amd64 bash scripts/push-images.sh "$registry" "$local_tag" "$work/archives" >/dev/null
plan=$(TAG=$tag REGISTRY=$registry bash scripts/image-plan.sh 2>/dev/null)
[ "$(sed -n 's/^build=//p' <<<"$plan")" = true ] && [ "$(sed -n 's/^published=//p' <<<"$plan")" = '{}' ] ||
  { echo "the plan took :$local_tag for the release of $tag: $plan" >&2; exit 1; }
say "pushed :$local_tag; the plan still builds every image of $tag"

step "push: scripts/push-images.sh (each archive by digest, then the manifest list :$tag)"
out=$(PUSH_ARCHS=amd64 bash scripts/push-images.sh "$registry" "$tag" "$work/archives")
echo "$out"
digests=$(sed -n 's/^digests=//p' <<<"$out")

step "re-run: scripts/image-plan.sh finds every image published and plans no build"
plan=$(TAG=$tag REGISTRY=$registry bash scripts/image-plan.sh)
[ "$(sed -n 's/^build=//p' <<<"$plan")" = false ] || { echo "$plan" >&2; exit 1; }
published=$(sed -n 's/^published=//p' <<<"$plan")
[ "$(jq -S . <<<"$published")" = "$(jq -S . <<<"$digests")" ] || { echo "plan $published, pushed $digests" >&2; exit 1; }
again=$(PUBLISHED=$published PUSH_ARCHS=amd64 bash scripts/push-images.sh "$registry" "$tag" "$work/empty")
[ "$(sed -n 's/^digests=//p' <<<"$again")" = "$digests" ] || { echo "$again" >&2; exit 1; }

step "re-run failed jobs: the push job again with the first attempt's plan (nothing published): nothing pushed twice"
# The tags exist with exactly the tested digests: each image is found and kept, no list pushed again.
rerun=$(PUBLISHED='{}' PUSH_ARCHS=amd64 bash scripts/push-images.sh "$registry" "$tag" "$work/archives")
[ "$(sed -n 's/^digests=//p' <<<"$rerun")" = "$digests" ] || { echo "$rerun" >&2; exit 1; }
[ "$(grep -c 'not pushed again' <<<"$rerun")" -ge 1 ] || { echo "$rerun" >&2; exit 1; }
say "kept: $(grep -m1 'not pushed again' <<<"$rerun")"

step "deploy: scripts/image-digest-check.sh (deploy-env.sh's guard) against the registry"
NODEAPP_REGISTRY=$registry IMAGE_DIGESTS=$digests bash scripts/image-digest-check.sh "$tag"
wrong=$(jq -c '.app = "sha256:'"$(printf '0%.0s' $(seq 1 64))"'"' <<<"$digests")
if NODEAPP_REGISTRY=$registry IMAGE_DIGESTS=$wrong bash scripts/image-digest-check.sh "$tag" 2>"$work/wrong.log"; then
  echo "the digest check accepted a digest the registry does not have" >&2
  exit 1
fi
say "refused as it should: $(cat "$work/wrong.log")"

step "the pushed list resolves for Docker by digest (as ECS pulls <repository>@<digest>)"
app_digest=$(jq -r .app <<<"$digests")
docker pull -q "$registry/$(image_field app repository)@$app_digest"

step "zstd: the app image with zstd layers (OCI media types, as the image job writes it), pushed by scripts/image-push.sh"
app_repository=$(image_field app repository)
zstd_digest=$(GITHUB_OUTPUT='' bash scripts/image-push.sh app "$registry" "$tag-zstd" "$work/zstd/app-amd64.tar" | tail -n 1)
zstd_manifest=$(tar -xOf "$work/zstd/app-amd64.tar" index.json | jq -r '.manifests[0].digest')
# shellcheck disable=SC2046
layer_types=$(skopeo inspect --raw $(registry_tls_args --tls-verify) "docker://$registry/$app_repository@$zstd_manifest" |
  jq -r '.layers[].mediaType' | sort -u)
[ "$layer_types" = application/vnd.oci.image.layer.v1.tar+zstd ] || { echo "pushed layers are $layer_types" >&2; exit 1; }
layer_mb() { # layer_mb ARCHIVE: the compressed layers' total size in MB, from the archive's manifest
  local m
  m=$(tar -xOf "$1" index.json | jq -r '.manifests[0].digest')
  tar -xOf "$1" "blobs/${m/://}" | jq '[.layers[].size] | add / 1e6 | . * 10 | round / 10'
}
say "the registry serves $tag-zstd ($zstd_digest): zstd layers $(layer_mb "$work/zstd/app-amd64.tar") MB, gzip $(layer_mb "$work/archives/app-amd64.tar") MB"

step "pull + start: the app image from the registry into an empty store, run → ready (app/bench/container-start.ts)"
# Docker 20.10 (the engine here) pulls only gzip; podman pulls both, into a store of its own, so the two
# compressions compare on one engine. Each start pulls into a store without the image and removes it afterwards.
docker images -q | sort -u | xargs -r docker rmi -f >/dev/null
starts=${REHEARSAL_STARTS:-3}
STARTS=$starts CONTAINER_ENGINE=/usr/bin/docker PULL=true node app/bench/container-start.ts "$registry/$app_repository@$app_digest"
STARTS=$starts CONTAINER_ENGINE=podman ENGINE_ARGS="--root $work/pull-store/root --runroot $work/pull-store/run" PULL=true \
  PULL_ARGS="$(registry_tls_args --tls-verify)" node app/bench/container-start.ts \
  "$registry/$app_repository@$zstd_digest" "$registry/$app_repository@$app_digest"

say "rehearsal passed ($format archives): $(jq -c . <<<"$digests")"
