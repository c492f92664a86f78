# Starting redis-server and a local Redis Cluster for the load scripts (sourced).
# Needs NAME, OUT, TMP (pids go to $TMP/pids, each server's to $TMP/pid-<port>) and
# scripts/lib/loadtest.sh's free_port/port_free.

# A port whose cluster bus port (+10000) is free too.
cluster_port() {
  local p
  while :; do p=$(free_port); port_free $((p + 10000)) && { echo "$p"; return; }; done
}

start_redis() {  # $1: port, $2...: extra arguments; no persistence
  local port=$1
  shift
  mkdir -p "$TMP/$port"
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$TMP/$port" \
    --maxclients 10000 "$@" >"$OUT/redis-$port.log" 2>&1 &
  echo $! >>"$TMP/pids"
  echo $! >"$TMP/pid-$port"
  for _ in $(seq 1 100); do redis-cli -p "$port" PING >/dev/null 2>&1 && return; sleep 0.05; done
  echo "$NAME: redis-server on $port did not start" >&2
  exit 1
}

# 3 masters + 3 replicas: sets NODES (ports) and CLUSTER_URL.
start_cluster() {
  local p
  NODES=()
  for _ in 1 2 3 4 5 6; do
    p=$(cluster_port)
    start_redis "$p" --cluster-enabled yes --cluster-config-file nodes.conf \
      --cluster-node-timeout 1000 --cluster-replica-validity-factor 0
    NODES+=("$p")
  done
  redis-cli --cluster create $(printf '127.0.0.1:%s ' "${NODES[@]}") --cluster-replicas 1 \
    --cluster-yes >"$OUT/cluster-create.log" 2>&1
  for _ in $(seq 1 100); do
    [[ $(redis-cli -p "${NODES[0]}" CLUSTER INFO | tr -d '\r' | grep cluster_state) == cluster_state:ok ]] && break
    sleep 0.1
  done
  CLUSTER_URL="redis+cluster://$(printf '127.0.0.1:%s,' "${NODES[@]}" | sed 's/,$//')"
}
