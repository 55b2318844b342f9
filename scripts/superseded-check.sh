#!/usr/bin/env bash
# Is DEPLOYING_SHA still the head of main? If main moved on, this deploy is superseded (the newer commit's own run
# deploys production after its staging deploy), so it stops before touching AWS: superseded=true in $GITHUB_OUTPUT
# and a notice. The production-gate job runs it so (no environment: production is then skipped, and a skipped job
# records no deployment). With --fail, the production job itself runs it again after its reviewers approved: main
# may have moved while it waited, and a job that deploys nothing must not be recorded as a successful deployment
# (GitHub records a job bound to an environment as a deployment with the job's result:
# https://docs.github.com/en/actions/how-tos/deploy/configure-and-manage-deployments/control-deployments), so it fails.
# Env: REPOSITORY (owner/repo), DEPLOYING_SHA, GH_TOKEN (the job's token; contents: read is enough), BRANCH (main).
# Reads the branch with the GitHub CLI (preinstalled on GitHub's runners): GET /repos/{owner}/{repo}/branches/{branch}
# https://docs.github.com/en/rest/branches/branches#get-a-branch
set -euo pipefail
: "${REPOSITORY:?REPOSITORY must be owner/repo}"
: "${DEPLOYING_SHA:?DEPLOYING_SHA must be the commit this run deploys}"
branch=${BRANCH:-main}
strict=false
[ "${1:-}" != --fail ] || strict=true
head=$(gh api "repos/$REPOSITORY/branches/$branch" --jq .commit.sha)
[[ $head =~ ^[0-9a-f]{40}$ ]] || { echo "could not read the head of $branch (got '$head')" >&2; exit 1; }
if [ "$head" = "$DEPLOYING_SHA" ]; then
  superseded=false
  echo "$DEPLOYING_SHA is the head of $branch: deploying"
else
  superseded=true
  if [ "$strict" = true ]; then
    echo "::error title=Production deploy superseded::$branch moved to $head while this deploy waited; $DEPLOYING_SHA is not deployed (approve the newer run)"
    exit 1
  fi
  echo "::notice title=Production deploy superseded::$branch is now $head; $DEPLOYING_SHA is not deployed (the newer run deploys production)"
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "superseded=$superseded" >>"$GITHUB_OUTPUT"; fi
