// Kernel modules handed to init()/initSync() instead of the embedded bytes (`{ wasm }`, docs/embedding.md):
// a compiled WebAssembly.Module (what edge runtimes such as workerd give for a `.wasm` module import or
// binding, and what they accept: they refuse to compile bytes at run time), the bytes themselves, a URL
// (or a string), or a fetch() Response (compiled while it downloads where WebAssembly.compileStreaming
// exists and the server says application/wasm). The files are the package's `ecgrad/wasm/*.wasm`.

/** One kernel build: compiled, as bytes, or where to fetch it. */
export type WasmInput =
  | WebAssembly.Module
  | ArrayBuffer
  | ArrayBufferView
  | URL
  | string
  | Response
  | PromiseLike<WebAssembly.Module | ArrayBuffer | ArrayBufferView | Response>;

/**
 * The builds of a kernel set; init() picks the first of relaxed SIMD, SIMD and scalar given that compiles
 * and passes its self-test.
 */
export interface WasmBuilds {
  relaxed?: WasmInput;
  simd?: WasmInput;
  scalar?: WasmInput;
}

/** `{ relaxed, simd, scalar }` rather than one input. */
export function isBuilds(x: WasmInput | WasmBuilds): x is WasmBuilds {
  return typeof x === 'object' && x !== null && ('simd' in x || 'scalar' in x || 'relaxed' in x);
}

function isBytes(x: unknown): x is ArrayBuffer | ArrayBufferView {
  return ArrayBuffer.isView(x) || Object.prototype.toString.call(x) === '[object ArrayBuffer]';
}

function unusable(x: unknown, what: string, sync: boolean): TypeError {
  const got = x === null ? 'null' : typeof x === 'object' ? Object.prototype.toString.call(x).slice(8, -1) : typeof x;
  return new TypeError(
    sync
      ? `initSync(): ${what} must be a WebAssembly.Module or the wasm bytes (ArrayBuffer, Uint8Array), got ${got}; a URL, string, Response or Promise needs await init()`
      : `init(): ${what} must be a WebAssembly.Module, the wasm bytes, a URL, a string or a Response (or a Promise of one), got ${got}`,
  );
}

/** The module, compiled synchronously from bytes when given bytes. */
export function compileSync(x: WasmInput, what: string): WebAssembly.Module {
  if (x instanceof WebAssembly.Module) return x;
  if (isBytes(x)) return new WebAssembly.Module(x as BufferSource);
  throw unusable(x, what, true);
}

/** The module, compiled from bytes, a URL or a Response (streaming where the runtime can). */
export async function compile(input: WasmInput, what: string): Promise<WebAssembly.Module> {
  let x: unknown = await input;
  if (x instanceof WebAssembly.Module) return x;
  if (isBytes(x)) return WebAssembly.compile(x as BufferSource);
  const url = typeof x === 'string' || x instanceof URL ? String(x) : '';
  if (url) x = await fetch(url);
  const r = x as Response;
  if (typeof r !== 'object' || r === null || typeof r.arrayBuffer !== 'function') throw unusable(x, what, false);
  if (!r.ok) throw new Error(`init(): fetching ${what} (${r.url || url}) failed: HTTP ${r.status}`);
  const type = r.headers?.get('content-type')?.split(';')[0]?.trim();
  if (typeof WebAssembly.compileStreaming === 'function' && type === 'application/wasm' && r instanceof Response)
    return WebAssembly.compileStreaming(r);
  return WebAssembly.compile(await r.arrayBuffer());
}
