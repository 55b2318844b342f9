#!/usr/bin/env bash
# The deploy jobs' promotion guard: image-digest-check.sh TAG
# IMAGE_DIGESTS (JSON {"app":"sha256:…",…}, the push job's output) must name every image of infra/config/images.ts,
# and each <repository>:TAG in the registry must still be exactly that digest (the list the pipeline built, tested and
# pushed). In AWS: `aws ecr describe-images` in the shared account (NODEAPP_ACCOUNT_SHARED), the one ECR action the
# deploy roles have (ecr:DescribeImages). With NODEAPP_REGISTRY=<host:port> (the local rehearsal's stand-in for ECR)
# the same comparison reads the registry with skopeo instead.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/images.sh
if [ $# -ne 1 ]; then
  echo "usage: $0 TAG" >&2
  exit 2
fi
tag=$1
: "${IMAGE_DIGESTS:?IMAGE_DIGESTS must be the push job output, JSON {\"app\":\"sha256:…\",…}}"
jq -e 'type == "object"' <<<"$IMAGE_DIGESTS" >/dev/null 2>&1 || { echo "IMAGE_DIGESTS is not a JSON object: $IMAGE_DIGESTS" >&2; exit 1; }
rows=$(image_rows)
# Every image first: a missing digest is a pipeline fault, named before any registry call.
while read -r name _rest; do
  want=$(jq -r --arg n "$name" '.[$n] // empty' <<<"$IMAGE_DIGESTS")
  [[ $want =~ ^sha256:[0-9a-f]{64}$ ]] || { echo "IMAGE_DIGESTS has no digest for $name (got '$want')" >&2; exit 1; }
done <<<"$rows"
while read -r name repository _rest; do
  want=$(jq -r --arg n "$name" '.[$n]' <<<"$IMAGE_DIGESTS")
  if [ -n "${NODEAPP_REGISTRY:-}" ]; then
    found=$(manifest_digest_of "$NODEAPP_REGISTRY/$repository:$tag") || found="(not found)"
  else
    registry_id=()
    if [ -n "${NODEAPP_ACCOUNT_SHARED:-}" ]; then registry_id=(--registry-id "$NODEAPP_ACCOUNT_SHARED"); fi
    found=$(aws ecr describe-images "${registry_id[@]}" --repository-name "$repository" --image-ids "imageTag=$tag" \
      --query 'imageDetails[0].imageDigest' --output text)
  fi
  if [ "$found" != "$want" ]; then
    echo "refusing to deploy: $repository:$tag is $found, the pipeline built and tested $want" >&2
    exit 1
  fi
  echo "ok $repository:$tag is $want"
done <<<"$rows"
