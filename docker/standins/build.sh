#!/usr/bin/env bash
# Build, or reuse, a stand-in for one of the official base images, made from Debian's packages
# alone (for machines that reach Debian's archive but no image registry). Prints its reference.
#
#   docker/standins/build.sh python|postgres|rabbitmq
#
# A Debian bookworm root filesystem (mmdebstrap --variant=minbase, the machine's own apt sources)
# with the stand-in's packages and files, imported with `docker import`. The image is tagged
# taskboard-standin/<name>:<version>-<key>, where <key> hashes this script and docker/standins/<name>/,
# so an unchanged recipe is never rebuilt: the engine's image is reused, else the root
# filesystem cached under ${TASKBOARD_CACHE_DIR:-~/.cache/taskboard}/standins is imported again.
# What differs from the official images is in docker/README.md ("Stand-in base images").
set -euo pipefail

name=${1:?usage: $0 python|postgres|rabbitmq}
here=$(cd "$(dirname "$0")" && pwd)
cache=${TASKBOARD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/taskboard}/standins
suite=bookworm
path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

case $name in
  python) # stands in for python:3.11-slim
    version=3.11
    packages=python3.11,python3-pip,ca-certificates
    changes=("ENV PATH=$path" "ENV LANG=C.UTF-8" 'CMD ["python3"]')
    ;;
  postgres) # stands in for postgres:16
    version=15
    packages=postgresql-15
    changes=(
      "ENV PATH=/usr/lib/postgresql/15/bin:$path" "ENV LANG=C.UTF-8"
      "ENV PGDATA=/var/lib/postgresql/data" "VOLUME /var/lib/postgresql/data"
      'ENTRYPOINT ["docker-entrypoint.sh"]' 'CMD ["postgres"]' "EXPOSE 5432"
    )
    ;;
  rabbitmq) # stands in for rabbitmq:3.13-management
    version=3.10-management
    packages=rabbitmq-server
    changes=(
      "ENV PATH=/usr/lib/rabbitmq/bin:$path" "ENV LANG=C.UTF-8" "ENV HOME=/var/lib/rabbitmq"
      "ENV RABBITMQ_LOGS=-" "USER rabbitmq" "WORKDIR /var/lib/rabbitmq"
      'CMD ["rabbitmq-server"]' "EXPOSE 5672 15672"
    )
    ;;
  *) echo "unknown stand-in: $name (python, postgres or rabbitmq)" >&2; exit 2 ;;
esac

# minbase, no Recommends, no documentation; merged /usr without the usrmerge package (and perl)
debootstrap=(
  --variant=minbase --include="$packages" --aptopt='APT::Install-Recommends "false"'
  --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr --dpkgopt=force-unsafe-io
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*'
  --dpkgopt='path-exclude=/usr/share/info/*' --dpkgopt='path-exclude=/usr/share/locale/*'
)
# The root filesystem's key: what mmdebstrap is asked for and the files docker/standins/<name>/
# puts in; the image's key adds the image configuration (`docker import --change`).
rootfs_key=$( (echo "$suite" "${debootstrap[@]}"; find "$here/$name" -type f | sort | xargs cat) \
  | sha256sum | cut -c1-12)
key=$(printf '%s\n' "$rootfs_key" "${changes[@]}" | sha256sum | cut -c1-12)
image=taskboard-standin/$name:$version-$key
rootfs=$cache/$name-$rootfs_key.tar

if docker image inspect "$image" >/dev/null 2>&1; then
  echo "$image"
  exit 0
fi

if [ ! -s "$rootfs" ]; then
  command -v mmdebstrap >/dev/null || {
    echo "mmdebstrap is missing (apt-get install -y mmdebstrap)" >&2
    exit 1
  }
  mkdir -p "$cache"
  rm -rf "$cache/$name"-*.tar* # an older recipe's root filesystem
  echo "building the $name stand-in root filesystem (Debian $suite: $packages)..." >&2
  mmdebstrap --quiet --format=tar "${debootstrap[@]}" \
    --customize-hook="\"$here/$name/customize.sh\" \"\$1\"" \
    "$suite" "$rootfs.partial" >&2
  mv "$rootfs.partial" "$rootfs"
fi

import=()
for change in "${changes[@]}"; do import+=(--change "$change"); done
docker import "${import[@]}" \
  --change "LABEL org.opencontainers.image.description=\"taskboard stand-in: $name from Debian $suite packages ($packages), not the official image\"" \
  "$rootfs" "$image" >/dev/null
echo "$image"
