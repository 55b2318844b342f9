# Sourced by .ci/container-smoke.sh and scripts/image-rehearsal.sh (from the repository root).
# The machine this repository is built on reaches no Docker Hub: its container tooling (podman plus local stand-ins for
# node:24-bookworm-slim and debian:bookworm-slim) sits in a `shared/` folder beside the clone, or wherever
# NODEAPP_OFFLINE_ENGINE names. A clone from GitHub has neither: offline_engine_tool then fails, and the callers use
# Docker or Podman from PATH, or skip with the reason.
# offline_engine_tool: prints the tool's path when the file exists; returns 1 (prints nothing) otherwise.
offline_engine_tool() {
  local tool=${NODEAPP_OFFLINE_ENGINE:-}
  [ -n "$tool" ] || { [ -f ../shared/tools/offline-container-engine.sh ] && tool=../shared/tools/offline-container-engine.sh; }
  [ -n "$tool" ] && [ -f "$tool" ] && echo "$tool"
}
