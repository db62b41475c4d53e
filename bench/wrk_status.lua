-- wrk script for bench/http_bench.py: rotates over the paths listed in $WRK_PATHS, sends $WRK_COOKIE,
-- counts 5xx/4xx answers over all threads and prints them with the latency percentiles (microseconds).
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for line in io.lines(os.getenv("WRK_PATHS")) do
    if #line > 0 then table.insert(paths, line) end
  end
  idx = math.random(#paths)
  s5xx, s4xx = 0, 0
  local cookie = os.getenv("WRK_COOKIE")
  if cookie and #cookie > 0 then wrk.headers["Cookie"] = cookie end
end

function request()
  idx = idx % #paths + 1
  return wrk.format("GET", paths[idx])
end

function response(status, headers, body)
  if status >= 500 then s5xx = s5xx + 1 elseif status >= 400 then s4xx = s4xx + 1 end
end

function done(summary, latency, requests)
  local t5, t4 = 0, 0
  for _, thread in ipairs(threads) do
    t5 = t5 + thread:get("s5xx")
    t4 = t4 + thread:get("s4xx")
  end
  io.write(string.format("STATUS 5xx=%d 4xx=%d\n", t5, t4))
  io.write(string.format("LAT p50=%.0f p99=%.0f\n", latency:percentile(50), latency:percentile(99)))
end
