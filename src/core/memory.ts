// Who owns which bytes of wasm memory, so users never call dispose.
//
// Every tensor's data is a Storage block in wasm memory, owned by one of:
// - a step generation (the default for op results and created tensors outside any scope). The root keeps
//   two: `current` and `previous`. At the end of each root-level backward() (or endStep()) the previous
//   generation is freed and current becomes previous. Using a tensor (any read of its memory: an op
//   input, data(), item()) while it is in the previous generation moves it into the current one, so a
//   tensor stays valid while it is used at least once a step (an input or constant made before a
//   training loop, as in PyTorch) and is freed at the second step end after its last use; a training
//   loop reaches a steady state where memory stops growing. A created tensor (tensor, fromArray, zeros,
//   randn, ...) that nothing has read when its generation is freed is the user's, not a step's: it
//   becomes persistent (below) instead, where a FinalizationRegistry exists.
// - a scope (noGrad(fn), grad(fn, ...), tidy(fn)): freed when fn returns, except the tensors fn
//   returns, which move to the enclosing owner.
// - nobody (persistent): parameters, tensors created with requiresGrad, their .grad, optimizer state,
//   anything .keep()'d and the unread created tensors above. Freed by a FinalizationRegistry when the JS
//   object is garbage-collected; where the runtime has none (workerd with an older compatibility date),
//   never: they stay until the backend is replaced (initSync/init with force), while step and scope
//   tensors are freed as everywhere (and unread created tensors with their generation).
// Finalizers run between tasks, never inside a synchronous loop, which is why step tensors are freed by
// the generations and not left to the garbage collector.
// Reading a freed tensor throws an error that says how to keep it; it never reads reused memory.
import type { Backend } from '../wasm/backend.ts';
import { backend } from './runtime.ts';

export class Scope {
  readonly items: Storage[] = [];
  released = false;
  /** `root`: a step generation (its unread created tensors are parked, not freed). */
  constructor(readonly label: string, readonly root = false) {}
}

export class Storage {
  alive = true;
  /** Set by the creation functions, cleared by the first read: a created tensor nothing has used yet. */
  fresh = false;
  constructor(
    readonly backend: Backend,
    readonly ptr: number,
    /** Number of float32 elements. */
    readonly length: number,
    /** Owner: a Scope, or null when persistent. */
    public owner: Scope | null,
    /** The generation counter at creation (for error messages). */
    readonly step: number,
  ) {}
}

const finalizer = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry<{ backend: Backend; ptr: number }>((held) => {
      if (held.backend.allocator.isLive(held.ptr)) held.backend.free(held.ptr);
    })
  : null;

let stepCounter = 0;
let rootCurrent = new Scope('step 0', true);
let rootPrevious = new Scope('initial', true);
const stack: Scope[] = [];
let warnedBytes = 0;

function currentOwner(): Scope {
  return stack.length ? stack[stack.length - 1]! : rootCurrent;
}

/** Thrown when an allocation would exceed the budget set by withAllocationBudget. */
export class AllocationBudgetError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'AllocationBudgetError';
  }
}

let budget: { left: number; total: number; what: string } | null = null;

/**
 * Runs fn with at most `floats` float32 elements of new tensor memory (storage and the creation ops'
 * staging arrays): a model built from an untrusted file's config can then fail fast instead of
 * filling gigabytes. Budgets do not nest: the innermost one applies.
 */
export function withAllocationBudget<T>(floats: number, what: string, fn: () => T): T {
  const saved = budget;
  budget = { left: floats, total: floats, what };
  try {
    return fn();
  } finally {
    budget = saved;
  }
}

/** Throws an AllocationBudgetError if `length` floats would exceed the current budget (if any). */
export function checkAllocation(length: number): void {
  if (budget && length > budget.left)
    throw new AllocationBudgetError(`${budget.what} would allocate more than its budget of ${budget.total} floats (${length} more requested, ${budget.left} left)`);
}

/** Allocates `length` floats owned by the current scope/generation (or persistent when `persistent`). */
export function allocStorage(length: number, persistent = false, owner?: Scope | null): Storage {
  checkAllocation(length);
  if (budget) budget.left -= length;
  const b = backend();
  const ptr = b.alloc(length * 4);
  const own = persistent ? null : owner === undefined ? currentOwner() : owner;
  const s = new Storage(b, ptr, length, own, stepCounter);
  if (own) own.items.push(s);
  else finalizer?.register(s, { backend: b, ptr });
  maybeWarn(b);
  return s;
}

function maybeWarn(b: Backend): void {
  const bytes = b.memory.buffer.byteLength;
  if (bytes >= 2 ** 30 && warnedBytes === 0 && stack.length === 0) {
    warnedBytes = bytes;
    console.warn(
      `ecgrad: wasm memory reached ${(bytes / 2 ** 20).toFixed(0)} MiB. Intermediate tensors are freed at the ` +
        'end of each backward(); loops without backward() should run each iteration inside noGrad(() => ...) ' +
        'or tidy(() => ...), or call endStep() once per iteration.',
    );
  }
}

