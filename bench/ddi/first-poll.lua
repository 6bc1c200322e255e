-- Each request is the first poll of a new device (gateway token, a controller id never seen):
-- the answer cannot come from the cache, the device is registered, on a worker thread.
local thread_counter = 0
local threads = {}

function setup(thread)
  thread:set("id", thread_counter)
  thread_counter = thread_counter + 1
end

function init(args)
  n = 0
  prefix = "first-" .. (os.getenv("RUN") or "0") .. "-" .. id .. "-"
end

request = function()
  n = n + 1
  return wrk.format("GET", "/default/controller/v1/" .. prefix .. n,
    { ["Authorization"] = "GatewayToken " .. os.getenv("GATEWAY"), ["Accept"] = "application/hal+json" })
end

-- The RESULT line, shared by this bench's scripts (looked up beside this file).
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "result.lua")
