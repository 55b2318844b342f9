#!/usr/bin/env bash
# cfn-lint on every synthesized template: `bash scripts/cfn-lint.sh [template-folder]` (default infra/cdk.out, so
# run it after `npm run synth`). Configuration and the reasoned exceptions: infra/.cfnlintrc.yaml. Exits non-zero on
# any cfn-lint error, when cfn-lint is missing, or when the folder holds no template.
# cfn-lint is Python (PyPI only; no Debian package): .ci/run installs its pinned version with Debian's pipx when the
# machine has none; elsewhere `pipx install cfn-lint` (or pip).
set -euo pipefail
infra="$(cd "$(dirname "$0")/../infra" && pwd)"
dir="$(cd "${1:-$infra/cdk.out}" 2>/dev/null && pwd)" || { echo "cfn-lint.sh: no folder ${1:-infra/cdk.out}: run npm run synth first" >&2; exit 1; }

if ! command -v cfn-lint >/dev/null 2>&1; then
  echo "cfn-lint.sh: cfn-lint not found (pipx install cfn-lint, or pip; .ci/run installs it)" >&2
  exit 1
fi

shopt -s nullglob
templates=("$dir"/*.template.json)
if [ ${#templates[@]} -eq 0 ]; then
  echo "cfn-lint.sh: no *.template.json in $dir: run npm run synth first" >&2
  exit 1
fi

echo "cfn-lint $(cfn-lint --version | awk '{print $2}') on ${#templates[@]} templates in $dir"
# The override file is named relative to the config: run from infra/.
cd "$infra"
cfn-lint --config-file .cfnlintrc.yaml --non-zero-exit-code error -- "${templates[@]}"
echo "cfn-lint: 0 errors"
