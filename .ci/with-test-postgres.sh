#!/usr/bin/env bash
# `npm test` runs the workspaces' tests through this: without a TEST_DATABASE_URL, and with the PostgreSQL server
# binaries installed, it starts a throwaway cluster (.ci/postgres.sh, the same one .ci/run starts) for the command
# and deletes it afterwards. Otherwise it runs the command as it is: the PostgreSQL tests then skip, saying how to
# install the server (or fail, under CI=true).
#   bash .ci/with-test-postgres.sh npm run test --workspaces
set -euo pipefail
here=$(dirname "$0")
source "$here/lib.sh"
source "$here/postgres.sh"
trap ci_cleanup EXIT

if [ -n "${TEST_DATABASE_URL:-}" ]; then
  echo "PostgreSQL: TEST_DATABASE_URL is given"
elif postgres_bin >/dev/null; then
  start_test_postgres
else
  echo "PostgreSQL: no server binaries (initdb, pg_ctl) found: its tests skip; to run them: $POSTGRES_INSTALL_HINT"
fi
"$@" # not exec: the trap deletes the cluster when the command ends
