import type { MlpWeights } from "@/lib/core/rl/mlp";
import { argmax, MlpRunner } from "@/lib/core/rl/mlp";
import { createRng } from "@/lib/core/rl/random";
import type { FeatureSpec, Normalisation } from "@/lib/core/rl/features";
import { parseRlModel, RL_MODEL_FORMAT, type RlModel } from "@/lib/core/rl/model";

/** A protobuf field: varint value or length-delimited bytes. */
interface Field {
  readonly number: number;
  readonly varint?: number;
  readonly bytes?: Uint8Array;
}

function readFields(buffer: Uint8Array): Field[] {
  const fields: Field[] = [];
  let offset = 0;
  const readVarint = (): number => {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (offset >= buffer.length) throw new Error("ONNX file is truncated");
      const byte = buffer[offset++];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
  };
  while (offset < buffer.length) {
    const key = readVarint();
    const [number, wire] = [Math.floor(key / 8), key % 8];
    if (wire === 0) fields.push({ number, varint: readVarint() });
    else if (wire === 2) {
      const length = readVarint();
      fields.push({ number, bytes: buffer.subarray(offset, offset + length) });
      offset += length;
    } else if (wire === 5) offset += 4;
    else if (wire === 1) offset += 8;
    else throw new Error(`ONNX file has an unsupported protobuf wire type ${wire}`);
  }
  return fields;
}

const decoder = new TextDecoder();
const strings = (fields: Field[], number: number) => fields.filter((f) => f.number === number && f.bytes).map((f) => decoder.decode(f.bytes));
const one = (fields: Field[], number: number) => fields.find((f) => f.number === number);

interface OnnxNode {
  readonly op: string;
  readonly inputs: string[];
  readonly output: string;
  readonly attributes: Map<string, number>;
}

function readTensor(bytes: Uint8Array): { name: string; dims: number[]; values: number[] } {
  const fields = readFields(bytes);
  const dims = fields.filter((f) => f.number === 1).flatMap((f) => (f.varint !== undefined ? [f.varint] : decodeVarints(f.bytes!)));
  const type = one(fields, 2)?.varint;
  if (type !== 1) throw new Error(`ONNX initialiser has data type ${type}; only float32 (1) is supported`);
  const name = strings(fields, 8)[0] ?? "";
  const raw = one(fields, 9)?.bytes;
  const packed = one(fields, 4)?.bytes;
  const source = raw ?? packed;
  if (!source) throw new Error(`ONNX initialiser ${name} holds no data`);
  const copy = new Uint8Array(source);
  return { name, dims, values: Array.from(new Float32Array(copy.buffer, 0, copy.length / 4)) };
}

function decodeVarints(bytes: Uint8Array): number[] {
  const values: number[] = [];
  let value = 0;
  let scale = 1;
  for (const byte of bytes) {
    value += (byte & 0x7f) * scale;
    scale *= 0x80;
    if (byte < 0x80) [values[values.length], value, scale] = [value, 0, 1];
  }
  return values;
}

function readNode(bytes: Uint8Array): OnnxNode {
  const fields = readFields(bytes);
  const attributes = new Map<string, number>();
  for (const attribute of fields.filter((f) => f.number === 5 && f.bytes)) {
    const parts = readFields(attribute.bytes!);
    const name = strings(parts, 1)[0];
    const integer = one(parts, 3)?.varint;
    const float = one(parts, 2);
    if (name !== undefined && integer !== undefined) attributes.set(name, integer);
    if (name !== undefined && float) attributes.set(name, NaN);
  }
  return { op: strings(fields, 4)[0] ?? "", inputs: strings(fields, 1), output: strings(fields, 2)[0] ?? "", attributes };
}

/**
 * Reads a feed-forward policy exported to ONNX (e.g. a stable-baselines3 PPO actor: Gemm or
 * MatMul+Add layers with Tanh between them) into the native weight format, so it runs in the
 * same synchronous strategy as a policy trained here. Anything else is refused by name.
 */
