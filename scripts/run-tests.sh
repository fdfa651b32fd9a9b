#!/usr/bin/env bash
# Installs what is missing (Debian 12), builds SMP Planner with its tests and runs them all.
# GUI tests run on Qt's offscreen platform, so no display is needed.
# SMP_SANITIZE=ON builds with AddressSanitizer and UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh
sanitize=${SMP_SANITIZE:-OFF}
build_dir=build/tests
if [ "$sanitize" = ON ]; then
  build_dir=build/sanitize
  export LSAN_OPTIONS="suppressions=$PWD/tests/lsan-suppressions.txt"
fi
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSMP_BUILD_TESTS=ON \
  -DSMP_SANITIZE="$sanitize"
cmake --build "$build_dir" --parallel
cd "$build_dir"
QT_QPA_PLATFORM=offscreen ctest --output-on-failure --no-tests=error --parallel 2
