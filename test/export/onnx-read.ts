// A minimal protobuf reader for the tests: the op types of an ONNX model's graph nodes
// (ModelProto.graph = 7, GraphProto.node = 1, NodeProto.op_type = 4), read from the wire format.

interface Field {
  no: number;
  wire: number;
  value: number | Uint8Array;
}

function* fields(b: Uint8Array): Generator<Field> {
  let i = 0;
  const varint = () => {
    let v = 0, mul = 1;
    for (;;) {
      const byte = b[i++]!;
      v += (byte & 0x7f) * mul;
      mul *= 128;
      if (!(byte & 0x80)) return v;
    }
  };
  while (i < b.length) {
    const key = varint();
    const no = Math.floor(key / 8), wire = key % 8;
    if (wire === 0) yield { no, wire, value: varint() };
    else if (wire === 2) {
      const n = varint();
      yield { no, wire, value: b.subarray(i, i + n) };
      i += n;
    } else if (wire === 5) {
      yield { no, wire, value: b.subarray(i, i + 4) };
      i += 4;
    } else if (wire === 1) {
      yield { no, wire, value: b.subarray(i, i + 8) };
      i += 8;
    } else throw new Error(`protobuf: wire type ${wire} at byte ${i}`);
  }
}

const sub = (b: Uint8Array, no: number) => [...fields(b)].filter((f) => f.no === no && f.value instanceof Uint8Array).map((f) => f.value as Uint8Array);

/** The set of op types of the model's graph nodes. */
export function onnxOpTypes(model: Uint8Array): Set<string> {
  const ops = new Set<string>();
  for (const g of sub(model, 7)) for (const n of sub(g, 1)) for (const t of sub(n, 4)) ops.add(new TextDecoder().decode(t));
  return ops;
}

/** Op type of every graph node, in order. */
export function onnxNodeOps(model: Uint8Array): string[] {
  const out: string[] = [];
  for (const g of sub(model, 7)) for (const n of sub(g, 1)) for (const t of sub(n, 4)) out.push(new TextDecoder().decode(t));
  return out;
}
