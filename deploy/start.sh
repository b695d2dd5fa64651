#!/usr/bin/env bash
# Start the production topology on this machine: nginx → N gunicorn application servers, the task worker and the
# case-library index follower, against the PostgreSQL and Redis named by DATABASE_URL and REDIS_URL (and, when set,
# the read replica DATABASE_REPLICA_URL and the object store S3_*). Run it on every application host. One command:
#
#   deploy/start.sh            # then open http://127.0.0.1:8080 ; deploy/stop.sh stops it
#
# Settings come from deploy/env (copy deploy/env.example) and the environment (the environment wins).
set -euo pipefail
DEPLOY="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$DEPLOY")"
[ -f "$DEPLOY/env" ] && set -a && . "$DEPLOY/env" && set +a

: "${DATABASE_URL:=postgres://postgres@127.0.0.1:5432/jinxuan}"
: "${REDIS_URL:=redis://127.0.0.1:6379/0}"
: "${JINXUAN_HOST:=127.0.0.1}"
: "${JINXUAN_PORT:=8080}"
: "${APP_SERVERS:=2}"          # gunicorn processes behind nginx
: "${APP_WORKERS:=2}"          # workers per process
: "${APP_THREADS:=4}"          # threads per worker
: "${APP_BASE_PORT:=8101}"
: "${JINXUAN_RUN_DIR:=$ROOT/data/deploy}"
: "${JINXUAN_DATA_DIR:=$ROOT/data/production}"
: "${VENV:=$ROOT/.venv}"
RUN="$JINXUAN_RUN_DIR"

command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { echo "需要 nginx：apt-get install nginx" >&2; exit 1; }
[ -x "$VENV/bin/jinxuan" ] || { echo "未找到 $VENV/bin/jinxuan：请先运行 make setup" >&2; exit 1; }
JX=("$VENV/bin/python" -m jinxuan.cli)  # the code of this checkout ($ROOT), whatever the venv was installed from
cd "$ROOT"
[ -x "$VENV/bin/supervisord" ] || "$VENV/bin/pip" install -q "supervisor>=4.2"

mkdir -p "$RUN/log" "$RUN/tmp" "$RUN/static" "$JINXUAN_DATA_DIR"
export DATABASE_URL REDIS_URL JINXUAN_DATA_DIR
# Optional, passed on when set: DATABASE_REPLICA_URL (+ REPLICA_STICKY_SECONDS) for the public pages' reads;
# S3_ENDPOINT_URL, S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_REGION, S3_ADDRESSING_STYLE for the
# object store holding attachments, print-outs and compendium files; LIBRARY_INDEX_DIR for this host's index.
STORAGE_VARS="S3_ENDPOINT_URL S3_BUCKET S3_ACCESS_KEY_ID S3_SECRET_ACCESS_KEY S3_REGION S3_ADDRESSING_STYLE"
REPLICA_VARS="DATABASE_REPLICA_URL REPLICA_STICKY_SECONDS"
export STATIC_ROOT="$RUN/static" TASK_BACKEND=database LOG_FORMAT=json LOG_LEVEL="${LOG_LEVEL:-INFO}"
export DJANGO_SETTINGS_MODULE=jinxuan.settings
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost}"
export SMS_BACKEND="${SMS_BACKEND:-jinxuan.voting.sms.DatabaseBackend}"
export TRUSTED_PROXIES="${TRUSTED_PROXIES:-127.0.0.1}"  # nginx passes the client address in X-Real-IP

if [ "${SKIP_MIGRATE:-0}" != 1 ]; then
  "${JX[@]}" migrate --noinput -v0
fi
"${JX[@]}" audit anchor --every 3600 >/dev/null  # the worker anchors the audit chain hourly (once queued)
"${JX[@]}" collectstatic --noinput -v0
if [ "${TASK_BACKEND:-}" = database ]; then  # the worker purges unfinished and orphaned uploads hourly (once queued)
  "${JX[@]}" uploads purge --every 3600 >/dev/null
fi
chmod -R a+rX "$RUN/static"  # nginx workers run as www-data when started as root: the path must be readable