/**
 * Checks that the storage is valid (throws an error naming the problem if not) and records the use:
 * a storage of the previous step generation moves into the current one, and a created tensor is no
 * longer unread. Every read of a tensor's memory (Tensor.ptr) comes through here.
 */
export function useStorage(s: Storage, what: string): void {
  if (!s.alive || s.backend !== backend()) checkAlive(s, what);
  s.fresh = false;
  if (s.owner === rootPrevious) {
    s.owner = rootCurrent;
    rootCurrent.items.push(s);
  }
}

/** Throws if the storage has been freed (or belongs to a replaced backend). */
export function checkAlive(s: Storage, what: string): void {
  if (s.alive && s.backend === backend()) return;
  if (s.backend !== backend())
    throw new Error(`${what}: this tensor belongs to a previous initialisation of ecgrad (initSync with force); recreate it`);
  if (s.owner?.root)
    throw new Error(
      `${what}: this tensor's memory was released (it was created or last used in ${s.owner.label}, and nothing ` +
        'used it in the step after). A tensor made outside noGrad/grad/tidy stays valid while it is used at least once ' +
        'a step, and is freed at the second step end (a top-level backward() or endStep()) after its last use. ' +
        'Call .keep() on tensors you use less often (it then lives until garbage-collected), or read them with ' +
        '.toArray() while they are valid.',
    );
  throw new Error(
    `${what}: this tensor's memory was released (it was created in ${s.owner?.label ?? 'a scope'}, and tensors made ` +
      'inside noGrad/grad/tidy are released when that function returns unless returned from it). Call .keep() on ' +
      'tensors you want to retain, or read them with .toArray() while they are valid.',
  );
}

/** Makes a storage persistent: freed only when no JS object references it any more. */
export function persist(s: Storage): void {
  if (!s.owner) return;
  s.owner = null;
  finalizer?.register(s, { backend: s.backend, ptr: s.ptr });
}

function release(scope: Scope): void {
  scope.released = true;
  for (const s of scope.items) {
    if (s.owner !== scope || !s.alive) continue;
    if (scope.root && s.fresh && finalizer) {
      persist(s); // an unread created tensor: the user's (made outside a step), freed once dropped
      continue;
    }
    s.alive = false;
    if (s.backend.allocator.isLive(s.ptr)) s.backend.free(s.ptr);
  }
  scope.items.length = 0;
}

/** True when no noGrad/grad/tidy scope is open. */
export function atRoot(): boolean {
  return stack.length === 0;
}

/**
 * Ends a step: frees the previous generation, and the current one becomes previous. Called at the end of
 * every root-level backward(); call it yourself once per iteration in loops that never call backward().
 */
export function endStep(): void {
  if (stack.length) return;
  release(rootPrevious);
  rootPrevious = rootCurrent;
  stepCounter++;
  rootCurrent = new Scope(`step ${stepCounter}`, true);
}

/** Collects the storages of tensors reachable from a return value (tensor, array, plain object; 3 levels). */
function escaping(value: unknown, out: Set<Storage>, depth = 0): void {
  if (value === null || typeof value !== 'object' || depth > 3) return;
  const st = (value as { storage?: unknown }).storage;
  if (st instanceof Storage) {
    out.add(st);
    const grad = (value as { grad?: unknown }).grad;
    if (grad) escaping(grad, out, depth + 1);
    return;
  }
  if (Array.isArray(value)) for (const v of value) escaping(v, out, depth + 1);
  else if (Object.getPrototypeOf(value) === Object.prototype)
    for (const v of Object.values(value)) escaping(v, out, depth + 1);
}

/**
 * Runs fn in a new scope; frees what it allocated except the tensors in its return value, which move to
 * the enclosing owner, or become persistent (freed once unreachable) when `escapePersistent`.
 */
export function withScope<T>(label: string, fn: () => T, escapePersistent = false): T {
  const scope = new Scope(label);
  stack.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    stack.pop();
    release(scope);
    throw e;
  }
  stack.pop();
  const keep = new Set<Storage>();
  escaping(result, keep);
  const parent = currentOwner();
  for (const s of keep)
    if (s.owner === scope) {
      if (escapePersistent) {
        persist(s);
        continue;
      }
      s.owner = parent;
      parent.items.push(s);
    }
  release(scope);
  return result;
}

/** Runs fn and frees every tensor it allocated except those it returns. */
export function tidy<T>(fn: () => T): T {
  return withScope('tidy()', fn);
}

/** A snapshot of the wasm heap, returned by memoryStats(). */
export interface MemoryStats {
  /** Size of the wasm memory in bytes. */
  wasmBytes: number;
  /** Bytes in live blocks. */
  liveBytes: number;
  /** Number of live blocks. */
  liveBlocks: number;
  /** Step generations completed (root-level backward() or endStep() calls). */
  steps: number;
}

/**
 * The wasm memory size, the bytes and blocks in use and the step count now; throws when ecgrad is not
 * initialised.
 */
export function memoryStats(): MemoryStats {
  const s = backend().stats();
  return { wasmBytes: s.memoryBytes, liveBytes: s.inUse, liveBlocks: s.blocks, steps: stepCounter };
}
