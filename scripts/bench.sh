#!/usr/bin/env bash
# Side-by-side load runs: the app and the bare reference broadcast server, same generator, same
# machine, raising the input rate step by step. Prints one JSON line per run.
#
#   scripts/bench.sh one-room   [CLIENTS] [RATES...]   # one room, everyone in it
#   scripts/bench.sh mixed      [CLIENTS] [RATES...]   # the same, a tenth of turns reactions and edits
#   scripts/bench.sh many-rooms [CLIENTS] [ROOMS] [RATE]
#   scripts/bench.sh idle       [SOCKETS] [USERS]       # server memory per idle socket
#   scripts/bench.sh history    [MESSAGES]              # room page, older pages and linked pages, big room
#   scripts/bench.sh rooms      [COUNT] [REPEAT]        # the room list's pages with COUNT rooms
#   scripts/bench.sh two-instances one-room   [CLIENTS] [RATES...]
#   scripts/bench.sh two-instances many-rooms [CLIENTS] [ROOMS] [RATE]
#       one instance on PostgreSQL beside two instances sharing PostgreSQL and Redis, clients
#       spread over both (each room's members split between them), and the same for the bare
#       reference (one process, and two sharing their rooms through Redis); MD_PAIR_WORKERS=N
#       gives each process of the pairs N runtime threads
#   scripts/bench.sh delete-account [COUNT]              # an account with COUNT messages deleted,
#       choosing "Remove them": how long the request takes
#   scripts/bench.sh lighthouse                          # Lighthouse on a room page (npm lighthouse)
#   scripts/bench.sh page-times [REQUESTS]               # a private room's page for its owner
#       (members, invite links, bans, moderation log) and for a member, sequential GETs
#   scripts/bench.sh check                               # before landing a message-path change:
#       the 100-room row and one room at 400 msg/s, app beside reference, p50/p99 and their ratio
#
# MD_BENCH_DATABASE=postgres runs the app on a fresh PostgreSQL database (started on loopback)
# instead of SQLite; MD_BENCH_LOG=FILTER keeps the app's log (RUST_LOG syntax) and prints it after
# the runs, e.g. MD_BENCH_LOG=mini_discord::server::writer=debug for the writer's batch timings.
#
# Every run is bounded: DURATION seconds of sending (default 5) plus a 3 s drain.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$ROOT/scripts/services.sh"
cd "$ROOT"
ulimit -n 65536 2>/dev/null || true

DURATION="${DURATION:-5}"
APP_ADDR=127.0.0.1:3900
REF_ADDR=127.0.0.1:3901
data="$(mktemp -d)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$data"; }
trap cleanup EXIT

# MD_BENCH_NO_BUILD=1 reuses the release binaries already built (several runs of one build).
if [ -z "${MD_BENCH_NO_BUILD:-}" ]; then
  log "building release binaries"
  build_release
  cargo build --release -p loadgen >&2
fi

# The load generator signs up thousands of people and opens a hundred rooms from one address,
# the idle row holds 100 sockets per account, and each sender sends 20-25 messages a second:
# allowances a real site counts per person and address (docs/SECURITY.md) are raised here, and
# nothing else.
sed 's/^\[package\.metadata\.mini-discord\.limits\]$/&\
signups-per-address-per-hour = 1000000\
login-failures-per-address = 1000000\
messages-per-second = 1000000\
message-burst = 1000000\
actions-per-second = 1000000\
action-burst = 1000000\
sockets-per-user = 1000000\
rooms-created-per-hour = 1000000\
rooms-per-connection = 1000000/' Leptos.toml >"$data/Leptos.toml"
grep -q '^sockets-per-user = 1000000$' "$data/Leptos.toml" || { echo "could not raise the bench allowances" >&2; exit 1; }
export MINI_DISCORD_CONFIG="$data/Leptos.toml"

app_database=""
if [ "${MD_BENCH_DATABASE:-sqlite}" = postgres ]; then
  ensure_services_installed
  start_postgres >/dev/null
  app_database="$(fresh_database md_bench_app)"
