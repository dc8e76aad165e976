# Sourced by scripts/demo and scripts/test (the README's two commands) and by .ci/run: installs what
# a fresh machine lacks, each step only when it is missing or stale: a Node >= 22.18, the npm
# packages and the build, kcat, Java 17+ and Maven (apt-get, as root or via sudo), the Kafka jars.
source "$(dirname "${BASH_SOURCE[0]}")/node-env.sh"

kprod_say () { printf 'kprod setup: %s\n' "$*" >&2; }
kprod_apt_updated=0
kprod_apt_install () {
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    if ! command -v sudo >/dev/null; then
      kprod_say "missing: $*; install it (apt-get install $*) or run this as root"
      exit 1
    fi
    sudo=(sudo)
  fi
  kprod_say "apt-get install $*"
  if [ "$kprod_apt_updated" = 0 ]; then "${sudo[@]}" apt-get update -qq; kprod_apt_updated=1; fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
kprod_java_major () { java -XshowSettings:properties -version 2>&1 | sed -n 's/.*java.specification.version = \([0-9]*\).*/\1/p'; }

( cd "$kprod_root"
  command -v kcat >/dev/null || kprod_apt_install kcat
  if ! command -v java >/dev/null || [ "$(kprod_java_major)" -lt 17 ]; then kprod_apt_install openjdk-17-jre-headless; fi
  command -v mvn >/dev/null || kprod_apt_install maven

  # npm keeps a copy of the lock file it installed from in node_modules/; a newer package-lock.json
  # (a pull) or none installed means npm ci. Its prepare step builds dist/ with this Node.
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    kprod_say "npm ci"
    npm ci --no-audit --no-fund >&2
  fi
  scripts/local-kafka install
)
