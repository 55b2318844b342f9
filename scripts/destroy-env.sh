#!/usr/bin/env bash
# Destroys one environment's stacks: destroy-env.sh ENV (dev | staging | prod). Needs AWS credentials and `npm ci`.
# Only Nodeapp-<env>-* stacks are selected: the shared NodeappRegistry (ECR) and NodeappGithubDeploy stacks stay,
# and where config rds.finalSnapshot is on (staging, prod) the database leaves a final RDS snapshot (dev: none).
set -euo pipefail
cd "$(dirname "$0")/../infra"
env_name=${1:-}
case $env_name in
  dev | staging | prod) ;;
  *) echo "usage: $0 dev|staging|prod (got '$env_name')" >&2; exit 2 ;;
esac
# imageTag only satisfies synthesis; nothing is deployed.
npx cdk destroy --force -c "env=$env_name" -c imageTag=destroy "Nodeapp-$env_name-*"
