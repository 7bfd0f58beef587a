-- GET /userinfo with opaque access tokens: each thread cycles through its own
-- pool of pre-issued tokens (a token stays good for many requests).
--   wrk ... -s userinfo.lua URL -- <pool file prefix>   (reads <prefix>.<thread id>)
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local tokens, i

function init(args)
  tokens = read_lines(args[1] .. "." .. id)
  i = 0
end

function request()
  i = i % #tokens + 1
  return wrk.format("GET", nil, { ["Authorization"] = "Bearer " .. tokens[i] })
end

function response(status, headers, body)
  if tally(status) then ops = ops + 1 end
end