# The environment every Python program gets (supervisor syntax: KEY="value",…).
ENV_LINE=""
for name in DATABASE_URL REDIS_URL JINXUAN_DATA_DIR STATIC_ROOT TASK_BACKEND LOG_FORMAT LOG_LEVEL \
            DJANGO_SETTINGS_MODULE ALLOWED_HOSTS SMS_BACKEND SECRET_KEY CSRF_TRUSTED_ORIGINS SECURE_COOKIES \
            CACHE_KEY_PREFIX DB_CONN_MAX_AGE EMAIL_HOST EMAIL_PORT EMAIL_HOST_USER EMAIL_HOST_PASSWORD \
            SUBMISSION_GRACE_SECONDS PRODUCTION TRUSTED_PROXIES PUBLIC_URL AUDIT_HMAC_KEY AUDIT_ANCHOR_FILE AUDIT_ANCHOR_EVERY LIBRARY_INDEX_DIR TEXT_INDEX_DIR $REPLICA_VARS \
            $STORAGE_VARS ATTACHMENT_DOWNLOAD ATTACHMENT_LINK_SECONDS UPLOAD_EXPIRY_SECONDS UPLOAD_QUOTA_MARGIN; do
  if [ -n "${!name:-}" ]; then
    value="${!name//\"/\\\"}"
    ENV_LINE="${ENV_LINE:+$ENV_LINE,}$name=\"${value//%/%%}\""
  fi
done

UPSTREAMS=""
APPS=""
for i in $(seq 1 "$APP_SERVERS"); do
  port=$((APP_BASE_PORT + i - 1))
  UPSTREAMS+="        server 127.0.0.1:$port max_fails=1 fail_timeout=3s;"$'\n'
  APPS+="[program:app$i]
command=$VENV/bin/gunicorn jinxuan.wsgi -c $DEPLOY/gunicorn.conf.py -b 127.0.0.1:$port -w $APP_WORKERS --threads $APP_THREADS
directory=$ROOT
environment=$ENV_LINE
autorestart=true
startsecs=2
stopasgroup=true
killasgroup=true
redirect_stderr=true
stdout_logfile=$RUN/log/app$i.log

"
done

render() {
  python3 - "$1" "$2" <<'PY'
import os, sys
src, dst = sys.argv[1:3]
text = open(src, encoding="utf-8").read()
for key in ("RUN", "ROOT", "DEPLOY", "VENV", "HOST", "PORT", "STATIC", "UPSTREAMS", "APPS", "ENV"):
    text = text.replace(f"@{key}@", os.environ["R_" + key])
open(dst, "w", encoding="utf-8").write(text)
PY
}
export R_RUN="$RUN" R_ROOT="$ROOT" R_DEPLOY="$DEPLOY" R_VENV="$VENV" R_HOST="$JINXUAN_HOST" R_PORT="$JINXUAN_PORT" \
       R_STATIC="$RUN/static" R_UPSTREAMS="$UPSTREAMS" R_APPS="$APPS" R_ENV="$ENV_LINE"
render "$DEPLOY/nginx.conf.template" "$RUN/nginx.conf"
render "$DEPLOY/supervisord.conf.template" "$RUN/supervisord.conf"
/usr/sbin/nginx -t -q -c "$RUN/nginx.conf" -p "$RUN" 2>/dev/null || /usr/sbin/nginx -t -c "$RUN/nginx.conf" -p "$RUN"

if [ -S "$RUN/supervisor.sock" ] && "$VENV/bin/supervisorctl" -c "$RUN/supervisord.conf" status >/dev/null 2>&1; then
  echo "已在运行：先执行 deploy/stop.sh" >&2; exit 1
fi
"$VENV/bin/supervisord" -c "$RUN/supervisord.conf"

url="http://$JINXUAN_HOST:$JINXUAN_PORT"
for _ in $(seq 1 100); do
  if python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=1)" "$url/readyz" 2>/dev/null; then
    echo "金选已启动：$url （nginx → $APP_SERVERS 个应用服务器 × $APP_WORKERS 进程 × $APP_THREADS 线程，后台任务 1 个，案例库索引跟随 1 个）"
    [ -n "${DATABASE_REPLICA_URL:-}" ] && echo "公开页面从只读副本读取（DATABASE_REPLICA_URL）"
    [ -n "${S3_BUCKET:-}" ] && echo "附件存放在对象存储：${S3_ENDPOINT_URL:-默认端点} / $S3_BUCKET"
    echo "日志：$RUN/log/ ；停止：deploy/stop.sh"
    exit 0
  fi
  sleep 0.2
done
echo "启动超时：请查看 $RUN/log/" >&2
"$VENV/bin/supervisorctl" -c "$RUN/supervisord.conf" status >&2 || true
exit 1
