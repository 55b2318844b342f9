#!/usr/bin/env bash
# The plan job: which images this commit still needs, and the image job's matrix (one leg per image and
# architecture, from infra/config/images.ts).
#   TAG=<git sha> [REGISTRY=<registry host>] [ARM64_RUNNER=...] bash scripts/image-plan.sh
# Re-runs are idempotent: an image whose <repository>:<TAG> already exists in REGISTRY (tags are immutable, and the
# push job tags the manifest list last, so the tag exists only once all of that image's pushes finished) is not
# built again; its digest is reused. Without REGISTRY (pull requests: no AWS access) every image is built.
# ARM64_RUNNER: unset or empty → arm64 legs on GitHub's native `ubuntu-24.04-arm`; `qemu` → on `ubuntu-24.04`
# under QEMU emulation (repository plans without arm64 runners); anything else → that runner label.
# Prints (and appends to $GITHUB_OUTPUT when set):
#   published={"<image>":"sha256:…",…}   matrix={"include":[{image,repository,dockerfile,context,platform,arch,runner,qemu},…]}
#   build=true|false (false: every image is published, nothing to build)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/images.sh
: "${TAG:?TAG must be the git SHA the images are tagged with}"
registry=${REGISTRY:-}

arm64_runner=${ARM64_RUNNER:-}
qemu=false
case $arm64_runner in
  '') arm64_runner=ubuntu-24.04-arm ;;
  qemu) arm64_runner=ubuntu-24.04 qemu=true ;;
esac

rows=$(image_rows) # a failure here stops the script (a process substitution would hide it)
published='{}'
legs='[]'
while read -r name repository dockerfile context _key; do
  if [ -n "$registry" ]; then
    status=0
    digest=$(manifest_digest_of "$registry/$repository:$TAG") || status=$?
    case $status in
      0)
        echo "$name: $registry/$repository:$TAG exists ($digest): reusing it, no build" >&2
        published=$(jq -c --arg n "$name" --arg d "$digest" '. + {($n): $d}' <<<"$published")
        continue
        ;;
      2) echo "$name: $registry/$repository:$TAG not published yet: building it" >&2 ;;
      *) echo "$name: cannot read $registry/$repository:$TAG (see above)" >&2; exit 1 ;;
    esac
  fi
  for arch in amd64 arm64; do
    runner=ubuntu-24.04 leg_qemu=false
    if [ "$arch" = arm64 ]; then runner=$arm64_runner leg_qemu=$qemu; fi
    legs=$(jq -c --arg image "$name" --arg repository "$repository" --arg dockerfile "$dockerfile" \
      --arg context "$context" --arg arch "$arch" --arg runner "$runner" --arg qemu "$leg_qemu" \
      '. + [{image: $image, repository: $repository, dockerfile: $dockerfile, context: $context,
             platform: ("linux/" + $arch), arch: $arch, runner: $runner, qemu: $qemu}]' <<<"$legs")
  done
done <<<"$rows"

build=true
if [ "$legs" = '[]' ]; then build=false; fi
{
  echo "published=$published"
  echo "matrix={\"include\":$legs}"
  echo "build=$build"
} | tee -a "${GITHUB_OUTPUT:-/dev/null}"
