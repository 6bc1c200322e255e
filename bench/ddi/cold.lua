-- The cold pass: every device's first poll, each device once, in order from FIRST (default 1) to
-- DEVICES. Run with one wrk thread (-t1), so that one counter hands out the devices; run.sh calls
-- it in segments (each starts where the previous one stopped) until every device has polled.
-- The thread stops once every device was asked for and answered.
local last = tonumber(os.getenv("DEVICES") or "100000")
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  next_device = tonumber(os.getenv("FIRST") or "1")
  asked = 0
  answered = 0
end

request = function()
  local i = next_device
  if i > last then
    i = last -- only the last few in-flight requests of the pass; the thread stops at their answer
  else
    next_device = next_device + 1
    asked = asked + 1
  end
  return wrk.format("GET", "/default/controller/v1/dev-" .. i,
    { ["Authorization"] = "TargetToken tok-" .. i, ["Accept"] = "application/hal+json" })
end

response = function(status, headers, body)
  answered = answered + 1
  if next_device > last and answered >= asked then
    wrk.thread:stop()
  end
end

done = function(summary, latency, requests)
  io.write(string.format("NEXT %d\n", threads[1]:get("next_device")))
end

-- The RESULT line, shared by this bench's scripts (looked up beside this file).
local shared_done = done
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "result.lua")
local result_done = done
done = function(summary, latency, requests)
  shared_done(summary, latency, requests)
  result_done(summary, latency, requests)
end
