import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseStrategySpec, splitStrategyList } from '../harness/sdk/spec.js';
import { resolveOptions } from '../harness/sdk/strategy.js';
import { realtime } from '../strategies/realtime.js';
import { ChaosError } from '../harness/sdk/errors.js';

describe('strategy specs', () => {
  it('parses a name with options into a label, name and options', () => {
    expect(parseStrategySpec('realtime:lock=none,publish=inplace')).toEqual({
      label: 'realtime:lock=none,publish=inplace', name: 'realtime', options: { lock: 'none', publish: 'inplace' },
    });
  });

  it('keeps a plugin path whole, options after the colon that follows it', () => {
    expect(parseStrategySpec('./my/plug.js:every=2')).toMatchObject({ name: './my/plug.js', options: { every: '2' } });
    expect(parseStrategySpec('/abs/plug.js')).toMatchObject({ name: '/abs/plug.js', options: {} });
  });

  it('splits a list where commas separate both specs and option pairs', () => {
    expect(splitStrategyList('realtime,realtime:lock=none,publish=inplace,queue')).toEqual([
      'realtime', 'realtime:lock=none,publish=inplace', 'queue',
    ]);
  });

  it('round-trips any list of specs (property)', () => {
    const key = fc.stringMatching(/^[a-z][a-z0-9-]{0,6}$/);
    const value = fc.stringMatching(/^[a-z0-9.]{1,5}$/);
    const spec = fc.record({ name: key, options: fc.dictionary(key, value, { maxKeys: 3 }) });
    fc.assert(fc.property(fc.array(spec, { minLength: 1, maxLength: 4 }), (specs) => {
      const texts = specs.map((s) => {
        const pairs = Object.entries(s.options).map(([k, v]) => `${k}=${v}`);
        return pairs.length ? `${s.name}:${pairs.join(',')}` : s.name;
      });
      const parsed = splitStrategyList(texts.join(',')).map((text) => parseStrategySpec(text));
      expect(parsed.map((p) => ({ name: p.name, options: p.options }))).toEqual(specs);
    }));
  });

  it('rejects a malformed option pair naming what was expected', () => {
    expect(() => parseStrategySpec('realtime:lock')).toThrow(/expected options as key=value pairs/);
  });
});

describe('strategy options', () => {
  it('fills defaults and applies given values', () => {
    expect(resolveOptions(realtime, { lock: 'none' })).toEqual({ lock: 'none', publish: 'rename' });
  });

  it('rejects an unknown key with the list of known ones', () => {
    const error = (() => { try { resolveOptions(realtime, { lokc: 'none' }); } catch (e) { return e; } })() as ChaosError;
    expect(error).toBeInstanceOf(ChaosError);
    expect(error.code).toBe('E_BAD_OPTION');
    expect(error.message).toBe("realtime option: got 'lokc', expected one of: lock, publish");
  });

  it('rejects a bad value with what is accepted', () => {
    expect(() => resolveOptions(realtime, { lock: 'maybe' })).toThrow("realtime:lock: got 'maybe', expected one of: file, fcntl, redis, redis-fenced, none");
  });
});
