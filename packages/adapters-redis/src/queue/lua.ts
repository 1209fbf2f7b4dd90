import { LuaScript } from '../lua-script.js';

/**
 * The queue's Lua scripts. Each runs atomically on the server, reads time from the server (`TIME`),
 * and touches only the keys it is given (all of one queue, sharing one hash tag).
 *
 * Stream entries hold `j` (job id) and `p` (encoded payload). A hand-out is identified by the stream
 * entry id plus the entry's delivery counter in the group's pending entries list (PEL): a reclaim
 * (`XAUTOCLAIM`) bumps the counter, a release re-adds the job as a new entry, so a token naming an
 * older hand-out no longer matches and is ignored.
 */

const PRELUDE = `
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function ensureGroup(stream, group)
  if redis.call('EXISTS', stream) == 0 then
    redis.call('XGROUP', 'CREATE', stream, group, '0', 'MKSTREAM')
  end
end
-- The delivery counter of a pending entry, or nil when the entry is not pending.
local function deliveries(stream, group, eid)
  local p = redis.call('XPENDING', stream, group, eid, eid, 1)
  if p[1] then return tonumber(p[1][4]) end
  return nil
end
local function fieldsOf(f)
  local jobId, payload
  for i = 1, #f, 2 do
    if f[i] == 'j' then jobId = f[i + 1] elseif f[i] == 'p' then payload = f[i + 1] end
  end
  return jobId, payload
end
-- Moves up to limit due delayed jobs to the stream, oldest due first.
local function moveDue(stream, delayed, jobs, now, limit)
  local due = redis.call('ZRANGEBYSCORE', delayed, '-inf', now, 'LIMIT', 0, limit)
  for _, id in ipairs(due) do
    local payload = redis.call('HGET', jobs, id)
    if payload then redis.call('XADD', stream, '*', 'j', id, 'p', payload) end
    redis.call('ZREM', delayed, id)
  end
end
`;

/**
 * KEYS: stream, delayed, jobs. ARGV: group, then (id, payload, delayMs) triples.
 * Adds each job whose id is not in the queue yet. Returns how many were added.
 */
export const enqueueScript = new LuaScript(
  `${PRELUDE}
local stream, delayed, jobs = KEYS[1], KEYS[2], KEYS[3]
ensureGroup(stream, ARGV[1])
local now
local added = 0
for i = 2, #ARGV, 3 do
  local id, payload, delay = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  if redis.call('HSETNX', jobs, id, payload) == 1 then
    added = added + 1
    if delay > 0 then
      now = now or nowMs()
      redis.call('ZADD', delayed, now + delay, id)
    else
      redis.call('XADD', stream, '*', 'j', id, 'p', payload)
    end
  end
end
return added
`,
  3,
);

/**
 * KEYS: stream, delayed, jobs, dead, claimCursor.
 * ARGV: group, consumer, max, visibilityMs, maxDeliveries, moveLimit, deadMaxLen (0 = unbounded),
 * reclaimAfterMs (the constant R below).
 *
 * Visibility: a hand-out with visibility V gets its PEL idle time set to R - V (`XCLAIM ... IDLE
 * JUSTID`, which leaves the delivery counter alone), so it becomes `XAUTOCLAIM`-able with min-idle R
 * exactly when its own visibility timeout expires, whatever timeout the reclaiming consumer uses.
 *
 * Moves due delayed jobs to the stream; reclaims expired hand-outs (dead-lettering those already
 * handed out maxDeliveries times); reads new entries. Returns
 * `[waitHintMs, lastId, (entryId, jobId, payload, deliveries)...]`. When nothing was handed out,
 * waitHintMs is the time until the next delayed job falls due (-1: none) and lastId the newest
 * entry id in the stream (a blocking `XREAD` from it wakes on the next new entry).
 */
