import { describe, expect, it } from 'vitest';
import { createKeyMemory } from '../../src/vendor/key-memory.js';

describe('createKeyMemory', () => {
  it('holds at most maxKeys keys and always the newest maxKeys / 2', () => {
    const memory = createKeyMemory<number>(60_000, 100, () => 0);
    for (let i = 0; i < 1000; i++) memory.set(`k${i}`, i);
    expect(memory.size).toBeLessThanOrEqual(100);
    for (let i = 950; i < 1000; i++) expect(memory.get(`k${i}`)).toBe(i);
    expect(memory.get('k0')).toBeUndefined();
  });

  it('never returns a key past its time to live, and drops expired generations', () => {
    let now = 0;
    const memory = createKeyMemory<string>(1000, 100, () => now);
    memory.set('a', 'A');
    now = 999;
    expect(memory.get('a')).toBe('A');
    now = 1000;
    expect(memory.get('a')).toBeUndefined();
    memory.set('b', 'B'); // the young generation outlived the TTL: it turns over
    now = 2500;
    memory.set('c', 'C'); // and again: 'a' is dropped
    expect(memory.size).toBe(2);
    expect(memory.get('c')).toBe('C');
  });

  it('setting a key again refreshes its time to live', () => {
    let now = 0;
    const memory = createKeyMemory<number>(1000, 10, () => now);
    memory.set('a', 1);
    now = 900;
    memory.set('a', 2);
    now = 1500;
    expect(memory.get('a')).toBe(2);
  });
});
