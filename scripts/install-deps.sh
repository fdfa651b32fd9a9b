#!/usr/bin/env bash
# Installs the Debian 12 packages SMP Planner needs to build, run and test.
# Idempotent: asks apt only when something is missing. Uses sudo when not root.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git
  # Qt 6 (Widgets, Gui, Concurrent, Test, PrintSupport, Svg, Charts)
  qt6-base-dev qt6-base-dev-tools qt6-svg-dev qt6-charts-dev qt6-image-formats-plugins libgl-dev
  libqt6opengl6-dev
  # lrelease, for the English plural forms (translations/smp_en.ts)
  qt6-l10n-tools
  # core libraries
  libsqlite3-dev sqlite3 libopencv-dev libeigen3-dev nlohmann-json3-dev
  # photos: HEIC decoding and encoding (tests), EXIF/XMP metadata
  libheif-dev libexiv2-dev
  # photos: checking a PNG's chunks and their CRC-32 before it is decoded
  zlib1g-dev
  # tests: Catch2, a virtual display, fonts for offscreen rendering, PDF tools
  catch2 xvfb xauth fonts-dejavu-core poppler-utils
  # tests: a real iCalendar parser to check the exported calendars
  libical-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
