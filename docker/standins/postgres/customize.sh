#!/bin/sh
# The PostgreSQL stand-in: no cluster of Debian's own (the entrypoint makes one in $PGDATA on the
# first start, as the official image does), and the official image's entrypoint conventions.
set -eu
root=$1
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$root/etc/postgresql/15" "$root/var/lib/postgresql/15"
install -m 0755 "$here/docker-entrypoint.sh" "$root/usr/local/bin/docker-entrypoint.sh"
mkdir -p "$root/docker-entrypoint-initdb.d" "$root/var/lib/postgresql/data" "$root/run/postgresql"
chroot "$root" chown -R postgres:postgres /var/lib/postgresql /run/postgresql
