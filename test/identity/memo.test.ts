import { describe, expect, it } from 'vitest';
import { BoundedMemo } from '../../src/identity/ani.js';

describe('BoundedMemo', () => {
  it('computes a key once and then answers it from memory', () => {
    const memo = new BoundedMemo<string>(3);
    let calls = 0;
    const upper = (key: string) => {
      calls++;
      return key.toUpperCase();
    };
    expect(memo.get('a', upper)).toBe('A');
    expect(memo.get('a', upper)).toBe('A');
    expect(calls).toBe(1);
  });

  it('never holds more than its bound, and forgets the least recently used key first', () => {
    const memo = new BoundedMemo<number>(3);
    for (const key of ['a', 'b', 'c']) memo.get(key, () => 1);
    memo.get('a', () => 2); // a hit: a becomes the most recently used, b the least
    memo.get('d', () => 1);
    expect(memo.size).toBe(3);
    expect(memo.has('b')).toBe(false);
    expect(['a', 'c', 'd'].every((key) => memo.has(key))).toBe(true);
    for (let i = 0; i < 100; i++) memo.get(`k${i}`, () => i);
    expect(memo.size).toBe(3);
    expect(['k97', 'k98', 'k99'].every((key) => memo.has(key))).toBe(true);
  });

  it('does not remember a failure', () => {
    const memo = new BoundedMemo<string>(3);
    expect(() =>
      memo.get('x', () => {
        throw new Error('no');
      }),
    ).toThrow('no');
    expect(memo.has('x')).toBe(false);
    expect(memo.get('x', () => 'ok')).toBe('ok');
  });

  it('refuses a bound under one', () => {
    expect(() => new BoundedMemo(0)).toThrow(RangeError);
  });
});