export const reserveScript = new LuaScript(
  `${PRELUDE}
local stream, delayed, jobs, dead, cursorKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local group, consumer = ARGV[1], ARGV[2]
local max, maxDeliveries = tonumber(ARGV[3]), tonumber(ARGV[5])
local moveLimit, deadMaxLen, reclaimAfter = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local idle = reclaimAfter - math.min(tonumber(ARGV[4]), reclaimAfter)
local now = nowMs()
ensureGroup(stream, group)
moveDue(stream, delayed, jobs, now, moveLimit)
local out = { -1, '' }
local handed = {}
local cursor = redis.call('GET', cursorKey) or '0-0'
local claimed = redis.call('XAUTOCLAIM', stream, group, consumer, reclaimAfter, cursor, 'COUNT', max)
redis.call('SET', cursorKey, claimed[1])
for _, e in ipairs(claimed[2]) do
  local eid, f = e[1], e[2]
  if f then
    local jobId, payload = fieldsOf(f)
    local count = deliveries(stream, group, eid) or 1
    if count > maxDeliveries then
      if deadMaxLen > 0 then
        redis.call('XADD', dead, 'MAXLEN', '=', deadMaxLen, '*', 'j', jobId, 'p', payload, 'n', count - 1, 'at', now)
      else
        redis.call('XADD', dead, '*', 'j', jobId, 'p', payload, 'n', count - 1, 'at', now)
      end
      redis.call('XACK', stream, group, eid)
      redis.call('XDEL', stream, eid)
      redis.call('HDEL', jobs, jobId)
    else
      out[#out + 1] = eid; out[#out + 1] = jobId; out[#out + 1] = payload; out[#out + 1] = count
      handed[#handed + 1] = eid
    end
  end
end
if #handed < max then
  local read = redis.call('XREADGROUP', 'GROUP', group, consumer, 'COUNT', max - #handed, 'STREAMS', stream, '>')
  if read and read[1] then
    for _, e in ipairs(read[1][2]) do
      local jobId, payload = fieldsOf(e[2])
      out[#out + 1] = e[1]; out[#out + 1] = jobId; out[#out + 1] = payload; out[#out + 1] = 1
      handed[#handed + 1] = e[1]
    end
  end
end
-- (unpack expands only as the last argument, so build the argument list)
for i = 1, #handed, 1000 do
  local args = { 'XCLAIM', stream, group, consumer, 0 }
  for k = i, math.min(i + 999, #handed) do args[#args + 1] = handed[k] end
  args[#args + 1] = 'IDLE'; args[#args + 1] = idle; args[#args + 1] = 'JUSTID'
  redis.call(unpack(args))
end
if #handed == 0 then
  local first = redis.call('ZRANGE', delayed, 0, 0, 'WITHSCORES')
  if first[2] then out[1] = math.max(0, tonumber(first[2]) - now) end
  local last = redis.call('XREVRANGE', stream, '+', '-', 'COUNT', 1)
  out[2] = last[1] and last[1][1] or '0-0'
end
return out
`,
  5,
);

/**
 * KEYS: stream, jobs. ARGV: group, then (entryId, deliveries, jobId) triples.
 * Acks and deletes each hand-out that is still current, and forgets its job. Returns how many.
 *
 * The delivery counters come from one `XPENDING` over the batch's id range (a batch read by
 * `XREADGROUP` is a run of consecutive entries, so the range holds little else); entries not found
 * there (already acked, or past the range's count limit when the range spans other hand-outs) are
 * looked up one by one.
 */
