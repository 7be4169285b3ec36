-- api_urls.lua: wrk script of the JSON API benchmark (bench/api.sh): every connection walks
-- the request list written by `bench_filter --dump-urls` (one target a line), each thread
-- starting at a different place in it. Environment: FICD_BENCH_URLS (the list, required),
-- FICD_BENCH_AE (an Accept-Encoding header value; none when empty).
local urls = {}
local pos = 1
local headers = {["Accept"] = "application/json", ["User-Agent"] = "ficd-bench/1"}

local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end

function init(args)
  local path = os.getenv("FICD_BENCH_URLS")
  for line in io.lines(path) do
    if #line > 0 then urls[#urls + 1] = line end
  end
  if #urls == 0 then error("no URLs in " .. tostring(path)) end
  local ae = os.getenv("FICD_BENCH_AE")
  if ae and #ae > 0 then headers["Accept-Encoding"] = ae end
  pos = ((id or 1) - 1) * math.floor(#urls / 2) % #urls + 1
end

function request()
  local u = urls[pos]
  pos = pos % #urls + 1
  return wrk.format("GET", u, headers)
end