fi
app_log="$data/app.log"
env ${app_database:+DATABASE_URL="$app_database"} LEPTOS_SITE_ADDR=$APP_ADDR MINI_DISCORD_DATA_DIR="$data" \
  RUST_LOG="${MD_BENCH_LOG:-warn}" target/release/mini-discord serve 2>"$app_log" &
app_pid=$!; pids+=("$app_pid")
show_app_log() { [ -z "${MD_BENCH_LOG:-}" ] || cat "$app_log" >&2; }
trap 'show_app_log; cleanup' EXIT
target/release/loadgen reference --addr $REF_ADDR 2>/dev/null &
ref_pid=$!; pids+=("$ref_pid")
for _ in $(seq 1 50); do curl -sf "http://$APP_ADDR/healthz" >/dev/null && break; sleep 0.2; done

fill_room() { # author count: the room "big" filled straight in SQLite with COUNT messages by AUTHOR
  python3 - "$data/mini-discord.sqlite" "$1" "$2" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], timeout=30)
room = db.execute("select id from rooms where name = 'big'").fetchone()[0]
user = db.execute("select id from users where username = ?", (sys.argv[2],)).fetchone()[0]
count = int(sys.argv[3])
now = int(time.time() * 1000)
db.execute("""
  with recursive n(i) as (select 1 union all select i + 1 from n where i < ?)
  insert into messages (room_id, user_id, body, created_at, nonce)
  select ?, ?, 'message number ' || i || ' of the big room', ? - (? - i) * 1000, 'seed-' || i from n
""", (count, room, user, now, count))
db.commit()
PY
}

run() { # target url pid args...
  local target=$1 url=$2 pid=$3; shift 3
  target/release/loadgen run --target "$target" --url "$url" --server-pid "$pid" \
    --duration "$DURATION" --drain 3 --json "$@"
}

case "${1:-one-room}" in
  one-room)
    clients="${2:-1000}"; shift 2 2>/dev/null || shift $#
    rates=("${@:-100 200 400 600 800}")
    for rate in ${rates[*]}; do
      # Each sender stays under the app's per-connection limit (50 frames/s).
      senders=$(( rate / 40 > 20 ? rate / 40 : 20 ))
      run reference "ws://$REF_ADDR" "$ref_pid" --clients "$clients" --senders "$senders" --rate "$rate" --prefix ref
      run app "http://$APP_ADDR" "$app_pid" --clients "$clients" --senders "$senders" --rate "$rate" --prefix app
    done
    ;;
  mixed)
    # The one-room row with every tenth turn of each sender spent on a reaction or an edit of its
    # own latest message (app only: the reference has neither), beside the plain app and the
    # reference at the same rate: what the message path sustains with actions mixed in.
    clients="${2:-1000}"; shift 2 2>/dev/null || shift $#
    rates=("${@:-400 600 700}")
    for rate in ${rates[*]}; do
      senders=$(( rate / 40 > 20 ? rate / 40 : 20 ))
      run reference "ws://$REF_ADDR" "$ref_pid" --clients "$clients" --senders "$senders" --rate "$rate" --prefix ref
      run app "http://$APP_ADDR" "$app_pid" --clients "$clients" --senders "$senders" --rate "$rate" --prefix app
      run app "http://$APP_ADDR" "$app_pid" --clients "$clients" --senders "$senders" --rate "$rate" --prefix appx --actions-every 10
    done
    ;;
  many-rooms)
    clients="${2:-2000}"; rooms="${3:-100}"; rate="${4:-5000}"
    run reference "ws://$REF_ADDR" "$ref_pid" --clients "$clients" --rooms "$rooms" --senders 200 --rate "$rate" --prefix refm
    run app "http://$APP_ADDR" "$app_pid" --clients "$clients" --rooms "$rooms" --senders 200 --rate "$rate" --prefix appm
    ;;
  idle)
    sockets="${2:-10000}"; users="${3:-100}"
    target/release/loadgen idle --target reference --url "ws://$REF_ADDR" --server-pid "$ref_pid" --sockets "$sockets" --json
    target/release/loadgen idle --target app --url "http://$APP_ADDR" --server-pid "$app_pid" --sockets "$sockets" --users "$users" --json
    ;;
  history)
    messages="${2:-1000000}"
    target/release/loadgen page --url "http://$APP_ADDR" --room big --prepare
    # The room is opened through the app, then filled straight in SQLite: a million messages
    # through the socket would take minutes and measure the writer, not the history.
    fill_room reader "$messages"
    target/release/loadgen page --url "http://$APP_ADDR" --room big --requests 200 --json
    ;;
  delete-account)
    # Someone with COUNT messages in a room another person is also in (so it is handed over, not
    # deleted) deletes their account choosing "Remove them": prints how long the request took.
    count="${2:-10000}"
    form() { # jar path body → HTTP status
      curl -s -o /dev/null -w '%{http_code}' -c "$1" -b "$1" -H "origin: http://$APP_ADDR" -d "$3" "http://$APP_ADDR$2"
    }
    for who in leaver stayer; do
      form "$data/$who" /api/signup "username=$who&password=correct horse&confirm=correct horse" >/dev/null
      form "$data/$who" /api/open_room 'name=big' >/dev/null
    done
    fill_room leaver "$count"
    start=$(date +%s%N)
    status=$(form "$data/leaver" /api/delete_account 'password=correct horse&messages=remove')
    end=$(date +%s%N)
    echo "{\"row\":\"delete-account\",\"messages\":$count,\"status\":$status,\"ms\":$(( (end - start) / 1000000 ))}"
    ;;
  rooms)
    # The room list with COUNT rooms: one page of it, a page far in, and filtered, each asked
    # REPEAT times as a logged-in user; prints the median and p90 in milliseconds.
    count="${2:-100000}"; repeat="${3:-30}"
    jar="$data/cookies"
    curl -sf -c "$jar" -o /dev/null -H 'accept: application/json' \
      --data 'username=lister&password=correct+horse&confirm=correct+horse' "http://$APP_ADDR/api/signup"
    python3 - "$data/mini-discord.sqlite" "$count" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], timeout=30)
