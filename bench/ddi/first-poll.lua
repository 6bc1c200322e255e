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

done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d errors=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
