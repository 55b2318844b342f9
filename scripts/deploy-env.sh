#!/usr/bin/env bash
# What a deploy job runs: deploy-env.sh ENV (staging | prod).
# Env: IMAGE_TAG (the git SHA the push job tagged), IMAGE_DIGEST (the digest of the manifest list it pushed),
# ECR_REPOSITORY (nodeapp), NODEAPP_ACCOUNT_* (infra/config reads the accounts from them).
# Needs AWS credentials (OIDC) and `npm ci` done.
# 1. Refuses to deploy unless the tag in ECR is still exactly the image that was built and scanned (build once,
#    promote; the repository's tags are immutable, so this only fails on a wrong tag or repository).
# 2. Deploys NodeappRegistry and that environment's stacks (Nodeapp-<env>-*) with the image tag; never
#    NodeappGithubDeploy, whose role this job runs as (an administrator deploys it, docs/deploy.md).
# 3. Smoke-tests the Service stack's PublicUrl output; writes url=... to $GITHUB_OUTPUT for the environment link.
set -euo pipefail
cd "$(dirname "$0")/.."
env_name=${1:-}
case $env_name in
  staging | prod) ;;
  *) echo "usage: $0 staging|prod (got '$env_name')" >&2; exit 2 ;;
esac
: "${IMAGE_TAG:?IMAGE_TAG must be the git SHA of the image to deploy}"
: "${IMAGE_DIGEST:?IMAGE_DIGEST must be the digest the image job pushed}"
repository=${ECR_REPOSITORY:-nodeapp}

found=$(aws ecr describe-images --repository-name "$repository" --image-ids "imageTag=$IMAGE_TAG" \
  --query 'imageDetails[0].imageDigest' --output text)
if [ "$found" != "$IMAGE_DIGEST" ]; then
  echo "refusing to deploy: $repository:$IMAGE_TAG is $found, the pipeline built and scanned $IMAGE_DIGEST" >&2
  exit 1
fi
echo "deploying $repository:$IMAGE_TAG ($IMAGE_DIGEST) to $env_name"

outputs=$(mktemp)
trap 'rm -f "$outputs"' EXIT
# The contract deploy command: infra's deploy selects NodeappRegistry and Nodeapp-<env>-* (infra/bin/deploy.ts).
# cdk.json asks for approval of broadening changes, which a runner cannot give: the approval here is the GitHub
# environment's (production reviewers), so the job never prompts.
npm run deploy -w infra -- -c "env=$env_name" -c "imageTag=$IMAGE_TAG" --require-approval never \
  --outputs-file "$outputs"

url=$(node -e '
  const [file, stack] = process.argv.slice(1);
  const url = JSON.parse(require("node:fs").readFileSync(file, "utf8"))[stack]?.PublicUrl;
  if (!url) { console.error(`no PublicUrl output for ${stack} in ${file}`); process.exit(1); }
  console.log(url);' "$outputs" "Nodeapp-$env_name-Service")
if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "url=$url" >>"$GITHUB_OUTPUT"; fi
bash scripts/deploy-smoke.sh "$url"
