-- soak.lua: wrk script of the soak (bench/soak.sh). Each request is drawn from a mix:
-- 35 % cached pages (anonymous work pages, /works, the front page), 22 % rendered pages
-- (the same read by a signed-in user: never from the cache), 20 % searches (full text and
-- filters through /works), 20 % JSON API calls, 3 % posts by signed-in users (each edits
-- its own work's summary through POST /works/ID/edit: a real write, re-indexed, that does
-- not grow the archive). Every status of 400 or more is counted and reported by done().
-- Environment: FICD_SOAK_USERS (lines "cookie<TAB>csrf token<TAB>work id<TAB>name"),
-- FICD_SOAK_WORKS (the highest demo work id).
local users = {}
local nworks = 200
local words = {"harbour", "night", "lantern", "quiet", "sea", "stone", "road", "\"cold wind\"",
               "light -rope", "wa*", "door OR window"}
local fandoms = {"", "&fandom=Tidewater%20Chronicles"}
local sorts = {"", "&sort=kudos", "&sort=updated", "&sort=words"}
local errors = 0
local statuses = {}
local thread_errors = {}
local counter = 0
local threads = {}

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() + (id or 1) * 7919)
  for line in io.lines(os.getenv("FICD_SOAK_USERS")) do
    local c, t, w, n = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)$")
    if c then users[#users + 1] = {cookie = c, token = t, work = w, name = n} end
  end
  nworks = tonumber(os.getenv("FICD_SOAK_WORKS") or "200")
  bad = 0
  codes = {}
end

local function pick(t) return t[math.random(#t)] end

function request()
  local r = math.random(100)
  local wid = math.random(nworks)
  if r <= 35 then
    local p = math.random(3)
    if p == 1 then return wrk.format("GET", "/works/" .. wid) end
    if p == 2 then return wrk.format("GET", "/works?page=" .. math.random(5)) end
    return wrk.format("GET", "/")
  end
  local u = pick(users)
  if r <= 57 then
    return wrk.format("GET", "/works/" .. wid, {["Cookie"] = u.cookie})
  end
  if r <= 77 then
    local q = pick(words):gsub(" ", "+"):gsub("\"", "%%22")
    return wrk.format("GET", "/works?q=" .. q .. pick(fandoms) .. pick(sorts))
  end
  if r <= 97 then
    return wrk.format("GET", "/api/v1/works?per_page=10&q=" .. pick(words):gsub(" ", "+"):gsub("\"", "%%22")
                      .. pick(sorts), {["Accept"] = "application/json"})
  end
  local body = "authenticity_token=" .. u.token .. "&pseud=" .. u.name ..
      "&title=Soak+work+of+" .. u.name .. "&summary=Edited+at+" .. math.random(1000000) ..
      "&rating=1&warning=8&fandoms=Soak+Fandom&language=English&format=html" ..
      "&chapter_text=%3Cp%3ESoak+text.%3C%2Fp%3E&commit=post"
  return wrk.format("POST", "/works/" .. u.work .. "/edit",
                    {["Cookie"] = u.cookie, ["Content-Type"] = "application/x-www-form-urlencoded"},
                    body)
end

function response(status, headers, body)
  if status >= 400 then
    bad = bad + 1
    codes[status] = (codes[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local total_bad = 0
  local byc = {}
  for _, t in ipairs(threads) do
    total_bad = total_bad + (t:get("bad") or 0)
    local c = t:get("codes") or {}
    for k, v in pairs(c) do byc[k] = (byc[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(byc) do parts[#parts + 1] = k .. ":" .. v end
  io.write(string.format("SOAK requests=%d errors_http=%d errors_socket=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f rps=%.0f codes=%s\n",
    summary.requests, total_bad,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.requests / (summary.duration / 1e6), table.concat(parts, ",")))
end
