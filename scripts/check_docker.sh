#!/usr/bin/env bash
# `make up` runs this first: the Docker CLI, Docker Compose (the `docker compose` plugin or the
# standalone `docker-compose`) and a Docker daemon that answers. It changes nothing; when one is
# missing it says which, in one line, and fails, so `make up` stops before touching anything.
set -u

fail() {
  echo "make up needs $1" >&2
  exit 1
}

bounded() { # run a Docker command that may wait for an unreachable daemon for at most 20 s
  if command -v timeout >/dev/null 2>&1; then timeout 20 "$@"; else "$@"; fi
}

command -v docker >/dev/null 2>&1 ||
  fail "Docker: the 'docker' command is not installed (install Docker Engine or Docker Desktop)"

if bounded docker compose version >/dev/null 2>&1; then
  compose="docker compose"
elif command -v docker-compose >/dev/null 2>&1 && bounded docker-compose version >/dev/null 2>&1; then
  compose="docker-compose"
else
  fail "Docker Compose: neither the 'docker compose' plugin nor 'docker-compose' is installed (install the Compose plugin, e.g. the docker-compose-plugin package)"
fi

bounded docker info >/dev/null 2>&1 ||
  fail "a running Docker daemon: 'docker info' cannot reach it (start it, e.g. 'sudo systemctl start docker', or check DOCKER_HOST and your access to its socket)"

echo "docker: CLI, Compose ($compose) and daemon answer"
