#!/bin/sh
# Sets the service task memory limit (MiB) in the recording rule job:task_memory_limit_bytes, which the
# NodeappMemoryNearLimit alert compares RSS against. Run at image build (Dockerfile ARG TASK_MEMORY_MIB, set
# per environment by the CDK Monitoring stack from the service config). Usage: set-task-memory.sh MIB FILE
set -eu
mib="$1"
file="$2"
case "$mib" in
  '' | *[!0-9]*) echo "set-task-memory: TASK_MEMORY_MIB must be a whole number of MiB (got '$mib')" >&2; exit 1 ;;
esac
grep -q 'expr: vector([0-9]* \* 1024 \* 1024)' "$file" || { echo "set-task-memory: no memory limit rule in $file" >&2; exit 1; }
sed -i "s/expr: vector([0-9]* \* 1024 \* 1024)/expr: vector($mib * 1024 * 1024)/" "$file"
