-- wrk script: POST /v1/sessions/<id>/switch over N running sessions, with
-- `Authorization: Bearer $SK_TOKEN` when that variable is set (scripts/loadtest-security).
--   SK_TOKEN=... wrk -t1 -c32 -d5s --latency -s bench/load/switch_auth.lua URL -- N
local token = os.getenv("SK_TOKEN")
local paths, k

function init(args)
  local n = tonumber(args[1] or "64")
  paths = {}
  for i = 1, n do
    paths[i] = "/v1/sessions/10ad0000-0000-4000-8000-" .. string.format("%012x", i) .. "/switch"
  end
  k = 0
end

function request()
  k = k % #paths + 1
  local headers = {}
  if token and token ~= "" then headers["Authorization"] = "Bearer " .. token end
  return wrk.format("POST", paths[k], headers, "")
end
