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

done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d errors=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
