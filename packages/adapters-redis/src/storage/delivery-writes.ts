import type { Redis } from 'ioredis';
import { LuaScript } from '../lua-script.js';

/**
 * Shared head of the delivery write scripts. `KEYS[1]` is the campaign's counter hash, `KEYS[2]` its
 * delivery id index; `ARGV[1]` is a JSON array of counter deltas (each a flat `[field, n, …]`),
 * `ARGV[2]` one character per item naming the delta its write applies (`' '`: none; else the
 * delta's 1-based number plus 32). Counters are summed over the applied items and moved once per
 * field at the end, atomically with the writes.
 */
const HEAD = `
local call = redis.call
local codes = ARGV[2]
local out, times = {}, {}
local function counted(i)
  local d = string.byte(codes, i) - 32
  if d > 0 then times[d] = (times[d] or 0) + 1 end
end
local function applyCounts()
  if next(times) == nil then return end
  local deltas, sums = cjson.decode(ARGV[1]), {}
  for d, n in pairs(times) do
    local delta = deltas[d]
    for f = 1, #delta, 2 do sums[delta[f]] = (sums[delta[f]] or 0) + delta[f + 1] * n end
  end
  for field, v in pairs(sums) do
    if v ~= 0 then call('HINCRBY', KEYS[1], field, string.format('%d', v)) end
  end
end
`;

/**
 * Creates deliveries. Item `i`: `KEYS[2i+1]` its state key, `KEYS[2i+2]` its body key;
 * `ARGV[3i]` the state record, `ARGV[3i+1]` the body, `ARGV[3i+2]` the delivery id. An item applies
 * only if its state key is absent (`SET NX`); then its body is written, its id added to the index
 * and its delta counted. Returns one character per item: `1` created, `0` already there.
 */
const CREATE_LUA = `${HEAD}
local adds = {}
for i = 1, (#KEYS - 2) / 2 do
  local a = 3 * i
  if call('SET', KEYS[2 * i + 1], ARGV[a], 'NX') then
    call('SET', KEYS[2 * i + 2], ARGV[a + 1])
    adds[#adds + 1] = 0
    adds[#adds + 1] = ARGV[a + 2]
    counted(i)
    out[i] = '1'
  else
    out[i] = '0'
  end
end
for s = 1, #adds, 1000 do call('ZADD', KEYS[2], unpack(adds, s, math.min(#adds, s + 999))) end
applyCounts()
return table.concat(out)
`;

/**
 * Moves deliveries. Item `i`: `KEYS[i+2]` its state key, `ARGV[i+2]` the state record to write,
 * `rev|json`. An item applies only if the key holds revision `rev - 1` (compare-and-set). An item
 * that fails "poisons" its key, so a later item of the batch computed from its unwritten result
 * fails too. Returns one character per item: `1` applied, `0` conflict.
 */
const TRANSITION_LUA = `${HEAD}
local bad = {}
for i = 1, #KEYS - 2 do
  local k, v = KEYS[i + 2], ARGV[i + 2]
  local ok = false
  if not bad[k] then
    local bar = string.find(v, '|', 1, true)
    local expected = (tonumber(string.sub(v, 1, bar - 1)) - 1) .. '|'
    ok = call('GETRANGE', k, 0, #expected - 1) == expected
  end
  if ok then
    call('SET', k, v)
    counted(i)
    out[i] = '1'
  else
    bad[k] = true
    out[i] = '0'
  end
end
applyCounts()
return table.concat(out)
`;

const createScript = new LuaScript(CREATE_LUA);
const transitionScript = new LuaScript(TRANSITION_LUA);

/** Distinct deltas one batch can name (the printable ASCII characters after the space). */
const MAX_DELTAS = 94;

/**
 * The writes of one campaign's deliveries in one script run: either creations or transitions, never
 * both. Built for volume: no per-item JSON on the server (keys and records are plain arguments, the
 * item's counter delta one character of a string), so a batch of thousands of deliveries costs
 * little more than its `SET`s.
 */
export class DeliveryWriteBatch {
  private readonly keys: string[];
  private readonly args: string[] = ['', ''];
  private codes = '';
  private readonly deltaIndex = new Map<string, number>();
  private readonly deltas: (readonly (string | number)[])[] = [];
  private count = 0;

  /**
   * @param kind `create` or `transition`.
   * @param countsKey The campaign's counter hash.
   * @param idsKey The campaign's delivery id index.
   */
  constructor(
    readonly kind: 'create' | 'transition',
    countsKey: string,
    idsKey: string,
  ) {
    this.keys = [countsKey, idsKey];
  }

  /** Number of items added. */
  get size(): number {
    return this.count;
  }

  /** False when `delta` would be one distinct delta too many: start another batch. */
  accepts(delta: readonly (string | number)[]): boolean {
    return delta.length === 0 || this.deltas.length < MAX_DELTAS || this.deltaIndex.has(delta.join(','));
  }

  /** Adds a creation: `state` under `stateKey` if absent, then `body` and the index entry `id`. */
  create(
    stateKey: string,
    state: string,
    bodyKey: string,
    body: string,
    id: string,
    delta: readonly (string | number)[],
  ): number {
    this.keys.push(stateKey, bodyKey);
    this.args.push(state, body, id);
    return this.added(delta);
  }

  /** Adds a transition: `record` (`rev|json`) under `key` if it holds revision `rev - 1`. */
  transition(key: string, record: string, delta: readonly (string | number)[]): number {
    this.keys.push(key);
    this.args.push(record);
    return this.added(delta);
  }

  private added(delta: readonly (string | number)[]): number {
    let code = 0;
    if (delta.length > 0) {
      const id = delta.join(',');
      code = this.deltaIndex.get(id) ?? 0;
      if (code === 0) {
        if (this.deltas.length >= MAX_DELTAS)
          throw new Error('internal: too many distinct deltas in a batch');
        this.deltas.push(delta);
        code = this.deltas.length;
        this.deltaIndex.set(id, code);
      }
    }
    this.codes += String.fromCharCode(32 + code);
    return this.count++;
  }

  /** Runs the batch; per item (in the order added), whether it applied. */
  async run(client: Redis): Promise<boolean[]> {
    const n = this.count;
    if (n === 0) return [];
    this.args[0] = this.deltas.length === 0 ? '[]' : JSON.stringify(this.deltas);
    this.args[1] = this.codes;
    const script = this.kind === 'create' ? createScript : transitionScript;
    const reply = String(await script.run(client, this.keys, this.args));
    const applied = new Array<boolean>(n);
    for (let i = 0; i < n; i++) applied[i] = reply.charCodeAt(i) === 49;
    return applied;
  }
}
