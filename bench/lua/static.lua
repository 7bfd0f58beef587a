-- One fixed request, sent again and again: GET of the URL (JWKS, discovery,
-- nginx GET), or with args a POST: wrk ... -- POST "<Authorization>" "<form body>"
-- (client_credentials, nginx POST).  Every 2xx answer is one operation.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

function init(args)
  if args[1] == "POST" then
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
    if args[2] ~= "" then wrk.headers["Authorization"] = args[2] end
    wrk.body = args[3]
  end
end

function response(status, headers, body)
  if tally(status) then ops = ops + 1 end
end
