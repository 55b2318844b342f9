#!/usr/bin/env bash
# What a deploy job runs: deploy-env.sh ENV (staging | prod).
# Env: IMAGE_TAG (the git SHA the push job tagged; only the version label in the stacks), IMAGE_DIGESTS (the push
# job's JSON {"app":"sha256:…","prometheus":…}: one manifest-list digest per image of infra/config/images.ts),
# NODEAPP_ACCOUNT_* (infra/config reads the accounts from them). Needs AWS credentials (OIDC) and `npm ci` done.
# 1. Refuses to deploy unless every <repository>:<tag> in ECR is still exactly the digest that was built, tested and
#    pushed (scripts/image-digest-check.sh; build once, promote).
# 2. Deploys that environment's stacks with every digest (`-c <name>ImageDigest=…`, the contract of
#    infra/config/images.ts; infra references <repository>@<digest>, never a tag); `npm run deploy` runs the
#    preflight first and never deploys NodeappGithubDeploy, whose role this job runs as.
# 3. Smoke-tests the Service stack's PublicUrl output; writes url=... to $GITHUB_OUTPUT for the environment link.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/images.sh
env_name=${1:-}
case $env_name in
  staging | prod) ;;
  *) echo "usage: $0 staging|prod (got '$env_name')" >&2; exit 2 ;;
esac
: "${IMAGE_TAG:?IMAGE_TAG must be the git SHA of the images to deploy}"
: "${IMAGE_DIGESTS:?IMAGE_DIGESTS must be the push job output, JSON {\"app\":\"sha256:…\",…}}"

bash scripts/image-digest-check.sh "$IMAGE_TAG"
digest_args=()
rows=$(image_rows)
while read -r name _repository _dockerfile _context key; do
  digest_args+=(-c "$key=$(jq -r --arg n "$name" '.[$n]' <<<"$IMAGE_DIGESTS")")
done <<<"$rows"
echo "deploying $IMAGE_TAG to $env_name: ${digest_args[*]}"

outputs=$(mktemp)
trap 'rm -f "$outputs"' EXIT
# The contract deploy command: infra's deploy selects NodeappRegistry and Nodeapp-<env>-* (infra/bin/deploy.ts).
# cdk.json asks for approval of broadening changes, which a runner cannot give: the approval here is the GitHub
# environment's (production reviewers), so the job never prompts.
npm run deploy -w infra -- -c "env=$env_name" -c "imageTag=$IMAGE_TAG" "${digest_args[@]}" --require-approval never \
  --outputs-file "$outputs"

url=$(node -e '
  const [file, stack] = process.argv.slice(1);
  const url = JSON.parse(require("node:fs").readFileSync(file, "utf8"))[stack]?.PublicUrl;
  if (!url) { console.error(`no PublicUrl output for ${stack} in ${file}`); process.exit(1); }
  console.log(url);' "$outputs" "Nodeapp-$env_name-Service")
if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "url=$url" >>"$GITHUB_OUTPUT"; fi
bash scripts/deploy-smoke.sh "$url"
