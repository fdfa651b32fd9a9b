#!/usr/bin/env bash
# Installs what is missing (Debian 12), builds SMP Planner and starts the desktop application.
# Arguments are passed to the application, e.g. --database /path/to/clinic.sqlite.
# Without --database it opens its default database (created and seeded with the sample client
# on first start) in the user's data folder.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh
build_dir=build/release
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSMP_BUILD_TESTS=OFF
cmake --build "$build_dir" --parallel
exec "$build_dir/src/smp-planner" "$@"
