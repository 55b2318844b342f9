# Helpers shared by .ci/run and the scripts it calls (sourced, never run).
free_port() { node -e 's=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
wait_http() { for _ in $(seq 1 300); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done; echo "timeout: $1" >&2; return 1; }
step() { echo; echo "=== [ci +${SECONDS}s] $*"; }
CI_PIDS=(); CI_TMPS=(); CI_CLEANUPS=()
ci_cleanup() {
  local c
  for c in "${CI_CLEANUPS[@]}"; do eval "$c" >/dev/null 2>&1 || true; done
  kill "${CI_PIDS[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "${CI_TMPS[@]}" 2>/dev/null || true
}
