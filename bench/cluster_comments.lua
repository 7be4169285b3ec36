-- cluster_comments.lua: wrk script of bench/cluster.sh's write round: every request is a
-- guest's comment (POST /works/ID/comments with the form's guest token), so that each one is
-- a write transaction (the comment, the work's counter, the creator's inbox, a change-log
-- row). FICD_BENCH_COMMENTS names a file of "PATH TOKEN" lines.
local forms = {}
local n = 0
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end

function init(args)
  for line in io.lines(os.getenv("FICD_BENCH_COMMENTS")) do
    local path, tok = line:match("^(%S+) (%S+)$")
    if path then forms[#forms + 1] = {path, tok} end
  end
  if #forms == 0 then error("no comment forms") end
  n = (id or 1) * 1000003
end

function request()
  n = n + 1
  local f = forms[n % #forms + 1]
  return wrk.format("POST", f[1], {["Content-Type"] = "application/x-www-form-urlencoded"},
    "authenticity_token=" .. f[2] .. "&name=Guest&email=guest%40example.org" ..
    "&content=A+comment+number+" .. n .. "+from+the+benchmark.")
end
