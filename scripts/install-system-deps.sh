#!/usr/bin/env bash
# Installs the two Debian/Ubuntu packages that give WebGPU on a machine without a GPU:
#   chromium   - ships SwiftShader (/usr/lib/chromium/vk_swiftshader_icd.json), a CPU Vulkan driver,
#                and is the browser the page tests drive
#   libvulkan1 - the Vulkan loader that Dawn (npm package `webgpu`) opens in Node
# Does nothing when both are present. Run it as it is, as root or as a user: it calls sudo itself only when it is
# not root (a root container without sudo, the usual Docker image, needs none). Never reads standard input.
set -euo pipefail

need=()
{ command -v chromium >/dev/null && [ -e /usr/lib/chromium/vk_swiftshader_icd.json ]; } || need+=(chromium)
ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1' || need+=(libvulkan1)
[ ${#need[@]} -eq 0 ] && exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null; then
    echo "install-system-deps: installing ${need[*]} needs root: run this script as root, or install sudo" >&2
    exit 1
  fi
  sudo=(sudo)
fi
echo "install-system-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq </dev/null
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" </dev/null
