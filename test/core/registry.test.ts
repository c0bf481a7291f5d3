// The one registry shape: a list of specs looked up by name, with an error naming the valid entries.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Registry, type Spec } from '../../src/core/registry.ts';

interface Thing extends Spec { size: number }
const a: Thing = { name: 'a', description: 'first', size: 1 };
const b: Thing = { name: 'b', description: 'second', size: 2 };

test('names and specs come in list order; get finds by name', () => {
  const r = new Registry([a, b], { kind: 'thing' });
  assert.equal(r.names(), ['a', 'b']);
  assert.equal(r.list(), [a, b]);
  assert.is(r.get('b'), b);
  assert.ok(r.has('a') && !r.has('c'));
  assert.is(r.find('c'), undefined);
});

test('an unknown name is an error naming the valid entries', () => {
  const r = new Registry([a, b], { kind: 'thing' });
  assert.throws(() => r.get('c'), (e: Error) => e instanceof RangeError && e.message === 'unknown thing "c"; valid things: a, b');
});

test('the error of an unknown name can be the registry\'s own', () => {
  class MyError extends Error {}
  const r = new Registry([a], { kind: 'thing', unknown: (n, valid) => new MyError(`no ${n} (known: ${valid.join(', ')})`) });
  assert.throws(() => r.get('z'), (e: Error) => e instanceof MyError && e.message === 'no z (known: a)');
});

test('a name listed twice is an error; add() at run time replaces in place', () => {
  assert.throws(() => new Registry([a, { ...b, name: 'a' }], { kind: 'thing' }), /two things are named "a"/);
  const r = new Registry([a, b], { kind: 'thing' });
  const a2 = { ...a, size: 3 };
  r.add(a2);
  r.add({ name: 'c', description: 'third', size: 4 });
  assert.equal(r.names(), ['a', 'b', 'c']);
  assert.is(r.get('a'), a2);
});

test.run();
