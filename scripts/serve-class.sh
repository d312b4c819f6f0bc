#!/usr/bin/env bash
# Serve convviz to a class: N Streamlit processes on local ports, nginx in front of them on one port.
#
#   scripts/serve-class.sh [N] [PORT]      N processes (default 2), students open http://<this machine>:PORT/
#
# Python: the one that has the requirements. PYTHON if set; else the active virtualenv's ($VIRTUAL_ENV), else the
# active conda environment's ($CONDA_PREFIX), else the checkout's .venv (the README's), else python3 on the PATH.
# It is checked before anything starts: without streamlit, tensorflow, plotly and Pillow the script says so and stops.
#
# Environment: CONVVIZ_LISTEN (address nginx listens on; default 0.0.0.0, every interface, so the room can reach
# it), CONVVIZ_WORKER_PORT (the first process's port; default 8601, then 8602, ...), NGINX (the nginx binary),
# CONVVIZ_EXTRA_UPSTREAMS (host:port of processes on other machines to share the class with, space-separated;
# start them there with `streamlit run app.py --server.port P --server.address <their LAN address>`).
# CONVVIZ_ROOMS (class mode's rooms: by default one SQLite file in the temporary folder, which every process on
# this machine shares; with CONVVIZ_EXTRA_UPSTREAMS, a redis:// URL that every machine reaches).
# Each browser sticks to one process (deploy/nginx.conf.template says how and why). Runs in the foreground;
# Ctrl-C stops nginx and every process. Nothing is written outside a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."

N="${1:-2}"
PORT="${2:-8501}"
LISTEN="${CONVVIZ_LISTEN:-0.0.0.0}"
FIRST="${CONVVIZ_WORKER_PORT:-8601}"
if ! [[ "$N" =~ ^[0-9]+$ ]] || (( N < 1 || N > 64 )); then
  echo "serve-class.sh: N must be a whole number from 1 to 64, not '$N'" >&2; exit 2
fi
if ! [[ "$PORT" =~ ^[0-9]+$ && "$FIRST" =~ ^[0-9]+$ ]]; then
  echo "serve-class.sh: ports must be numbers" >&2; exit 2
fi
if [[ -n "${CONVVIZ_EXTRA_UPSTREAMS:-}" && "${CONVVIZ_ROOMS:-}" != redis* ]]; then
  echo "serve-class.sh: class mode's rooms stay on each machine unless every process has CONVVIZ_ROOMS=redis://<host>:6379/0" >&2
fi
NGINX="${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}"
if [[ ! -x "$NGINX" ]]; then
  echo "serve-class.sh: nginx not found (Debian: apt-get install nginx); set NGINX=/path/to/nginx" >&2; exit 2
fi
if [[ -z "${PYTHON:-}" ]]; then
  if [[ -n "${VIRTUAL_ENV:-}" && -x "$VIRTUAL_ENV/bin/python" ]]; then PYTHON="$VIRTUAL_ENV/bin/python"
  elif [[ -n "${CONDA_PREFIX:-}" && -x "$CONDA_PREFIX/bin/python" ]]; then PYTHON="$CONDA_PREFIX/bin/python"
  elif [[ -x .venv/bin/python ]]; then PYTHON=.venv/bin/python
  else PYTHON="$(command -v python3 || echo python3)"
  fi
fi
has_requirements='import importlib.util as u, sys
sys.exit(any(u.find_spec(m) is None for m in ("streamlit", "tensorflow", "plotly", "PIL")))'
if ! "$PYTHON" -c "$has_requirements" 2>/dev/null; then
  echo "serve-class.sh: $PYTHON does not have the requirements (streamlit, tensorflow, plotly, Pillow): activate the" \
       "environment that has them, or set PYTHON=/path/to/python (README: pip install -r requirements.txt -c constraints.txt)" >&2
  exit 2
fi

RUN_DIR="$(mktemp -d "${TMPDIR:-/tmp}/convviz-class.XXXXXX")"
pids=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$RUN_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

servers=""
for upstream in ${CONVVIZ_EXTRA_UPSTREAMS:-}; do
  if ! [[ "$upstream" =~ ^[A-Za-z0-9.:_-]+:[0-9]+$ ]]; then
    echo "serve-class.sh: CONVVIZ_EXTRA_UPSTREAMS entries are host:port, not '$upstream'" >&2; exit 2
  fi
  servers+="server $upstream; "
done

for ((i = 0; i < N; i++)); do
  port=$((FIRST + i))
  TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}" "$PYTHON" -m streamlit run app.py \
    --server.port "$port" --server.address 127.0.0.1 --server.headless true \
    --browser.gatherUsageStats false >"$RUN_DIR/worker-$port.log" 2>&1 &
  pids+=("$!")
  servers+="server 127.0.0.1:$port max_fails=0; "
done

sed -e "s|@RUN_DIR@|$RUN_DIR|g" -e "s|@LISTEN@|$LISTEN|g" -e "s|@PORT@|$PORT|g" \
    -e "s|@UPSTREAM_SERVERS@|$servers|g" deploy/nginx.conf.template >"$RUN_DIR/nginx.conf"
"$NGINX" -t -q -p "$RUN_DIR" -e "$RUN_DIR/error.log" -c "$RUN_DIR/nginx.conf"
"$NGINX" -p "$RUN_DIR" -e "$RUN_DIR/error.log" -c "$RUN_DIR/nginx.conf" &
pids+=("$!")
echo "convviz: $N processes (ports $FIRST-$((FIRST + N - 1))) behind nginx on http://$LISTEN:$PORT/ (logs in $RUN_DIR)"

# Stop everything as soon as any of them stops.
wait -n "${pids[@]}"
echo "serve-class.sh: a process stopped; shutting the rest down (logs were in $RUN_DIR):" >&2
tail -n 20 "$RUN_DIR"/*.log >&2 || true
exit 1
