-- wrk script for the SyncKairos REST hot paths (scripts/loadtest runs it).
--
--   wrk -t2 -c64 -d10s --latency -s bench/load/switch.lua http://127.0.0.1:PORT \
--       -- MODE N THREADS [PREFIX] [TAG]
--
-- MODE is "switch" (POST /v1/sessions/<id>/switch, empty body), "get"
-- (GET /v1/sessions/<id>) or "create" (POST /v1/sessions of a new two-player
-- per_participant session, a fresh id per request: c0de000<thread>-..., or with TAG, a
-- number below 65536, <TAG as 4 hex digits>000<thread>-..., so that several create runs
-- against one server never repeat an id). N sessions must exist and be running; their ids are
-- derived deterministically: PREFIX .. string.format("%012x", n) for n = 1..N, PREFIX
-- defaulting to "10ad0000-0000-4000-8000-" (scripts/loadtest creates them with curl).
-- Use per_participant sessions with 24 h banks: a switch then never expires one
-- during a run.
--
-- Plain wrk does not tell request() which connection it is called for, so each wrk
-- thread owns a disjoint slice of the N sessions (its index is handed out in setup();
-- THREADS must repeat wrk's -t, which scripts cannot read) and cycles through it with
-- a thread-local counter. With -c64 -t2 and N = 64 every thread's 32
-- connections share its 32 sessions: on average one session per connection, never a
-- session shared between the two threads.

local thread_count = 0

function setup(thread)
  thread:set("index", thread_count)
  thread_count = thread_count + 1
end

local mode, requests, next_request, tag

function init(args)
  mode = args[1] or "switch"
  local n = tonumber(args[2] or "64")
  local t = tonumber(args[3] or "1")
  local prefix = args[4] or "10ad0000-0000-4000-8000-"
  tag = tonumber(args[5] or "49374")  -- 0xc0de
  assert(tag and tag >= 0 and tag < 65536, "TAG must be 0..65535")
  assert(mode == "switch" or mode == "get" or mode == "create",
         "MODE must be switch, get or create")
  assert(n and n >= 1 and n <= 100000, "N must be 1..100000")
  assert(t and t >= 1 and index < t, "THREADS must be wrk's -t")
  local first = math.floor(n * index / t) + 1
  local last = math.floor(n * (index + 1) / t)
  if last < first then last = first end
  requests = {}
  for i = first, last do
    local id = prefix .. string.format("%012x", i)
    if mode == "switch" then
      -- An empty body: wrk.format sends Content-Length: 0.
      requests[#requests + 1] = wrk.format("POST", "/v1/sessions/" .. id .. "/switch", {}, "")
    else
      requests[#requests + 1] = wrk.format("GET", "/v1/sessions/" .. id, {})
    end
  end
  next_request = 0
end

local create_body = '{"sync_mode":"per_participant","total_time_ms":86400000,' ..
  '"participants":[{"participant_id":"11111111-1111-4111-8111-111111111111"},' ..
  '{"participant_id":"22222222-2222-4222-8222-222222222222"}],"session_id":"'
local created = 0

function request()
  if mode == "create" then
    created = created + 1
    local id = string.format("%04x%04x-0000-4000-8000-%012x", tag, index, created)
    return wrk.format("POST", "/v1/sessions", {["Content-Type"] = "application/json"},
                      create_body .. id .. '"}')
  end
  next_request = next_request % #requests + 1
  return requests[next_request]
end

function done(summary, latency, requests_)
  local s = summary
  local errors = s.errors.connect + s.errors.read + s.errors.write + s.errors.timeout
  io.write(string.format("loadtest: %d requests, %.0f req/s, socket errors %d, non-2xx %d\n",
                         s.requests, s.requests / (s.duration / 1e6), errors, s.errors.status))
end
