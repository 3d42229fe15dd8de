-- Appended to a generated preamble that sets wrk.method, wrk.headers and wrk.body.
-- Counts every response by its exact status code in each thread, then prints one line
-- "BENCH_RESULT {json}" with the totals, wrk's own error counters and latency percentiles.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   statuses = {}
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
   local totals = {}
   for _, thread in ipairs(threads) do
      local counted = thread:get("statuses") or {}
      for status, n in pairs(counted) do
         totals[status] = (totals[status] or 0) + n
      end
   end
   local parts = {}
   for status, n in pairs(totals) do
      table.insert(parts, string.format('"%d": %d', status, n))
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH_RESULT {"requests": %d, "duration_us": %d, "statuses": {%s}, ' ..
      '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, ' ..
      '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
      summary.requests, summary.duration, table.concat(parts, ", "),
      e.connect, e.read, e.write, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency.max, latency.mean))
end
