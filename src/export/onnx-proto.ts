// A minimal protocol-buffers writer for the ONNX messages an exported model needs (onnx/onnx.proto3,
// field numbers below), browser-safe and without dependencies. Protobuf wire format: each field is a
// varint key (field number << 3 | wire type) then its value; wire type 0 = varint (int32/int64/enum,
// negative numbers as 10-byte two's complement), 2 = length-delimited (strings, bytes, sub-messages,
// packed repeated scalars), 5 = 32-bit little-endian (float).
//
//   ModelProto        ir_version 1, producer_name 2, producer_version 3, doc_string 6, graph 7, opset_import 8
//   OperatorSetIdProto domain 1, version 2
//   GraphProto        node 1, name 2, initializer 5, doc_string 10, input 11, output 12
//   NodeProto         input 1, output 2, name 3, op_type 4, attribute 5, doc_string 6
//   AttributeProto    name 1, f 2, i 3, s 4, t 5, floats 7, ints 8, type 20
//   TensorProto       dims 1, data_type 2, name 8, raw_data 9
//   ValueInfoProto    name 1, type 2;  TypeProto tensor_type 1;  TypeProto.Tensor elem_type 1, shape 2
//   TensorShapeProto  dim 1;  Dimension dim_value 1, dim_param 2

/** ONNX TensorProto.DataType values used here. */
export const OnnxType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7 } as const;
/** An ONNX tensor element type code (a value of OnnxType: FLOAT, INT8, INT64, ...). */
export type OnnxElemType = (typeof OnnxType)[keyof typeof OnnxType];

/** AttributeProto.AttributeType values. */
const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

/** Accumulates protobuf bytes. */
export class ProtoWriter {
  private chunks: number[] = [];

  private byte(b: number): void {
    this.chunks.push(b & 0xff);
  }

  /** A varint of a non-negative or negative safe integer (negatives as 64-bit two's complement). */
  varint(v: number | bigint): this {
    let x = BigInt.asUintN(64, BigInt(v));
    while (x >= 0x80n) {
      this.byte(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.byte(Number(x));
    return this;
  }

  private key(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  int(field: number, v: number | bigint): this {
    this.key(field, 0);
    return this.varint(v);
  }

  float(field: number, v: number): this {
    this.key(field, 5);
    const b = new Uint8Array(new Float32Array([v]).buffer);
    for (let i = 0; i < 4; i++) this.byte(little ? b[i]! : b[3 - i]!);
    return this;
  }

  bytes(field: number, data: Uint8Array): this {
    this.key(field, 2);
    this.varint(data.length);
    for (let i = 0; i < data.length; i++) this.chunks.push(data[i]!);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, build: (w: ProtoWriter) => void): this {
    const w = new ProtoWriter();
    build(w);
    return this.bytes(field, w.finish());
  }

  /** Packed repeated int64. */
  ints(field: number, values: readonly number[]): this {
    const w = new ProtoWriter();
    for (const v of values) w.varint(v);
    return this.bytes(field, w.finish());
  }

  /** Packed repeated float. */
  floats(field: number, values: readonly number[]): this {
    return this.bytes(field, leFloat32(Float32Array.from(values)));
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}

const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Little-endian bytes of float32 values. */
export function leFloat32(v: Float32Array): Uint8Array {
  const out = new Uint8Array(v.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < v.length; i++) view.setFloat32(4 * i, v[i]!, true);
  return out;
}

/** An attribute value: number (INT when an integer and `float` is not asked), number[] (INTS), string, or tagged forms. */
export type OnnxAttr = number | number[] | string | { float: number } | { floats: number[] };

/** One ONNX graph node: its operator, input and output value names, node name and attributes. */
export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  name: string;
  attrs: Record<string, OnnxAttr>;
}

/** An ONNX initializer: name, dimensions, element type and little-endian raw bytes. */
export interface OnnxTensor {
  name: string;
  dims: number[];
  type: OnnxElemType;
  /** Little-endian raw values. */
  raw: Uint8Array;
}

/** A graph input or output of an ONNX model: name, element type and dimensions (fixed or named). */
export interface OnnxValueInfo {
  name: string;
  type: OnnxElemType;
  /** A number for a fixed size, a string for a named (dynamic) dimension. */
  dims: (number | string)[];
}

/**
 * An ONNX model as encodeOnnxModel writes it: IR version, opset, producer, one graph's nodes, initializers,
 * inputs and outputs.
 */
export interface OnnxModel {
  irVersion: number;
  opset: number;
  producer: string;
  producerVersion: string;
  doc: string;
  graphName: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

function writeAttr(w: ProtoWriter, name: string, v: OnnxAttr): void {
  w.string(1, name);
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new RangeError(`ONNX attribute ${name}: ${v} is not an integer (use { float })`);
    w.int(3, v).int(20, AttrType.INT);
  } else if (typeof v === 'string') w.string(4, v).int(20, AttrType.STRING);
  else if (Array.isArray(v)) w.ints(8, v).int(20, AttrType.INTS);
  else if ('float' in v) w.float(2, v.float).int(20, AttrType.FLOAT);
  else w.floats(7, v.floats).int(20, AttrType.FLOATS);
}

function writeValueInfo(w: ProtoWriter, v: OnnxValueInfo): void {
  w.string(1, v.name);
  w.message(2, (t) => t.message(1, (tt) => {
    tt.int(1, v.type);
    tt.message(2, (s) => {
      for (const d of v.dims) s.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
    });
  }));
}

/** Serialises a model as an ONNX ModelProto. */
export function encodeOnnxModel(m: OnnxModel): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, m.irVersion);
  w.string(2, m.producer);
  w.string(3, m.producerVersion);
  if (m.doc) w.string(6, m.doc);
  w.message(7, (g) => {
    for (const n of m.nodes)
      g.message(1, (nw) => {
        for (const i of n.inputs) nw.string(1, i);
        for (const o of n.outputs) nw.string(2, o);
        nw.string(3, n.name);
        nw.string(4, n.op);
        for (const [k, v] of Object.entries(n.attrs)) nw.message(5, (a) => writeAttr(a, k, v));
      });
    g.string(2, m.graphName);
    for (const t of m.initializers)
      g.message(5, (tw) => {
        if (t.dims.length) tw.ints(1, t.dims);
        tw.int(2, t.type);
        tw.string(8, t.name);
        tw.bytes(9, t.raw);
      });
    for (const v of m.inputs) g.message(11, (vw) => writeValueInfo(vw, v));
    for (const v of m.outputs) g.message(12, (vw) => writeValueInfo(vw, v));
  });
  w.message(8, (o) => o.string(1, '').int(2, m.opset));
  return w.finish();
}
