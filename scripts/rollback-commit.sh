#!/usr/bin/env bash
# The rollback workflow's check of its input: rollback-commit.sh SHA
# SHA must be a full 40-hex commit SHA in the history of the checked-out branch (main, cloned with full history):
# only a commit the pipeline ran on main had its images pushed, and a typo must stop here, not at the deploy.
# Prints and appends to $GITHUB_OUTPUT: sha=<SHA>.
set -euo pipefail
sha=${1:-}
if ! [[ $sha =~ ^[0-9a-f]{40}$ ]]; then
  echo "the commit to roll back to must be a full 40-hex SHA (got '$sha')" >&2
  exit 2
fi
if ! git cat-file -e "$sha^{commit}" 2>/dev/null || ! git merge-base --is-ancestor "$sha" HEAD; then
  echo "$sha is not a commit of $(git rev-parse --abbrev-ref HEAD)'s history: only main's commits have published images" >&2
  exit 1
fi
echo "rolling back to $sha: $(git log -1 --format='%ad %s' --date=short "$sha")"
echo "sha=$sha" >>"${GITHUB_OUTPUT:-/dev/null}"
