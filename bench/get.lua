-- wrk script: GET the path wrk was given, with the headers in BENCH_TARGETS (a session cookie or a
-- Bearer token), and print the same JSON line as post.lua.
local targets = dofile(os.getenv("BENCH_TARGETS"))

request = function()
  return wrk.format("GET", nil, targets.headers)
end

done = function(summary, latency, requests)
  io.write(string.format(
    'BENCH {"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, ' ..
    '"max_ms": %.2f, "socket_errors": %d, "non_2xx": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(95) / 1e3,
    latency:percentile(99) / 1e3, latency.max / 1e3,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
