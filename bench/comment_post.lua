-- wrk script: POST the comment form with a valid ticket ($BENCH_TICKET) to
-- $BENCH_PATH, a different text each time (so no duplicates).
local path = os.getenv("BENCH_PATH")
local ticket = os.getenv("BENCH_TICKET")
local counter = 0
local id = 0

function setup(thread)
  id = id + 1
  thread:set("tid", id)
end

function request()
  counter = counter + 1
  local body = "name=Leserin+" .. tid .. "&email=&text=Ein+sachlicher+Kommentar+zum+Thema+Nummer+"
    .. tid .. "-" .. counter .. "&ticket=" .. ticket .. "&website="
  return wrk.format("POST", path, { ["Content-Type"] = "application/x-www-form-urlencoded" }, body)
end

local codes = {}
function response(status, headers, body)
  codes[status] = (codes[status] or 0) + 1
end

function done(summary, latency, requests)
  io.write(string.format("requests %d\n", summary.requests))
end
