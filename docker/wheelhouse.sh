#!/usr/bin/env bash
# The local wheelhouse that makes the image builds hermetic (see docker/README.md).
#
#   docker/wheelhouse.sh          fill docker/wheelhouse/ with every wheel the three images install
#   docker/wheelhouse.sh clean    empty it again (the images then install from the package index)
#
# The wheels are downloaded on this machine with pip, checked against the hashes of the committed
# locks (the three services' requirements.lock and docker/build-requirements.lock), into a cache
# keyed by those locks and this interpreter (${TASKBOARD_CACHE_DIR:-~/.cache/taskboard}/wheelhouse);
# unchanged locks download nothing. The interpreter must match the images' (CPython 3.11 on this
# machine's architecture and a glibc Linux): pip picks the wheels it could install itself.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
target=$repo/docker/wheelhouse
python=${PYTHON:-python3}
locks=(
  docker/build-requirements.lock
  accounts-service/requirements.lock
  projects-service/requirements.lock
  gateway/requirements.lock
)

if [ "${1:-fill}" = clean ]; then
  find "$target" -maxdepth 1 -name '*.whl' -delete
  exit 0
fi

interpreter=$("$python" -c 'import sys, sysconfig; print(sys.implementation.name, *sys.version_info[:2], sysconfig.get_platform())')
case $interpreter in
  "cpython 3 11 linux-"*) ;;
  *) echo "$python is $interpreter; the images need wheels for CPython 3.11 on Linux (PYTHON=...)" >&2; exit 1 ;;
esac
key=$( (echo "$interpreter"; cd "$repo" && cat "${locks[@]}") | sha256sum | cut -c1-16)
cache=${TASKBOARD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/taskboard}/wheelhouse
wheels=$cache/$key

if [ ! -e "$wheels/.complete" ]; then
  echo "downloading the wheelhouse for the locks ($key)..." >&2
  rm -rf "$wheels.partial"
  mkdir -p "$wheels.partial"
  pids=()
  for i in "${!locks[@]}"; do # one pip per lock, side by side, each into a folder of its own
    "$python" -m pip download --quiet --disable-pip-version-check --no-deps --require-hashes \
      --only-binary=:all: --dest "$wheels.partial/$i" -r "$repo/${locks[$i]}" \
      2> >(grep -v "is ignored: it is neither a file nor a directory" >&2) &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid"; done
  for i in "${!locks[@]}"; do
    mv -f "$wheels.partial/$i"/*.whl "$wheels.partial/" && rmdir "$wheels.partial/$i"
  done
  touch "$wheels.partial/.complete"
  find "$cache" -mindepth 1 -maxdepth 1 ! -name "$key.partial" -exec rm -rf {} + # older locks'
  mv "$wheels.partial" "$wheels"
fi

# The build context's copy: hard links where the cache shares the file system, else copies.
find "$target" -maxdepth 1 -name '*.whl' -delete
cp -l "$wheels"/*.whl "$target"/ 2>/dev/null || cp "$wheels"/*.whl "$target"/
echo "docker/wheelhouse: $(find "$target" -maxdepth 1 -name '*.whl' | wc -l) wheels" >&2
