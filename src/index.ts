export { instantiateSync } from "./wasm/backend.ts";
