#!/bin/sh
# An OCI runtime for dockerd on hosts whose root lacks CAP_SYS_RESOURCE (some VMs and sandboxes):
# it removes that capability from the container's spec (config.json in the bundle, on create/run)
# and from the process spec (on exec), then hands every call to runc unchanged. Without it runc
# fails on --privileged containers with "unable to apply caps: operation not permitted".
# Written by tools/src/cluster/docker/engine.ts; RUNC may name the real runtime (default: runc).
set -eu
real="${CTV_REAL_RUNC:-@RUNC@}"

strip() {
  # Docker writes compact JSON; drop the name wherever it stands in a capability list.
  [ -f "$1" ] || return 0
  sed -i -e 's/"CAP_SYS_RESOURCE",//g' -e 's/,"CAP_SYS_RESOURCE"//g' -e 's/\["CAP_SYS_RESOURCE"\]/[]/g' "$1"
}

command=""
bundle="."
process=""
expect=""
for arg in "$@"; do
  if [ -n "$expect" ]; then
    eval "$expect=\$arg"
    expect=""
    continue
  fi
  case "$arg" in
    --bundle|-b) expect=bundle ;;
    --bundle=*) bundle="${arg#--bundle=}" ;;
    --process|-p) [ "$command" = exec ] && expect=process ;;
    --process=*) process="${arg#--process=}" ;;
    # Global options that take a value, before the command.
    --root|--log|--log-format|--criu) [ -z "$command" ] && expect=ignored ;;
    -*) ;;
    *) [ -z "$command" ] && command="$arg" ;;
  esac
done

case "$command" in
  create|run) strip "$bundle/config.json" ;;
  exec) [ -n "$process" ] && strip "$process" ;;
esac
exec "$real" "$@"
