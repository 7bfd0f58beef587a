-- Refresh-token rotation: each thread holds a pool of pre-issued refresh tokens
-- (more than its connections), sends each one once, and puts the new refresh
-- token of every answer back in the pool, so no token is ever used twice.
--   wrk ... -s refresh.lua TOKEN_URL -- <pool file prefix> "<Authorization>" "<extra form fields>"
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local pool, auth, extra

function init(args)
  pool = read_lines(args[1] .. "." .. id)
  auth = args[2]
  extra = args[3] or ""
end

function request()
  -- An empty pool (earlier refusals lost their tokens) sends a token that is
  -- refused: the answer counts as bad, not as throughput.
  local token = table.remove(pool) or "pool-empty"
  return wrk.format("POST", nil, {
    ["Authorization"] = auth,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, "grant_type=refresh_token&refresh_token=" .. token .. extra)
end

function response(status, headers, body)
  if tally(status) then
    local next = body:match('"refresh_token"%s*:%s*"([^"]+)"')
    if next then
      table.insert(pool, next)
      ops = ops + 1
    else
      good, bad = good - 1, bad + 1
    end
  end
end