now = int(time.time() * 1000)
db.executemany("insert into rooms (name, created_at, last_seq) values (?, ?, 0)",
               ((f"room-{i:06d}", now) for i in range(int(sys.argv[2]))))
db.commit()
PY
    # A timing of a refusal would be meaningless: the list must really come back.
    curl -sf -b "$jar" -H 'accept: application/json' --data "filter=&page=0" "http://$APP_ADDR/api/rooms" |
      python3 -c "import json, sys; assert len(json.load(sys.stdin)['rooms']) == 50, 'no room list'"
    for query in "filter=&page=0" "filter=&page=1000" "filter=room-0999&page=0" "filter=nothing-like-it&page=0"; do
      for _ in $(seq "$repeat"); do
        curl -sf -b "$jar" -o /dev/null -w '%{time_total}\n' -H 'accept: application/json' --data "$query" \
          "http://$APP_ADDR/api/rooms"
      done | python3 -c "
import json, statistics, sys
times = sorted(float(line) * 1000 for line in sys.stdin)
print(json.dumps({'row': 'room list', 'rooms': $count, 'query': '$query', 'median_ms': round(statistics.median(times), 2), 'p90_ms': round(times[int(len(times) * 0.9) - 1], 2)}))"
    done
    ;;
  two-instances)
    ensure_services_installed
    start_postgres >/dev/null
    redis_port=26390
    redis_url="$(start_redis "$redis_port")"
    redis-cli -p "$redis_port" flushall >/dev/null
    serve() { # port database-url redis-url [worker threads]
      LEPTOS_SITE_ADDR="127.0.0.1:$1" DATABASE_URL="$2" REDIS_URL="$3" RUST_LOG=warn \
        TOKIO_WORKER_THREADS="${4:-$(nproc)}" target/release/mini-discord serve &
      pids+=("$!")
      for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$1/healthz" >/dev/null && break; sleep 0.2; done
    }
    serve 3904 "$(fresh_database md_bench_one)" ""
    solo_pid=${pids[-1]}
    pair_db="$(fresh_database md_bench_two)"
    # MD_PAIR_WORKERS: runtime threads of each of the pair (default: one per core, as the single
    # instance has), to see what sharing the cores costs.
    serve 3902 "$pair_db" "$redis_url" "${MD_PAIR_WORKERS:-}"
    a_pid=${pids[-1]}
    serve 3903 "$pair_db" "$redis_url" "${MD_PAIR_WORKERS:-}"
    b_pid=${pids[-1]}
    # The reference pair: two bare broadcast processes sharing their rooms through the same
    # Redis, beside the single reference started above. What it adds over one process is what a
    # second process and a Redis hop cost on this machine, before anything the app does.
    for port in 3906 3907; do
      TOKIO_WORKER_THREADS="${MD_PAIR_WORKERS:-$(nproc)}" \
        target/release/loadgen reference --addr "127.0.0.1:$port" --redis "$redis_url" 2>"$data/reference-$port.log" &
      pids+=("$!")
      listening=""
      for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && listening=1 && break; sleep 0.1; done
      [ -n "$listening" ] || { cat "$data/reference-$port.log" >&2; exit 1; }
    done
    ref_a_pid=${pids[-2]} ref_b_pid=${pids[-1]}
    # CPU time while sending, of the servers, PostgreSQL (every backend), Redis, the generator
    # and the whole machine: where the two cores go.
    cpu() { # pids of the server(s)…
      local servers; servers="$(IFS=,; echo "$*")"
      echo --cpu-watch "server=$servers" --cpu-watch "postgres=$(postgres_pid)" \
        --cpu-watch "redis=$(redis_pid "$redis_port")"
    }
    one() { run app "http://127.0.0.1:3904" "$solo_pid" $(cpu "$solo_pid") "$@"; }
    two() { run app "http://127.0.0.1:3902" "$a_pid" --also-url "http://127.0.0.1:3903" $(cpu "$a_pid" "$b_pid") "$@"; }
    ref_one() { run reference "ws://$REF_ADDR" "$ref_pid" $(cpu "$ref_pid") "$@"; }
    ref_two() {
      run reference "ws://127.0.0.1:3906" "$ref_a_pid" --also-url "ws://127.0.0.1:3907" \
        $(cpu "$ref_a_pid" "$ref_b_pid") "$@"
    }
    case "${2:-one-room}" in
      one-room)
        clients="${3:-1000}"; shift 3 2>/dev/null || shift $#
        rates=("${@:-100 200 400}")
        for rate in ${rates[*]}; do
          senders=$(( rate / 40 > 20 ? rate / 40 : 20 ))
          ref_one --clients "$clients" --senders "$senders" --rate "$rate" --prefix refone
          ref_two --clients "$clients" --senders "$senders" --rate "$rate" --prefix reftwo
          one --clients "$clients" --senders "$senders" --rate "$rate" --prefix one
          two --clients "$clients" --senders "$senders" --rate "$rate" --prefix two
        done
        ;;
      many-rooms)
        clients="${3:-2000}"; rooms="${4:-100}"; rate="${5:-5000}"
        ref_one --clients "$clients" --rooms "$rooms" --senders 200 --rate "$rate" --prefix refonem
        ref_two --clients "$clients" --rooms "$rooms" --senders 200 --rate "$rate" --prefix reftwom
        one --clients "$clients" --rooms "$rooms" --senders 200 --rate "$rate" --prefix onem
        two --clients "$clients" --rooms "$rooms" --senders 200 --rate "$rate" --prefix twom
        ;;
      *) echo "usage: $0 two-instances one-room|many-rooms …" >&2; exit 2 ;;
    esac
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    stop_redis "$redis_port"
    ;;
  lighthouse)
    command -v lighthouse >/dev/null || npm install -g --silent lighthouse@13
    apt_install chromium
    jar="$data/cookies"
    curl -sf -c "$jar" -o /dev/null -d "username=lighthouse&password=correct-horse&confirm=correct-horse" "http://$APP_ADDR/api/signup"
    curl -sf -b "$jar" -o /dev/null -d "name=lobby" "http://$APP_ADDR/api/open_room"
    cookie="$(awk '$6 == "mini_discord_session" { print $6 "=" $7 }' "$jar")"
    CHROME_PATH=/usr/bin/chromium lighthouse "http://$APP_ADDR/rooms/lobby" --quiet \
      --only-categories=performance,accessibility,best-practices --output=json --output-path="$data/lh.json" \
      --extra-headers="{\"Cookie\":\"$cookie\"}" \
      --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --no-first-run"
    python3 - "$data/lh.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
