#!/usr/bin/env bash
# The push job: push-images.sh REGISTRY TAG ARCHIVE_DIR
# For every image of infra/config/images.ts: reuse the digest the plan job found already published under TAG
# (PUBLISHED, JSON {"<image>":"sha256:…"}: a re-run pushes nothing twice), or push the archives the image legs tested,
# ARCHIVE_DIR/<image>-amd64.tar and ARCHIVE_DIR/<image>-arm64.tar, with scripts/image-push.sh.
# PUSH_ARCHS (default "amd64 arm64"): the architectures every image must have; the rehearsal, which can only build
# amd64, sets amd64.
# Prints and appends to $GITHUB_OUTPUT: digests={"app":"sha256:…","prometheus":…} (every image, or exit 1).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/images.sh
if [ $# -ne 3 ]; then
  echo "usage: $0 REGISTRY TAG ARCHIVE_DIR" >&2
  exit 2
fi
registry=$1 tag=$2 dir=$3
published=${PUBLISHED:-'{}'}
jq -e 'type == "object"' <<<"$published" >/dev/null || { echo "PUBLISHED must be a JSON object, got: $published" >&2; exit 1; }
rows=$(image_rows)
digests='{}'
while read -r name _rest; do
  digest=$(jq -r --arg n "$name" '.[$n] // empty' <<<"$published")
  if [ -n "$digest" ]; then
    echo "$name: already published as :$tag ($digest), not pushed again"
  else
    archives=()
    for arch in ${PUSH_ARCHS:-amd64 arm64}; do
      [ -f "$dir/$name-$arch.tar" ] || { echo "$name: no tested archive $dir/$name-$arch.tar" >&2; exit 1; }
      archives+=("$dir/$name-$arch.tar")
    done
    # image-push.sh says what it did (pushed, or kept a tag that already names these digests) and ends with the digest.
    out=$(GITHUB_OUTPUT='' bash scripts/image-push.sh "$name" "$registry" "$tag" "${archives[@]}")
    sed '$d' <<<"$out"
    digest=$(tail -n 1 <<<"$out")
  fi
  [[ $digest =~ ^sha256:[0-9a-f]{64}$ ]] || { echo "$name: no digest (got '$digest')" >&2; exit 1; }
  digests=$(jq -c --arg n "$name" --arg d "$digest" '. + {($n): $d}' <<<"$digests")
done <<<"$rows"
echo "digests=$digests" | tee -a "${GITHUB_OUTPUT:-/dev/null}"