export const ackScript = new LuaScript(
  `${PRELUDE}
local stream, jobs, group = KEYS[1], KEYS[2], ARGV[1]
if redis.call('EXISTS', stream) == 0 then return 0 end
local function parts(id)
  local dash = string.find(id, '-', 1, true)
  return tonumber(string.sub(id, 1, dash - 1)), tonumber(string.sub(id, dash + 1))
end
local function less(a, b)
  local am, as = parts(a)
  local bm, bs = parts(b)
  return am < bm or (am == bm and as < bs)
end
local n = (#ARGV - 1) / 3
local lo, hi = ARGV[2], ARGV[2]
for i = 5, #ARGV, 3 do
  if less(ARGV[i], lo) then lo = ARGV[i] end
  if less(hi, ARGV[i]) then hi = ARGV[i] end
end
local known = {}
local limit = n + 16
local range = redis.call('XPENDING', stream, group, lo, hi, limit)
for _, p in ipairs(range) do known[p[1]] = tonumber(p[4]) end
local ids, names = {}, {}
for i = 2, #ARGV, 3 do
  local current = known[ARGV[i]]
  if current == nil then current = deliveries(stream, group, ARGV[i]) end
  if current ~= nil and current == tonumber(ARGV[i + 1]) then
    ids[#ids + 1] = ARGV[i]
    names[#names + 1] = ARGV[i + 2]
  end
end
for i = 1, #ids, 1000 do
  local j = math.min(i + 999, #ids)
  redis.call('XACK', stream, group, unpack(ids, i, j))
  redis.call('XDEL', stream, unpack(ids, i, j))
  redis.call('HDEL', jobs, unpack(names, i, j))
end
return #ids
`,
  2,
);

/**
 * KEYS: stream, delayed, jobs. ARGV: group, entryId, deliveries, jobId, delayMs.
 * If the hand-out is current: acks and deletes its entry and puts the job back, as a new stream
 * entry (delivery counter restarting) or delayed. Returns 1, or 0 for a stale hand-out.
 */
export const releaseScript = new LuaScript(
  `${PRELUDE}
local stream, delayed, jobs = KEYS[1], KEYS[2], KEYS[3]
local group, eid, count, jobId, delay = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5])
if redis.call('EXISTS', stream) == 0 then return 0 end
local current = deliveries(stream, group, eid)
if current == nil or current ~= count then return 0 end
redis.call('XACK', stream, group, eid)
redis.call('XDEL', stream, eid)
local payload = redis.call('HGET', jobs, jobId)
if not payload then return 0 end
if delay > 0 then
  redis.call('ZADD', delayed, nowMs() + delay, jobId)
else
  redis.call('XADD', stream, '*', 'j', jobId, 'p', payload)
end
return 1
`,
  3,
);

/**
 * KEYS: stream, delayed, dead. ARGV: group.
 * Returns `[ready, delayed, inFlight, dead]`, where ready counts undelivered entries plus delayed
 * jobs already due (they move to the stream on the next reserve). Changes nothing.
 */
export const countsScript = new LuaScript(
  `${PRELUDE}
local stream, delayed, dead, group = KEYS[1], KEYS[2], KEYS[3], ARGV[1]
local now = nowMs()
local len = redis.call('XLEN', stream)
local pending = 0
if len > 0 then
  local summary = redis.pcall('XPENDING', stream, group)
  if type(summary) == 'table' and summary[1] then pending = tonumber(summary[1]) end
end
local due = redis.call('ZCOUNT', delayed, '-inf', now)
local waiting = redis.call('ZCARD', delayed)
return { len - pending + due, waiting - due, pending, redis.call('XLEN', dead) }
`,
  3,
);

/** KEYS: stream. ARGV: group. Creates the stream and group if missing (`BUSYGROUP` ignored). */
export const ensureGroupScript = new LuaScript(
  `redis.pcall('XGROUP', 'CREATE', KEYS[1], ARGV[1], '0', 'MKSTREAM')
return 1
`,
  1,
);

/**
 * KEYS: stream. ARGV: group, consumers...
 * Removes the listed consumers that hold no pending entries. Returns how many were removed.
 */
export const dropIdleConsumersScript = new LuaScript(
  `
local stream, group = KEYS[1], ARGV[1]
if redis.call('EXISTS', stream) == 0 then return 0 end
local removed = 0
for i = 2, #ARGV do
  local held = redis.pcall('XPENDING', stream, group, '-', '+', 1, ARGV[i])
  if type(held) == 'table' and not held.err and not held[1] then
    redis.call('XGROUP', 'DELCONSUMER', stream, group, ARGV[i])
    removed = removed + 1
  end
end
return removed
`,
  1,
);
