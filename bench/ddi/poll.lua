-- Each request polls as a random one of the first POLL_DEVICES (default: all DEVICES) devices,
-- with its own token.
local n = tonumber(os.getenv("POLL_DEVICES") or os.getenv("DEVICES") or "100000")
local tenant = os.getenv("TENANT") or "default"
math.randomseed(tonumber(os.getenv("SEED") or "1") + os.time())

request = function()
  local i = math.random(1, n)
  return wrk.format("GET", "/" .. tenant .. "/controller/v1/dev-" .. i,
    { ["Authorization"] = "TargetToken tok-" .. i, ["Accept"] = "application/hal+json" })
end

-- The RESULT line, shared by this bench's scripts (looked up beside this file).
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "result.lua")
