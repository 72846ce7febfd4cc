#!/bin/sh
# Container entrypoint: the first argument picks the role.
#   web      gunicorn (infra/gunicorn.conf.py)
#   worker   celery worker on every queue
#   beat     celery beat (periodic tasks)
#   migrate  migrate; also refreshes the tenant schema template and the warm pool
#   manage   python manage.py ARGS...
#   anything else is run as is (e.g. `sh`)
set -eu

cd "$(dirname "$0")/.."

role="${1:-web}"
if [ "$#" -gt 0 ]; then
    shift
fi

case "$role" in
    web)
        exec gunicorn -c infra/gunicorn.conf.py controlplane.wsgi:application "$@"
        ;;
    worker)
        exec celery -A controlplane worker -l info \
            -Q celery,provisioning,maintenance,notifications \
            --concurrency "${CELERY_CONCURRENCY:-2}" "$@"
        ;;
    beat)
        exec celery -A controlplane beat -l info -s /tmp/celerybeat-schedule "$@"
        ;;
    migrate)
        exec python manage.py migrate --noinput "$@"
        ;;
    manage)
        exec python manage.py "$@"
        ;;
    *)
        exec "$role" "$@"
        ;;
esac
