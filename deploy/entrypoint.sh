#!/usr/bin/env bash
# The one way a platform process starts, in a container or on a machine:
#
#   entrypoint.sh web         HTTP and WebSockets (uvicorn, ASGI); run as many as needed
#   entrypoint.sh worker      the task worker (django-tasks db_worker); as many as needed
#   entrypoint.sh scheduler   the sweep clock (run_scheduler); one is enough
#   entrypoint.sh migrate     one-shot: production checks, then database migrations
#   entrypoint.sh manage ...  any other manage.py command (audit_verify, rotate_encryption_keys)
#
# The long-running roles and migrate first wait for the database (DATABASE_WAIT_SECONDS,
# default 60), so containers can start in any order; a one-off manage command runs at once and
# fails plainly if the database is not there. Configuration comes from the environment only
# (deploy/env.example).
set -euo pipefail

cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"
MANAGE=("$PYTHON" backend/manage.py)

usage() {
  echo "usage: $0 web|worker|scheduler|migrate|manage <command> [args...]" >&2
  exit 64
}

demo_mode() {
  # The same truthy words as django-environ's env.bool.
  case "${DEBUG:-}" in
    [Tt][Rr][Uu][Ee] | [Oo][Nn] | [Oo][Kk] | [Yy] | [Yy][Ee][Ss] | 1) return 0 ;;
    *) return 1 ;;
  esac
}

role="${1:-}"
[ $# -gt 0 ] && shift
case "$role" in
  web | worker | scheduler | migrate) ;;
  manage) [ $# -gt 0 ] || usage ;;
  *) usage ;;
esac

if [ "$role" != manage ]; then
  "${MANAGE[@]}" wait_for_database --timeout "${DATABASE_WAIT_SECONDS:-60}"
fi

case "$role" in
  web)
    # No access log from uvicorn: it prints raw URLs with their query strings; the platform
    # logs each request by its route pattern instead (core.access_log). Forwarded headers are
    # trusted only from FORWARDED_ALLOW_IPS (the reverse proxy).
    exec "$PYTHON" -m uvicorn config.asgi:application \
      --app-dir backend \
      --host "${HOST:-0.0.0.0}" \
      --port "${PORT:-8000}" \
      --ws websockets-sansio \
      --no-server-header \
      --no-access-log \
      --proxy-headers \
      --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}" \
      --timeout-graceful-shutdown "${GRACEFUL_SHUTDOWN_SECONDS:-20}"
    ;;
  worker)
    # Never reloaded on code changes (db_worker's default in demo mode): a reload cuts tasks short.
    exec "${MANAGE[@]}" db_worker --no-reload
    ;;
  scheduler)
    exec "${MANAGE[@]}" run_scheduler
    ;;
  migrate)
    # Production settings must pass Django's deployment checklist before anything changes.
    if ! demo_mode; then
      "${MANAGE[@]}" check --deploy --fail-level WARNING
    fi
    exec "${MANAGE[@]}" migrate --noinput
    ;;
  manage)
    exec "${MANAGE[@]}" "$@"
    ;;
esac
