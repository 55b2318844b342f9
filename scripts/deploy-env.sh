#!/usr/bin/env bash
# What a deploy job runs: deploy-env.sh ENV (staging | prod).
# Env: IMAGE_TAG (the git SHA the push job tagged; only the version label in the stacks), IMAGE_DIGESTS (the push
# job's JSON {"app":"sha256:…","prometheus":…}: one manifest-list digest per image of infra/config/images.ts),
# NODEAPP_ACCOUNT_* (infra/config reads the accounts from them). Needs AWS credentials (OIDC) and `npm ci` done.
# 1. Refuses to deploy unless every <repository>:<tag> in ECR is still exactly the digest that was built, tested and
#    pushed (scripts/image-digest-check.sh; build once, promote).
# 2. Runs the release's migrate command as a one-off ECS task and waits for its exit code, before any task of the
#    release starts (`npm run release -w infra -- migrate`: infra/lib/release/migrate-task.ts); a failure stops here.
# 3. Deploys that environment's stacks with every digest (`-c <name>ImageDigest=…`, the contract of
#    infra/config/images.ts; infra references <repository>@<digest>, never a tag); `npm run deploy` runs the
#    preflight first and never deploys NodeappGithubDeploy, whose role this job runs as. Meanwhile the rollout
#    watcher follows the ECS deployment (canary steps, hook, bake, rollback) and ends with ECS's verdict
#    (`npm run release -w infra -- watch`: infra/lib/release/watch-deployment.ts).
# 4. Smoke-tests the Service stack's PublicUrl output; writes url=... to $GITHUB_OUTPUT for the environment link.
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

outputs=$(mktemp)
migrate_log=$(mktemp)
trap 'rm -f "$outputs" "$migrate_log"' EXIT
# Migrations first, as their own task: the running release keeps serving on the expanded schema (expand/contract,
# app/migrations/README.md). Its last line says whether the release's tasks must migrate themselves (first deploy).
npm run -s release -w infra -- migrate --env "$env_name" --digest "$(jq -r .app <<<"$IMAGE_DIGESTS")" | tee "$migrate_log"
migrate_on_start=$(tail -n 1 "$migrate_log" | sed -n 's/^migrateOnStart=\(true\|false\)$/\1/p')
[ -n "$migrate_on_start" ] || { echo "the migrate step did not end with migrateOnStart=true|false" >&2; exit 1; }
echo "deploying $IMAGE_TAG to $env_name: ${digest_args[*]}"

# The contract deploy command: infra's deploy selects NodeappRegistry and Nodeapp-<env>-* (infra/bin/deploy.ts).
# cdk.json asks for approval of broadening changes, which a runner cannot give: the approval here is the GitHub
# environment's (production reviewers), so the job never prompts. The watcher starts with it (deployments created
# from a minute before, for clock skew) and stops on its own once the deploy exits without touching the service.
since=$(date -u -d '-1 minute' +%Y-%m-%dT%H:%M:%SZ)
npm run deploy -w infra -- -c "env=$env_name" -c "imageTag=$IMAGE_TAG" "${digest_args[@]}" \
  -c "migrateOnStart=$migrate_on_start" --require-approval never --outputs-file "$outputs" &
deploy_pid=$!
npm run -s release -w infra -- watch --env "$env_name" --since "$since" --deploy-pid "$deploy_pid" &
watch_pid=$!
deploy_status=0 watch_status=0
wait "$deploy_pid" || deploy_status=$?
wait "$watch_pid" || watch_status=$?
if [ "$deploy_status" -ne 0 ] || [ "$watch_status" -ne 0 ]; then
  echo "deploy of $IMAGE_TAG to $env_name failed (cdk deploy exit $deploy_status, rollout watcher exit $watch_status)" >&2
  exit 1
fi

url=$(node -e '
  const [file, stack] = process.argv.slice(1);
  const url = JSON.parse(require("node:fs").readFileSync(file, "utf8"))[stack]?.PublicUrl;
  if (!url) { console.error(`no PublicUrl output for ${stack} in ${file}`); process.exit(1); }
  console.log(url);' "$outputs" "Nodeapp-$env_name-Service")
if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "url=$url" >>"$GITHUB_OUTPUT"; fi
bash scripts/deploy-smoke.sh "$url"
