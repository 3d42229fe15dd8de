#!/bin/sh
# The RabbitMQ stand-in: the management plugin enabled, and /etc/rabbitmq/conf.d for the
# configuration files docker-compose.yml mounts (as in the official image).
set -eu
root=$1
echo '[rabbitmq_management].' > "$root/etc/rabbitmq/enabled_plugins"
mkdir -p "$root/etc/rabbitmq/conf.d"
chroot "$root" chown -R rabbitmq:rabbitmq /var/lib/rabbitmq /var/log/rabbitmq
