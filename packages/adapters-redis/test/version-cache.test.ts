import { describe, expect, it } from 'vitest';
import { VersionCache } from '../src/storage/version-cache.js';

describe('VersionCache', () => {
  it('remembers the latest entry per key, forgets deleted keys', () => {
    const cache = new VersionCache(10);
    cache.set('a', { rev: 1, value: 'a1' });
    cache.set('a', { rev: 2, value: 'a2' });
    expect(cache.get('a')).toEqual({ rev: 2, value: 'a2' });
    cache.delete('a');
    expect(cache.get('a')).toBeUndefined();
  });

  it('holds at most `capacity` entries, forgetting the oldest first', () => {
    const cache = new VersionCache(100);
    for (let i = 0; i < 1000; i++) cache.set(`k${i}`, { rev: 1, value: i });
    const kept = Array.from({ length: 1000 }, (_, i) => cache.get(`k${i}`)).filter((e) => e !== undefined);
    expect(kept.length).toBeGreaterThanOrEqual(50);
    expect(kept.length).toBeLessThanOrEqual(100);
    expect(cache.get('k999')).toEqual({ rev: 1, value: 999 });
    expect(cache.get('k0')).toBeUndefined();
  });

  it('an entry rewritten while old moves to the young generation and survives the next turnover', () => {
    const cache = new VersionCache(4); // generations of 2
    cache.set('a', { rev: 1, value: 1 });
    cache.set('b', { rev: 1, value: 1 }); // young full: {a, b} becomes old
    cache.set('a', { rev: 2, value: 2 }); // a moves to young
    cache.set('c', { rev: 1, value: 1 }); // young {a, c} full: becomes old, {b} dropped
    expect(cache.get('a')).toEqual({ rev: 2, value: 2 });
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('c')).toEqual({ rev: 1, value: 1 });
  });
});
