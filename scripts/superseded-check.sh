#!/usr/bin/env bash
# The production deploy's first step: is DEPLOYING_SHA still the head of main? If main moved on, this deploy is
# superseded (the newer commit's own run deploys production after its staging deploy), so it stops before touching
# AWS: superseded=true in $GITHUB_OUTPUT and a notice; the deploy steps are skipped on it.
# Env: REPOSITORY (owner/repo), DEPLOYING_SHA, GH_TOKEN (the job's token; contents: read is enough), BRANCH (main).
# Reads the branch with the GitHub CLI (preinstalled on GitHub's runners): GET /repos/{owner}/{repo}/branches/{branch}
# https://docs.github.com/en/rest/branches/branches#get-a-branch
set -euo pipefail
: "${REPOSITORY:?REPOSITORY must be owner/repo}"
: "${DEPLOYING_SHA:?DEPLOYING_SHA must be the commit this run deploys}"
branch=${BRANCH:-main}
head=$(gh api "repos/$REPOSITORY/branches/$branch" --jq .commit.sha)
[[ $head =~ ^[0-9a-f]{40}$ ]] || { echo "could not read the head of $branch (got '$head')" >&2; exit 1; }
if [ "$head" = "$DEPLOYING_SHA" ]; then
  superseded=false
  echo "$DEPLOYING_SHA is the head of $branch: deploying"
else
  superseded=true
  echo "::notice title=Production deploy superseded::$branch is now $head; $DEPLOYING_SHA is not deployed (the newer run deploys production)"
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "superseded=$superseded" >>"$GITHUB_OUTPUT"; fi
