# Shell helpers shared by scripts/loadtest, scripts/loadtest-redis and
# scripts/loadtest-audit (sourced, not run). NAME (the script's name, for messages)
# must be set by the caller.

HZ=$(getconf CLK_TCK)

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A free 127.0.0.1 port, 20000-31999.
free_port() {
  local p
  while :; do p=$((20000 + RANDOM % 12000)); port_free "$p" && { echo "$p"; return; }; done
}

# Waits (10 s at most) until the instance on port $1 answers /ready with 200; else
# exits (the script, or the subshell it runs in) with a message naming instance $2.
wait_ready() {
  for _ in $(seq 1 200); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/ready") == 200 ]] && return
    sleep 0.05
  done
  echo "$NAME: instance $2 not ready" >&2
  exit 1
}

# Busy CPU ticks of the whole machine so far.
busy_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }

# Waits (at most QUIET_WAIT_S, default 120 s) until the machine is idle (< 10 % busy
# over 2 s), so that other work does not share the cores with the run. A warning
# (also appended to the file $1) says when it never was.
wait_quiet() {
  local limit=${QUIET_WAIT_S:-120} waited=0 a b pct
  while :; do
    a=$(busy_ticks)
    sleep 2
    b=$(busy_ticks)
    pct=$(((b - a) * 100 / (2 * HZ * $(nproc))))
    ((pct < 10)) && return 0
    if ((waited >= limit)); then
      echo "$NAME: warning: the machine is still ${pct}% busy after ${limit} s of waiting;" \
        "other work shares the cores" | tee -a "$1"
      return 0
    fi
    waited=$((waited + 2))
  done
}

# Creates and starts one running session per id through $1 (base URL): per_participant,
# two players, 24 h banks (nothing expires during a run). One curl process,
# keep-alive, every request checked; $2 is where the curl config is written. Exits
# the script when any request fails.
create_sessions() {
  local base=$1 cfg=$2 id codes
  shift 2
  for id in "$@"; do
    cat <<CFG
next
url = "$base/v1/sessions"
header = "Content-Type: application/json"
data = "{\"session_id\":\"$id\",\"sync_mode\":\"per_participant\",\"total_time_ms\":86400000,\"participants\":[{\"participant_id\":\"11111111-1111-4111-8111-111111111111\"},{\"participant_id\":\"22222222-2222-4222-8222-222222222222\"}]}"
output = /dev/null
write-out = "%{http_code}\\n"
next
url = "$base/v1/sessions/$id/start"
request = POST
output = /dev/null
write-out = "%{http_code}\\n"
CFG
  done | tail -n +2 >"$cfg"
  codes=$(timeout 120 curl -s -K "$cfg" | sort | uniq -c | tr -s ' \n' ' ') || true
  if [[ $codes != " $# 200 $# 201 " ]]; then
    echo "$NAME: creating sessions failed (status counts:$codes)" >&2
    exit 1
  fi
  echo "$NAME: $# sessions created and started"
}

# A figure from a wrk --latency output file $1: requests (per second), 50%, 99%
# (latencies converted to ms from wrk's us/ms/s) or non2xx.
wrk_field() {
  awk -v f="$2" '
    function to_ms(v) {
      if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000
      return v
    }
    f == "requests" && /^Requests\/sec:/ { printf "%.0f", $2 }
    f != "requests" && f != "non2xx" && $1 == f { printf "%.2f", to_ms($2) }
    f == "non2xx" && /Non-2xx/ { n = $NF } END { if (f == "non2xx") printf "%d", n }' "$1"
}

# Switches at a fixed rate once the machine is idle: $2 per second for $3 s over 64
# connections to port $1 (sk_http_rate_load, at RATE_LOAD; SESSIONS and PREFIX name the
# running sessions), its output also to the file $4. Never fails the script.
fixed_rate_switches() {
  wait_quiet "$OUT/notes.txt"
  timeout $((3 * $3 + 30)) "$RATE_LOAD" --port "$1" --rate "$2" --connections 64 \
    --duration-s "$3" --sessions "$SESSIONS" --prefix "$PREFIX" | tee "$4" || true
}

# Load tests measure the serving path at saturation from one address (127.0.0.1):
# the per-client and per-address protections of issue 14 would refuse most of it, so
# they are off here unless a script sets them (see docs/benchmarks.md for their cost).
export RATE_LIMIT_CLIENT_MAX="${RATE_LIMIT_CLIENT_MAX:-0}"
export RATE_LIMIT_SWITCH_MAX="${RATE_LIMIT_SWITCH_MAX:-0}"
export RATE_LIMIT_WS_CONNECT_MAX="${RATE_LIMIT_WS_CONNECT_MAX:-0}"
export MAX_CONNECTIONS="${MAX_CONNECTIONS:-0}"
export MAX_CONNECTIONS_PER_IP="${MAX_CONNECTIONS_PER_IP:-0}"
