// Per-thread static scratch for the threads build (asconfig targets "simd-threads", "relaxed-threads":
// imported shared memory, every worker of the kernel pool instantiates this module on the same memory).
//
// A few kernels keep small scratch buffers in static memory (memory.data: the Winograd output groups,
// the depthwise weight-gradient tap sums). Their addresses are constants in the code, so two instances
// on one shared memory would write the same bytes. Each worker instance therefore gets a private block of
// heapBase() bytes (allocated by the main thread) and `threadScratch(block)` sets this instance's offset;
// the kernels address their static scratch through `tls(p)` = p + offset. Globals are per instance, so
// the main instance keeps offset 0 and the builds without threads compile `tls(p)` to `p`.
// Constant tables (Winograd matrices) are read in place: only scratch goes through tls.

let tlsOffset: usize = 0;

/** This instance's private copy of the static scratch starts at `block` (heapBase() bytes; 0: the static data itself). */
export function threadScratch(block: usize): void {
  tlsOffset = block;
}

/** The address of static scratch `p` for this instance. */
// @ts-ignore: decorator
@inline export function tls(p: usize): usize {
  if (ASC_FEATURE_THREADS) return p + tlsOffset;
  return p;
}
