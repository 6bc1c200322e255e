-- Polls every device once, in order (thread k of N takes devices k+1, k+1+N, ...), so that the
-- measurement starts from the steady state of a fleet whose devices all poll regularly.
local n = tonumber(os.getenv("POLL_DEVICES") or os.getenv("DEVICES") or "100000")
local threads = {}

function setup(thread)
  thread:set("first", #threads)
  table.insert(threads, thread)
  for _, t in ipairs(threads) do t:set("step", #threads) end
end

function init(args)
  next_device = first
end

request = function()
  local i = (next_device % n) + 1
  next_device = next_device + step
  return wrk.format("GET", "/default/controller/v1/dev-" .. i,
    { ["Authorization"] = "TargetToken tok-" .. i, ["Accept"] = "application/hal+json" })
end
