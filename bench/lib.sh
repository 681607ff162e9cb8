# What the fleet benchmarks (e2e, soak, run-later) share; sourced, not run.

# Fails with the script's name unless every tool is on PATH.
need_tools() {  # name tool...
    local name="$1" tool
    shift
    for tool in "$@"; do
        command -v "$tool" >/dev/null || { echo "bench/$name: $tool not found; run scripts/deps.sh" >&2; exit 1; }
    done
}

# Builds the products (release) and sets `bin` to where they are.
release_products() {  # product...
    local p
    echo "building $* (release)..."
    for p in "$@"; do swift build -c release --product "$p" 2>&1 | tail -1; done
    bin="$(swift build -c release --show-bin-path)"
}

# A free TCP port on loopback.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# Ends the processes named (SIGTERM, then SIGKILL after 10 s), by PID only.
stop_pids() {  # pid...
    local pid
    for pid in "$@"; do kill "$pid" 2>/dev/null || true; done
    for pid in "$@"; do
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    done
}
