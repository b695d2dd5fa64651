#!/usr/bin/env bash
# Stop the topology started by deploy/start.sh.
set -euo pipefail
DEPLOY="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$DEPLOY")"
[ -f "$DEPLOY/env" ] && set -a && . "$DEPLOY/env" && set +a
RUN="${JINXUAN_RUN_DIR:-$ROOT/data/deploy}"
VENV="${VENV:-$ROOT/.venv}"
if [ -S "$RUN/supervisor.sock" ]; then
  "$VENV/bin/supervisorctl" -c "$RUN/supervisord.conf" shutdown >/dev/null || true
  for _ in $(seq 1 100); do [ -e "$RUN/supervisord.pid" ] || break; sleep 0.1; done
fi
echo "已停止"
