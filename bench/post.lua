-- wrk script: POST questionnaire bodies in turn to the paths listed in BENCH_TARGETS (a Lua file
-- written by bench/run.py returning {headers = {...}, requests = {{path, body}, ...}}), and print
-- the latency percentiles and the status counts as one JSON line at the end.
local targets = dofile(os.getenv("BENCH_TARGETS"))
local i = 0
local statuses = {}

request = function()
  i = i + 1
  local t = targets.requests[(i % #targets.requests) + 1]
  return wrk.format("POST", t[1], targets.headers, t[2])
end

response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

done = function(summary, latency, requests)
  local codes = {}
  for code, n in pairs(statuses) do codes[#codes + 1] = string.format('"%d": %d', code, n) end
  io.write(string.format(
    'BENCH {"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, ' ..
    '"max_ms": %.2f, "socket_errors": %d, "non_2xx": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(95) / 1e3,
    latency:percentile(99) / 1e3, latency.max / 1e3,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
