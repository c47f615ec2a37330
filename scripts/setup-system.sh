#!/usr/bin/env bash
# Installs the system packages this project needs, on Debian (CI runs it as root from .ci/run).
#
#   chromium    headless browser for the browser suite, and the source of SwiftShader's Vulkan
#               driver (/usr/lib/chromium/vk_swiftshader_icd.json): the WebGPU adapter for Dawn
#               (Node) and wgpu (Deno) on machines without a GPU
#   libvulkan1  the Vulkan loader that Dawn opens to reach any Vulkan driver
#
# Idempotent, and quick when everything is present: apt is not touched at all then. Nothing else
# is downloaded here: browsers and binaries come only from apt and npm (.puppeteerrc.cjs stops
# puppeteer from downloading its own Chrome).
set -euo pipefail

PACKAGES=(chromium libvulkan1)
SWIFTSHADER_ICD=/usr/lib/chromium/vk_swiftshader_icd.json

is_installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  is_installed "$pkg" || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  echo "setup-system: already installed: ${PACKAGES[*]}"
else
  if [[ $EUID -ne 0 ]]; then
    echo "setup-system: must run as root to install: ${missing[*]}" >&2
    exit 1
  fi
  echo "setup-system: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi

# Check what the project relies on, not just the package names (Ubuntu's "chromium" is a snap
# stub without SwiftShader, for one).
for path in /usr/bin/chromium "$SWIFTSHADER_ICD"; do
  if [[ ! -e "$path" ]]; then
    echo "setup-system: $path is missing after installing ${PACKAGES[*]}; this project expects Debian's chromium package" >&2
    exit 1
  fi
done
if ! compgen -G '/usr/lib/*/libvulkan.so.1' >/dev/null && ! compgen -G '/usr/lib*/libvulkan.so.1' >/dev/null; then
  echo "setup-system: the Vulkan loader libvulkan.so.1 is not on the library path (package libvulkan1)" >&2
  exit 1
fi
