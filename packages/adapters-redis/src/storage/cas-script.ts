import { LuaScript } from '../lua-script.js';

/**
 * The generic compare-and-set script.
 *
 * - `KEYS`: every key of the batch, once; operations refer to them by index `k`.
 * - `ARGV[1]`: JSON array of items, each a flat array of operations (decoded by the server's
 *   built-in `cjson`: far cheaper than thousands of separate arguments).
 * - `ARGV[2]`: JSON array of counter deltas, each a flat `[field, n, field, n, …]`, shared by the
 *   items that move counters the same way (in a batch of transitions most are alike).
 * - `ARGV[3…]`: the record values written, referred to by index `v` (kept out of the JSON so the
 *   server does not have to unescape them).
 *
 * Operations:
 * - `"c", k, rev`: the item applies only if `KEYS[k]` is at revision `rev` (`0`: absent). Checks
 *   come first in an item.
 * - `"n", k, v`: `SET NX`, the last check of an item (at most one): the item applies only if
 *   `KEYS[k]` was absent (one call instead of `EXISTS` + `SET`).
 * - `"w", k, v`: `SET`. `"d", k`: `DEL`.
 * - `"za", k, member` / `"zr", k, member`: `ZADD` (score 0; sent in bulk per key) / `ZREM`.
 * - `"i", k, delta`: `HINCRBY` of every field of delta number `delta` on hash `KEYS[k]`; summed over
 *   the applied items and applied once per field at the end.
 *
 * Items run in order; an item whose checks fail changes nothing, and "poisons" the keys it checks
 * or writes, so later items of the batch that were computed from its (unwritten) result fail too.
 * Returns one character per item: `1` applied, `0` conflict.
 */
export const CAS_LUA = `
local items = cjson.decode(ARGV[1])
local deltas = cjson.decode(ARGV[2])
local out, bad, counts, adds = {}, {}, {}, {}
local call = redis.call
local function flush(k)
  local a = adds[k]
  if not a then return end
  adds[k] = nil
  for s = 1, #a, 1000 do call('ZADD', KEYS[k], unpack(a, s, math.min(#a, s + 999))) end
end
for n = 1, #items do
  local it = items[n]
  local last = #it
  local ok, j = true, 1
  while j <= last and it[j] == 'c' do
    local k, rev = it[j + 1], it[j + 2]
    if bad[k] then
      ok = false
    elseif rev == 0 then
      if call('EXISTS', KEYS[k]) == 1 then ok = false end
    else
      local p = rev .. '|'
      if call('GETRANGE', KEYS[k], 0, #p - 1) ~= p then ok = false end
    end
    if not ok then break end
    j = j + 3
  end
  if ok and j <= last and it[j] == 'n' then
    local k = it[j + 1]
    if bad[k] or not call('SET', KEYS[k], ARGV[it[j + 2]], 'NX') then ok = false end
    j = j + 3
  end
  if ok then
    while j <= last do
      local op, k = it[j], it[j + 1]
      if op == 'w' then
        call('SET', KEYS[k], ARGV[it[j + 2]])
      elseif op == 'i' then
        local c = counts[k]
        if not c then c = {}; counts[k] = c end
        local d = it[j + 2]
        c[d] = (c[d] or 0) + 1
      elseif op == 'za' then
        local a = adds[k]
        if not a then a = {}; adds[k] = a end
        a[#a + 1] = 0; a[#a + 1] = it[j + 2]
      elseif op == 'zr' then
        flush(k); call('ZREM', KEYS[k], it[j + 2])
      elseif op == 'd' then
        call('DEL', KEYS[k]); j = j - 1
      else
        return redis.error_reply('ERR minicrm cas: unknown op ' .. tostring(op))
      end
      j = j + 3
    end
    out[n] = '1'
  else
    j = 1
    while j <= last do
      local op = it[j]
      if op == 'c' or op == 'n' or op == 'w' or op == 'd' then bad[it[j + 1]] = true end
      if op == 'd' then j = j + 2 else j = j + 3 end
    end
    out[n] = '0'
  end
end
for k in pairs(adds) do flush(k) end
for k, c in pairs(counts) do
  local sums = {}
  for d, times in pairs(c) do
    local delta = deltas[d]
    for f = 1, #delta, 2 do sums[delta[f]] = (sums[delta[f]] or 0) + delta[f + 1] * times end
  end
  for field, v in pairs(sums) do
    if v ~= 0 then call('HINCRBY', KEYS[k], field, string.format('%d', v)) end
  end
end
return table.concat(out)
`;

/** The compiled {@link CAS_LUA}. */
export const casScript = new LuaScript(CAS_LUA);
