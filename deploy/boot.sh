#!/bin/sh
# Entry point of the e-CARS image: the arguments pick what the container runs.
#
#   boot.sh web <service>      apply <service>'s migrations, then serve it with gunicorn on 0.0.0.0:8000
#   boot.sh worker <service>   <service>'s worker (outbox relay, event consumer)
#   boot.sh migrate <service>  <service>'s migrations only (the Kubernetes migration Job, deploy/k8s/base/migrate.yaml)
#   boot.sh gateway            apply the gateway's migrations (its web sessions' table), then serve it (web UI + API
#                              routing) on 0.0.0.0:8080
#   boot.sh seed               every service's seed data (auth first); migrations must have run
#
# Tuning: GUNICORN_WORKERS (default 2), GUNICORN_THREADS (default 4), GUNICORN_TIMEOUT (default 60).
set -eu

SERVICES="auth contracts cpom documents reporting notifications"

usage() {
    echo "usage: boot.sh web <service> | worker <service> | migrate <service> | gateway | seed" >&2
    echo "       <service> is one of: $SERVICES" >&2
    exit 64
}

# Refuses anything that is not one of our services, so that no argument ends up in a module path.
check_service() {
    for known in $SERVICES; do
        if [ "$known" = "$1" ]; then
            return 0
        fi
    done
    echo "boot.sh: unknown service '$1'" >&2
    usage
}

# serve_with_gunicorn <bind address> <wsgi app>: replaces this shell, so gunicorn gets the signals.
serve_with_gunicorn() {
    exec gunicorn \
        --bind "$1" \
        --workers "${GUNICORN_WORKERS:-2}" \
        --threads "${GUNICORN_THREADS:-4}" \
        --worker-class gthread \
        --timeout "${GUNICORN_TIMEOUT:-60}" \
        --graceful-timeout 30 \
        --worker-tmp-dir /dev/shm \
        --error-logfile - \
        "$2"
}

[ $# -ge 1 ] || usage
role=$1
shift

case "$role" in
    web)
        [ $# -eq 1 ] || usage
        check_service "$1"
        python -m "services.$1" migrate
        serve_with_gunicorn 0.0.0.0:8000 "services.$1.wsgi:app"
        ;;
    worker)
        [ $# -eq 1 ] || usage
        check_service "$1"
        exec python -m "services.$1" worker
        ;;
    migrate)
        [ $# -eq 1 ] || usage
        check_service "$1"
        exec python -m "services.$1" migrate
        ;;
    gateway)
        [ $# -eq 0 ] || usage
        python -m gateway migrate
        serve_with_gunicorn 0.0.0.0:8080 gateway.wsgi:app
        ;;
    seed)
        [ $# -eq 0 ] || usage
        for service in $SERVICES; do
            echo "boot.sh: seeding $service" >&2
            python -m "services.$service" seed
        done
        ;;
    *)
        usage
        ;;
esac
