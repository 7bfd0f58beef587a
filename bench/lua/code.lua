-- Authorization code + PKCE for a person already logged in: a connection sends
-- GET /authorize with the session cookie and a fixed S256 challenge, unless a
-- code is waiting in the thread's queue: then it sends POST /oauth/token with
-- that code and the verifier.  One operation = one code redeemed (a pair).
--   wrk ... -s code.lua BASE_URL -- "<authorize path?query>" "<Cookie>" "<token path>"
--       "<Authorization>" "<token form fields without the code>"
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local authorize, cookie, token_path, auth, fields
local codes = {}

function init(args)
  authorize, cookie, token_path, auth, fields = args[1], args[2], args[3], args[4], args[5]
end

function request()
  local code = table.remove(codes)
  if code then
    return wrk.format("POST", token_path, {
      ["Authorization"] = auth,
      ["Content-Type"] = "application/x-www-form-urlencoded",
    }, fields .. "&code=" .. code)
  end
  return wrk.format("GET", authorize, { ["Cookie"] = cookie })
end

function response(status, headers, body)
  if status == 302 or status == 303 then
    local location = headers["Location"] or headers["location"] or ""
    local code = location:match("[?&]code=([^&#]+)")
    if code then
      good = good + 1
      table.insert(codes, code)
      return
    end
  elseif status == 200 and body:find('"access_token"', 1, true) then
    good = good + 1
    ops = ops + 1
    return
  end
  tally(status, -1)
end
