import { BoundedCache } from '../../lib/bounded-cache';

describe('BoundedCache', () => {
  it('keeps at most max entries, forgetting the least recently used', () => {
    const cache = new BoundedCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1); // a is now more recent than b
    cache.set('c', 3);
    expect(cache.size).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
  });

  it('replaces a value without growing', () => {
    const cache = new BoundedCache<string, string>(1);
    cache.set('x', 'old');
    cache.set('x', 'new');
    expect(cache.size).toBe(1);
    expect(cache.get('x')).toBe('new');
  });

  it('refuses a size that could hold nothing', () => {
    expect(() => new BoundedCache(0)).toThrow(/at least one/);
  });
});