scores = {name: round(category["score"] * 100) for name, category in report["categories"].items()}
metrics = {key: report["audits"][key]["displayValue"] for key in
           ["first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift", "speed-index"]}
print(json.dumps({"url": report["finalDisplayedUrl"], "scores": scores, "metrics": metrics}))
PY
    wasm=target/site/pkg/mini-discord.wasm
    served() { curl -sf -H "accept-encoding: $1" "http://$APP_ADDR/pkg/mini-discord.wasm" | wc -c; }
    echo "{\"wasm_bytes\": $(stat -c %s "$wasm"), \"wasm_gzip9_bytes\": $(gzip -9 -c "$wasm" | wc -c), \"served_br_bytes\": $(served br), \"served_gzip_bytes\": $(served gzip)}"
    ;;
  page-times)
    requests="${2:-300}"
    base="http://$APP_ADDR"
    as() { curl -s -o /dev/null -c "$data/$1.jar" -b "$data/$1.jar" -H "origin: $base" "${@:2}"; }
    for who in owner member; do
      as "$who" -d "username=$who&password=correct+horse&confirm=correct+horse" "$base/api/signup"
    done
    as owner -d "name=bench&private=true" "$base/api/open_room"
    as owner -d "room=bench&username=member" "$base/api/add_member"
    for _ in 1 2 3 4 5; do as owner -d "room=bench&max_uses=10" "$base/api/create_invite"; done
    for who in owner member; do
      for _ in $(seq 1 20); do as "$who" "$base/rooms/bench"; done
      for _ in $(seq 1 "$requests"); do
        curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -b "$data/$who.jar" "$base/rooms/bench"
      done | python3 -c '
