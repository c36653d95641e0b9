-- wrk script for scripts/load.py: the read-heavy and write-heavy mixes on one deployment.
--
--   wrk -tT ... -s scripts/load.lua URL -- MIX DATA_DIR OFFSET T
--
-- MIX is "read" (hub pages, GET /api/session, POST /api/view) or "write" (likes, unlikes, views,
-- comments). DATA_DIR holds what load.py prepared: cookies.txt (one session cookie a line),
-- pages.txt (static paths), views.txt (the public resumes that are viewed and commented on), like.txt
-- and unlike.txt ("cookie-index resume-id" pairs, not liked / liked before the run, of the other
-- public resumes: a like's answer and a view's have the same shape, told apart by their resumeId). Every like and unlike of a run uses a pair of
-- its own (from OFFSET on, threads interleaved), so each 200 changes exactly one row: the database's
-- final counts can be checked against the answers counted here.
--
-- wrk does not say which request an answer belongs to, so answers are told apart by their body:
-- the resumeId of a viewed resume (view), else "liked":true (a like) or "liked":false (an unlike),
-- "member" (session), a 201 with
-- "comment" (comment), HTML (a page), {"error":{"code"...}} (an error, counted by status and code).

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local function lines(path)
  local out = {}
  for line in io.lines(path) do
    if line ~= "" then out[#out + 1] = line end
  end
  return out
end

local function pair(line)
  local c, r = line:match("^(%d+) (%d+)$")
  return tonumber(c), r
end

function init(args)
  mix = args[1]
  local dir = args[2]
  offset = tonumber(args[3])
  nthreads = tonumber(args[4])
  cookies = lines(dir .. "/cookies.txt")
  pages = lines(dir .. "/pages.txt")
  resumes = lines(dir .. "/views.txt")
  viewed = {}
  for _, r in ipairs(resumes) do viewed[r] = true end
  if mix == "write" then
    like_pairs = lines(dir .. "/like.txt")
    unlike_pairs = lines(dir .. "/unlike.txt")
  end
  origin = wrk.scheme .. "://" .. wrk.host .. ":" .. wrk.port
  k = 0; likes_sent = 0; unlikes_sent = 0; exhausted = 0
  counts = { liked = 0, unliked = 0, comment = 0, view = 0, session = 0, page = 0, other = 0 }
  statuses = {}
  codes = {}
  math.randomseed(os.time() + id * 7919)
end

local function json_post(method, path, cookie, body)
  return wrk.format(method, path, {
    ["Cookie"] = "gitfolio_session=" .. cookie, ["Origin"] = origin,
    ["Content-Type"] = "application/json", ["Host"] = wrk.host .. ":" .. wrk.port }, body)
end

function request()
  k = k + 1
  local roll = math.random(100)
  local cookie = cookies[math.random(#cookies)]
  local resume = resumes[math.random(#resumes)]
  if mix == "read" then
    if roll <= 60 then
      return wrk.format("GET", pages[math.random(#pages)])
    elseif roll <= 85 then
      return wrk.format("GET", "/api/session", { ["Cookie"] = "gitfolio_session=" .. cookie })
    else
      return json_post("POST", "/api/view", cookie, '{"resumeId":' .. resume .. '}')
    end
  end
  -- write: 50% like, 20% unlike, 25% view, 5% comment (5 comments a minute per member pass the
  -- comment rate limit; more are refused with 429 by design)
  if roll <= 50 then
    local i = offset + likes_sent * nthreads + id + 1
    likes_sent = likes_sent + 1
    local c, r = pair(like_pairs[i] or "")
    if c then
      return json_post("POST", "/api/like", cookies[c + 1], '{"resumeId":' .. r .. '}')
    end
    exhausted = exhausted + 1
  elseif roll <= 70 then
    local i = offset + unlikes_sent * nthreads + id + 1
    unlikes_sent = unlikes_sent + 1
    local c, r = pair(unlike_pairs[i] or "")
    if c then
      return json_post("DELETE", "/api/like", cookies[c + 1], '{"resumeId":' .. r .. '}')
    end
    exhausted = exhausted + 1
  elseif roll <= 95 then
    return json_post("POST", "/api/view", cookie, '{"resumeId":' .. resume .. '}')
  end
  return json_post("POST", "/api/comment", cookie,
    '{"resumeId":' .. resume .. ',"body":"load ' .. id .. '-' .. k .. ' 좋은 이력서입니다"}')
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  local code = body:match('^{"error":{"code":"([%w_]+)"')
  if code then
    codes[status .. " " .. code] = (codes[status .. " " .. code] or 0) + 1
  elseif status == 200 and viewed[body:match('"resumeId":(%d+)') or ""] then
    counts.view = counts.view + 1
  elseif status == 200 and body:find('"liked":true', 1, true) then
    counts.liked = counts.liked + 1
  elseif status == 200 and body:find('"liked":false', 1, true) then
    counts.unliked = counts.unliked + 1
  elseif status == 201 and body:find('"comment"', 1, true) then
    counts.comment = counts.comment + 1
  elseif status == 200 and body:find('"member"', 1, true) then
    counts.session = counts.session + 1
  elseif status == 200 and body:find("<!doctype", 1, true) then
    counts.page = counts.page + 1
  else
    counts.other = counts.other + 1
  end
end

function done(summary, latency, requests)
  local total = { liked = 0, unliked = 0, comment = 0, view = 0, session = 0, page = 0, other = 0 }
  local status_total, code_total = {}, {}
  local max_likes, max_unlikes, exhausted_total = 0, 0, 0
  local offset = threads[1]:get("offset")  -- init ran in the threads' states, not in this one
  for _, t in ipairs(threads) do
    local c = t:get("counts")
    for key, v in pairs(c) do total[key] = total[key] + v end
    for s, v in pairs(t:get("statuses")) do status_total[s] = (status_total[s] or 0) + v end
    for s, v in pairs(t:get("codes")) do code_total[s] = (code_total[s] or 0) + v end
    max_likes = math.max(max_likes, t:get("likes_sent"))
    max_unlikes = math.max(max_unlikes, t:get("unlikes_sent"))
    exhausted_total = exhausted_total + t:get("exhausted")
  end
  local parts = {}
  for key, v in pairs(total) do parts[#parts + 1] = string.format('"%s":%d', key, v) end
  local s = {}
  for key, v in pairs(status_total) do s[#s + 1] = string.format('"%s":%d', key, v) end
  local c = {}
  for key, v in pairs(code_total) do c[#c + 1] = string.format('"%s":%d', key, v) end
  io.write(string.format(
    'LOADRESULT {"counts":{%s},"statuses":{%s},"codes":{%s},"next_offset":%d,"exhausted":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,"requests":%d,"socket_errors":%d}\n',
    table.concat(parts, ","), table.concat(s, ","), table.concat(c, ","),
    offset + (math.max(max_likes, max_unlikes) + 1) * #threads, exhausted_total,
    latency:percentile(50), latency:percentile(99), latency.max, summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
