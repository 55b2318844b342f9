#!/usr/bin/env bash
# Prints one output of a deployed CloudFormation stack: stack-output.sh STACK OUTPUT_KEY
# (e.g. NodeappRegistry RepositoryUri, Nodeapp-staging-Service PublicUrl). Needs AWS credentials.
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 STACK_NAME OUTPUT_KEY" >&2
  exit 2
fi
value=$(aws cloudformation describe-stacks --stack-name "$1" \
  --query "Stacks[0].Outputs[?OutputKey=='$2'].OutputValue | [0]" --output text)
if [ -z "$value" ] || [ "$value" = None ]; then
  echo "stack $1 has no output named $2" >&2
  exit 1
fi
echo "$value"
