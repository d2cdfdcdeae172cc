#!/usr/bin/env bash
# The cabinet API under load: wrk (keep-alive) against a running build/ussdgw on the shipped
# configuration (files in a temporary directory, free ports, the SMPP link not required, the
# shipped Argon2id cost and hash pool), three measures per run:
#   1. GET /api/v1/me with a valid session (Bearer), requests/s and latency;
#   2. POST /api/v1/login with the right password: login checks/s (each an Argon2id verify on
#      the hash pool, a committed audit entry and a new session);
#   3. GET /api/v1/me again while logins saturate the hash pool, as fast as wrk can (three busy
#      processes then share the 2 cores: this p99 mostly measures the generator's share);
#   4. GET /api/v1/me paced (10 connections, 2 ms think time each, a few thousand requests/s),
#      first alone, then while logins saturate the hash pool: the event loop must not wait for
#      the hashes, so the two p99 must stay close (and under 5 ms).
# Prints each run and min/median/max. Run it under the build lock on a shared machine:
#   flock /work/.build.lock scripts/bench-api.sh [RUNS] [SECONDS] [CONNECTIONS]   (3, 10, 50)
bench_config_sections='{"storage": {"argon2_memlimit": "67108864"}}'  # the shipped cost
source "$(dirname "$0")/bench-engine.sh"
build/ussdgw -c "$conf" subscribers import conf/demo-subscribers.csv >/dev/null
start_engine $((runs * (5 * seconds + 16) + 60))
base="http://127.0.0.1:$port/api/v1"
json() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
# A password for the bench subscriber: a PUK1 session sets the first one.
puk_token=$(curl -sf -X POST "$base/login" -H 'Content-Type: application/json' \
  -d '{"msisdn":"375291000005","puk1":"10050005"}' | json token)
curl -sf -X POST "$base/me/password" -H "Authorization: Bearer $puk_token" \
  -H 'Content-Type: application/json' -d '{"new_password":"Bench-Pass-2026"}' >/dev/null
token=$(curl -sf -X POST "$base/login" -H 'Content-Type: application/json' \
  -d '{"msisdn":"375291000005","password":"Bench-Pass-2026"}' | json token)
cat >"$tmp/paced.lua" <<'LUA'
function delay() return 2 end
LUA
cat >"$tmp/login.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"msisdn":"375291000005","password":"Bench-Pass-2026"}'
LUA
ops=$(grep -o '^argon2_opslimit = [0-9]*' "$conf" | grep -o '[0-9]*$')
mem=$(grep -o '^argon2_memlimit = [0-9]*' "$conf" | grep -o '[0-9]*$')
workers=$(grep -o '^hash_workers = [0-9]*' "$conf" | grep -o '[0-9]*$')
echo "Argon2id opslimit $ops, memlimit $((mem / 1048576)) MiB, hash pool $workers workers; $(nproc) cores"
measure() {  # label, wrk args...: prints "rate p50 p99" and a line
  local label=$1; shift
  local out; out=$(wrk --latency "$@")
  local rate p50 p99
  rate=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out"); p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  printf '  %-34s %10s /s  p50 %8s  p99 %8s\n' "$label" "$rate" "$p50" "$p99" >&2
  echo "$rate $p99"
}
me=(); logins=(); loaded=(); loaded_p99=(); paced_p99=(); paced_loaded_p99=()
paced() {  # label: GET /me at a paced rate; prints "rate p99"
  measure "$1" -t1 -c10 -d"${seconds}s" -s "$tmp/paced.lua" -H "Authorization: Bearer $token" "$base/me"
}
while_logins_run() {  # command...: runs it while logins saturate the hash pool (a second wrk,
  # started a second before and running a second after it), then waits for that wrk to end
  wrk -t1 -c8 -d"$((seconds + 2))s" -s "$tmp/login.lua" "$base/login" >/dev/null &
  local logins_pid=$!
  sleep 1
  "$@"
  wait "$logins_pid"
}
for r in $(seq "$runs"); do
  echo "run $r:"
  read -r rate _ < <(measure "GET /me (-t2 -c$conns)" -t2 -c"$conns" -d"${seconds}s" \
    -H "Authorization: Bearer $token" "$base/me")
  me+=("$rate")
  read -r rate _ < <(measure "POST /login (-t1 -c8)" -t1 -c8 -d"${seconds}s" -s "$tmp/login.lua" "$base/login")
  logins+=("$rate")
  read -r rate p99 < <(while_logins_run measure "GET /me while logins run (-t1 -c10)" -t1 -c10 \
    -d"${seconds}s" -H "Authorization: Bearer $token" "$base/me")
  loaded+=("$rate"); loaded_p99+=("$p99")
  read -r _ p99 < <(paced "GET /me paced, alone")
  paced_p99+=("$p99")
  read -r _ p99 < <(while_logins_run paced "GET /me paced, logins running")
  paced_loaded_p99+=("$p99")
done
summary() {
  sort -g | awk -v what="$1" '{v[NR] = $1} END {
    printf "%-44s min %8.1f  median %8.1f  max %8.1f\n", what, v[1], v[int((NR + 1) / 2)], v[NR] }'
}
echo "$runs runs of ${seconds}s:"
printf '%s\n' "${me[@]}" | summary "GET /me requests/s (keep-alive):"
printf '%s\n' "${logins[@]}" | summary "login checks/s:"
printf '%s\n' "${loaded[@]}" | summary "GET /me requests/s under logins:"
to_ms() { sed 's/ms$//; s/us$/e-3/; s/s$/e3/'; }
printf '%s\n' "${loaded_p99[@]}" | to_ms | summary "GET /me p99 ms under logins:"
printf '%s\n' "${paced_p99[@]}" | to_ms | summary "GET /me paced p99 ms, alone:"
printf '%s\n' "${paced_loaded_p99[@]}" | to_ms | summary "GET /me paced p99 ms, logins running:"
