# tools/lib.sh — what tools/demo and tools/check share: installing the
# packages in tools/dependencies.txt and building with meson.
# shellcheck shell=bash

SHMLAB_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

shmlab_say () {
  printf '\033[1m==> %s\033[0m\n' "$*" >&2
}

shmlab_missing_packages () {
  local pkg status
  while read -r pkg; do
    case "$pkg" in ''|'#'*) continue ;; esac
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)
    [ "$status" = "install ok installed" ] || printf '%s\n' "$pkg"
  done < "$SHMLAB_TOP/tools/dependencies.txt"
}

# Installs what is missing: with apt-get as root, through sudo otherwise, or
# prints the command to run when neither is possible.
shmlab_install_dependencies () {
  local missing sudo=()
  if ! command -v dpkg-query >/dev/null 2>&1; then
    shmlab_say "not a Debian or Ubuntu system: install the packages in tools/dependencies.txt yourself"
    return 0
  fi
  mapfile -t missing < <(shmlab_missing_packages)
  [ "${#missing[@]}" -eq 0 ] && return 0

  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=(sudo)
    elif command -v sudo >/dev/null 2>&1 && [ -t 0 ]; then
      sudo=(sudo)
    else
      shmlab_say "these packages are missing; install them and run this again:"
      printf '  sudo apt-get update && sudo apt-get install -y %s\n' "${missing[*]}" >&2
      return 1
    fi
  fi

  shmlab_say "installing ${missing[*]}"
  "${sudo[@]}" apt-get update -q >/dev/null || return 1
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends \
    "${missing[@]}" >/dev/null || return 1
}

# shmlab_build BUILD_DIR [meson options…]: configures once, then builds.
shmlab_build () {
  local dir=$1
  shift
  if [ ! -f "$SHMLAB_TOP/$dir/build.ninja" ]; then
    meson setup "$SHMLAB_TOP/$dir" "$SHMLAB_TOP" "$@" >"$SHMLAB_TOP/$dir.setup.log" 2>&1 || {
      cat "$SHMLAB_TOP/$dir.setup.log" >&2
      return 1
    }
    rm -f "$SHMLAB_TOP/$dir.setup.log"
  fi
  ninja -C "$SHMLAB_TOP/$dir" >/dev/null || ninja -C "$SHMLAB_TOP/$dir"
}
