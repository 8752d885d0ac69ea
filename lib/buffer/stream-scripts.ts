/* The Lua scripts PaperStream runs in Redis, each as one atomic step. */

// ARGV: run, ttl, embedder version ('' for none), then (paper id, item number, paper JSON, raw key)
// per paper. A paper id seen before at the same item number is a retried page (skipped silently);
// at another item number, a duplicate listing (skipped and counted).
export const PUBLISH_SCRIPT = `
local published = 0
local duplicates = 0
for i = 4, #ARGV, 4 do
  if redis.call('HSETNX', KEYS[2], ARGV[i], ARGV[i + 1]) == 1 then
    if ARGV[3] == '' then
      redis.call('XADD', KEYS[1], '*', 'paper', ARGV[i + 2], 'raw', ARGV[i + 3], 'run', ARGV[1])
    else
      redis.call('XADD', KEYS[1], '*', 'paper', ARGV[i + 2], 'raw', ARGV[i + 3], 'run', ARGV[1], 'embedder', ARGV[3])
    end
    published = published + 1
  elseif redis.call('HGET', KEYS[2], ARGV[i]) ~= ARGV[i + 1] then
    duplicates = duplicates + 1
  end
end
redis.call('EXPIRE', KEYS[2], ARGV[2])
return {published, duplicates}
`;

// KEYS[1] stream; ARGV: group, key prefix of the per-run outcome hashes, ttl, then (id, run, outcome)
// per entry. Counts only what this call acknowledged, so a message processed twice counts once.
export const ACKNOWLEDGE_SCRIPT = `
local acknowledged = 0
for i = 4, #ARGV, 3 do
  if redis.call('XACK', KEYS[1], ARGV[1], ARGV[i]) == 1 then
    redis.call('XDEL', KEYS[1], ARGV[i])
    local counters = ARGV[2] .. ARGV[i + 1]
    redis.call('HINCRBY', counters, ARGV[i + 2], 1)
    if ARGV[i + 2] ~= 'dead' then redis.call('HINCRBY', counters, 'stored', 1) end
    redis.call('EXPIRE', counters, ARGV[3])
    acknowledged = acknowledged + 1
  end
end
return acknowledged
`;
