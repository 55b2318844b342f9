#!/usr/bin/env bash
# The rollback workflow's first step: release-digests.sh SHA
# The digests ECR holds for a commit's release: one manifest list per image of infra/config/images.ts, tagged SHA by
# that commit's push job (tags are immutable, so a tag is still the list that was built, tested and pushed).
# Prints and appends to $GITHUB_OUTPUT: digests={"app":"sha256:…",…}, the push job's output shape, which
# deploy-env.sh then checks again and deploys. Exit 1 naming the first image ECR no longer has (the registry keeps
# shared.keepReleases releases per repository: infra/config). Reads with `aws ecr describe-images` in the shared
# account (NODEAPP_ACCOUNT_SHARED), the ECR action the deploy roles have (ecr:DescribeImages).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/images.sh
sha=${1:-}
[[ $sha =~ ^[0-9a-f]{40}$ ]] || { echo "usage: $0 SHA (a full 40-hex commit SHA, got '$sha')" >&2; exit 2; }
registry_id=()
if [ -n "${NODEAPP_ACCOUNT_SHARED:-}" ]; then registry_id=(--registry-id "$NODEAPP_ACCOUNT_SHARED"); fi
digests='{}'
while read -r name repository _rest; do
  digest=$(aws ecr describe-images "${registry_id[@]}" --repository-name "$repository" --image-ids "imageTag=$sha" \
    --query 'imageDetails[0].imageDigest' --output text 2>/dev/null) || digest=
  [[ $digest =~ ^sha256:[0-9a-f]{64}$ ]] ||
    { echo "$repository:$sha is not in ECR (got '$digest'): that release cannot be rolled back to" >&2; exit 1; }
  echo "$repository:$sha is $digest"
  digests=$(jq -c --arg n "$name" --arg d "$digest" '. + {($n): $d}' <<<"$digests")
done <<<"$(image_rows)"
echo "digests=$digests" | tee -a "${GITHUB_OUTPUT:-/dev/null}"
