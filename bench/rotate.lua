-- wrk script: rotate over many different article paths (one a line in $BENCH_PATHS).
-- Each wrk thread starts at a different offset and walks the list in order, so
-- with N paths and T threads every path is requested once per N requests per thread.
-- Used for (d): against `depesche serve --no-cache` every request is a cache miss.
local paths = {}
local file = os.getenv("BENCH_PATHS")
if not file then error("BENCH_PATHS is not set") end
for line in io.lines(file) do
  if line ~= "" then paths[#paths + 1] = line end
end
if #paths == 0 then error("no paths in " .. file) end

local counter = 0
local threads_made = 0

function setup(thread)
  thread:set("offset", threads_made * 7919)   -- a prime: spreads the threads over the list
  threads_made = threads_made + 1
end

function init(args)
  counter = offset or 0   -- global set by thread:set() in setup()
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