export function onnxToMlp(bytes: Uint8Array): MlpWeights {
  const model = readFields(bytes);
  const graphBytes = one(model, 7)?.bytes;
  if (!graphBytes) throw new Error("not an ONNX model: it has no graph");
  const graph = readFields(graphBytes);
  const tensors = new Map(graph.filter((f) => f.number === 5 && f.bytes).map((f) => readTensor(f.bytes!)).map((t) => [t.name, t]));
  const nodes = graph.filter((f) => f.number === 1 && f.bytes).map((f) => readNode(f.bytes!));
  const layers: MlpWeights["layers"] = [];
  let pending: { inputs: number; outputs: number; weights: number[] } | undefined;
  const finish = (bias: number[]) => {
    if (!pending) throw new Error("ONNX graph adds a bias before any matrix product");
    layers.push({ ...pending, bias });
    pending = undefined;
  };
  for (const node of nodes) {
    const constant = node.inputs.map((name) => tensors.get(name)).find((t) => t !== undefined);
    if (node.op === "MatMul" && constant) pending = { inputs: constant.dims[0], outputs: constant.dims[1], weights: constant.values };
    else if (node.op === "Gemm" && constant) {
      if (node.attributes.has("alpha") || node.attributes.has("beta") || node.attributes.get("transA")) throw new Error("ONNX Gemm with alpha, beta or transA is not supported");
      const transposed = node.attributes.get("transB") === 1;
      const [rows, cols] = transposed ? [constant.dims[1], constant.dims[0]] : [constant.dims[0], constant.dims[1]];
      const weights = transposed ? Array.from({ length: rows * cols }, (_, k) => constant.values[(k % cols) * rows + Math.floor(k / cols)]) : constant.values;
      pending = { inputs: rows, outputs: cols, weights };
      const bias = tensors.get(node.inputs[2] ?? "");
      finish(bias ? bias.values : new Array<number>(cols).fill(0));
    } else if (node.op === "Add" && constant) finish(constant.values);
    else if (node.op === "Tanh") {
      if (pending) finish(new Array<number>(pending.outputs).fill(0));
    } else if (node.op !== "Identity" && node.op !== "Flatten") throw new Error(`ONNX operator ${node.op} is not supported: export a plain MLP (MatMul/Gemm, Add, Tanh)`);
  }
  if (pending) finish(new Array<number>(pending.outputs).fill(0));
  if (layers.length === 0) throw new Error("ONNX graph holds no dense layer");
  return { activation: "tanh", layers };
}

/** Runs the ONNX file in onnxruntime-web and the imported weights side by side; throws if any argmax differs. */
export async function verifyOnnxImport(bytes: Uint8Array, mlp: MlpWeights, samples = 64): Promise<void> {
  const ort = await import("onnxruntime-web");
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(bytes);
  const width = mlp.layers[0].inputs;
  const rng = createRng(3);
  const input = Float32Array.from({ length: samples * width }, () => rng.normal() * 2);
  const result = await session.run({ [session.inputNames[0]]: new ort.Tensor("float32", input, [samples, width]) });
  const output = result[session.outputNames[0]].data as Float32Array;
  const runner = new MlpRunner(mlp);
  const actions = output.length / samples;
  for (let s = 0; s < samples; s++) {
    const expected = argmax(output.subarray(s * actions, (s + 1) * actions));
    if (argmax(runner.forward(input, s * width)) !== expected) throw new Error(`the imported weights disagree with onnxruntime on sample ${s}: the graph is not the plain MLP it appears to be`);
  }
}

export interface OnnxImportMeta {
  readonly featureSpec: FeatureSpec;
  readonly normalisation: Normalisation;
  readonly source?: string;
}

/** An ONNX policy plus the feature spec and normalisation it was trained with, as a native model. */
export async function importOnnxPolicy(bytes: Uint8Array, meta: OnnxImportMeta): Promise<RlModel> {
  const policy = onnxToMlp(bytes);
  await verifyOnnxImport(bytes, policy);
  return parseRlModel({ format: RL_MODEL_FORMAT, formatVersion: 1, featureSpec: meta.featureSpec, normalisation: meta.normalisation, policy, training: { importedFrom: meta.source ?? "onnx" } });
}
