-- Shared by every scenario (loaded with dofile from BENCH_LUA_DIR): numbers
-- each wrk thread, counts answers per thread as good (2xx, or the status the
-- scenario expects) or bad, and prints one line of totals as JSON from done()
-- so that refused answers are reported, never counted as throughput.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

good, bad, ops = 0, 0, 0

-- A scenario whose operation is not one request (code + PKCE) counts ops itself.
function tally(status, expected)
  if status == expected or (expected == nil and status >= 200 and status < 300) then
    good = good + 1
    return true
  end
  bad = bad + 1
  if bad <= 3 then io.stderr:write("unexpected status " .. status .. "\n") end
  return false
end

-- Every request's body is read from a per-thread file: one token a line.
function read_lines(path)
  local lines = {}
  local f = assert(io.open(path, "r"))
  for line in f:lines() do
    if #line > 0 then table.insert(lines, line) end
  end
  f:close()
  return lines
end

function done(summary, latency, requests)
  local g, b, o = 0, 0, 0
  for _, t in ipairs(threads) do
    g = g + t:get("good")
    b = b + t:get("bad")
    o = o + t:get("ops")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"duration_us":%d,"requests":%d,"good":%d,"bad":%d,"ops":%d,' ..
    '"p50_us":%d,"p99_us":%d,"max_us":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\n',
    summary.duration, summary.requests, g, b, o,
    latency:percentile(50), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