import sys
rows = [line.split() for line in sys.stdin]
assert all(code == "200" for code, _ in rows), "a page was not 200"
times = sorted(float(t) * 1000 for _, t in rows)
print("%-7s median %.2f ms, p95 %.2f ms (%d pages)" % (sys.argv[1], times[len(times) // 2], times[int(len(times) * 0.95)], len(times)))
' "$who"
    done
    ;;
  check)
    # One run of each message-path row, side by side: a minute, for a change's first verdict.
    # The figures in docs/BENCHMARKS.md are medians of several runs of the rows above.
    {
      run reference "ws://$REF_ADDR" "$ref_pid" --clients 2000 --rooms 100 --senders 200 --rate 5000 --prefix refm
      run app "http://$APP_ADDR" "$app_pid" --clients 2000 --rooms 100 --senders 200 --rate 5000 --prefix appm
      run reference "ws://$REF_ADDR" "$ref_pid" --clients 1000 --senders 20 --rate 400 --prefix ref
      run app "http://$APP_ADDR" "$app_pid" --clients 1000 --senders 20 --rate 400 --prefix app
    } >"$data/check.jsonl"
    python3 - "$data/check.jsonl" <<'PY'
import json, sys
runs = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
print("%-28s %22s %18s %15s %20s" % ("row", "reference p50/p99 ms", "app p50/p99 ms", "ratio p50/p99", "lost/dup/reordered"))
for ref, app in zip(runs[0::2], runs[1::2]):
    row = "%d room%s x %d, %g msg/s" % (app["rooms"], "s" if app["rooms"] > 1 else "", app["clients"] // app["rooms"], app["rate"])
    ratio = "%.2f/%.2f" % (app["p50_ms"] / max(ref["p50_ms"], 0.001), app["p99_ms"] / max(ref["p99_ms"], 0.001))
    faults = "%d/%d/%d" % (app["lost"], app["duplicates"], app["out_of_order"])
    print("%-28s %11.1f/%-10.1f %9.1f/%-8.1f %15s %20s" % (row, ref["p50_ms"], ref["p99_ms"], app["p50_ms"], app["p99_ms"], ratio, faults))
PY
    ;;
  *) echo "usage: $0 one-room|mixed|many-rooms|idle|history|rooms|two-instances|lighthouse|page-times|check …" >&2; exit 2 ;;
esac
