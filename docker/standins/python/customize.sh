#!/bin/sh
# Lay the Python stand-in out like python:3.11-slim where our Dockerfiles rely on it:
# /usr/local/bin/python3.11 (and python, python3), pip on the PATH, and pip allowed to install
# into the system interpreter (the official image has no EXTERNALLY-MANAGED marker).
set -eu
root=$1
rm -f "$root/usr/lib/python3.11/EXTERNALLY-MANAGED"
for name in python3.11 python3 python; do ln -sf /usr/bin/python3.11 "$root/usr/local/bin/$name"; done
for name in pip pip3; do ln -sf /usr/bin/pip3 "$root/usr/local/bin/$name"; done
