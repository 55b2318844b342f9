#!/usr/bin/env bash
# What a deploy job runs: deploy-env.sh ENV (staging | prod). Env: IMAGE_TAG (the git SHA the image job pushed),
# IMAGE_DIGEST (the digest it reported). Needs AWS credentials (OIDC in the workflow) and `npm ci` done.
# 1. Refuses to deploy unless the tag in ECR is still exactly the image that was built and scanned (build once, promote).
# 2. Deploys that environment's stacks with the image tag.
# 3. Smoke-tests the Service stack's PublicUrl; writes url=... to $GITHUB_OUTPUT for the environment link.
set -euo pipefail
cd "$(dirname "$0")/.."
env_name=${1:-}
case $env_name in
  staging | prod) ;;
  *) echo "usage: $0 staging|prod (got '$env_name')" >&2; exit 2 ;;
esac
: "${IMAGE_TAG:?IMAGE_TAG must be the git SHA of the image to deploy}"
: "${IMAGE_DIGEST:?IMAGE_DIGEST must be the digest the image job pushed}"

repo_uri=$(bash scripts/stack-output.sh NodeappRegistry RepositoryUri)
found=$(aws ecr describe-images --repository-name "${repo_uri#*/}" --image-ids "imageTag=$IMAGE_TAG" \
  --query 'imageDetails[0].imageDigest' --output text)
if [ "$found" != "$IMAGE_DIGEST" ]; then
  echo "refusing to deploy: $repo_uri:$IMAGE_TAG is $found, the pipeline built and scanned $IMAGE_DIGEST" >&2
  exit 1
fi
echo "deploying $repo_uri:$IMAGE_TAG ($IMAGE_DIGEST) to $env_name"

npm run deploy -w infra -- -c "env=$env_name" -c "imageTag=$IMAGE_TAG"

url=$(bash scripts/stack-output.sh "Nodeapp-$env_name-Service" PublicUrl)
if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "url=$url" >>"$GITHUB_OUTPUT"; fi
bash scripts/deploy-smoke.sh "$url"
