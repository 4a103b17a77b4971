import type { MlpWeights } from "@/lib/core/rl/mlp";

/**
 * Writes an MLP as an ONNX model (opset 13: MatMul, Add, Tanh), input "obs" [batch, n] and
 * output "logits". Only the handful of protobuf fields such a graph needs are encoded.
 */
export function mlpToOnnx(mlp: MlpWeights, options: { input?: string; output?: string; gemm?: boolean } = {}): Uint8Array {
  const { input = "obs", output = "logits", gemm = false } = options;
  const nodes: Uint8Array[] = [];
  const initialisers: Uint8Array[] = [];
  let current = input;
  mlp.layers.forEach((layer, l) => {
    const [w, b, product, sum] = [`W${l}`, `B${l}`, `matmul${l}`, l === mlp.layers.length - 1 ? output : `add${l}`];
    if (gemm) {
      // The torch.nn.Linear layout: weights stored [outputs, inputs] and transposed by the node.
      const transposed = Array.from({ length: layer.inputs * layer.outputs }, (_, k) => layer.weights[(k % layer.inputs) * layer.outputs + Math.floor(k / layer.inputs)]);
      initialisers.push(tensor(w, [layer.outputs, layer.inputs], transposed), tensor(b, [layer.outputs], layer.bias));
      nodes.push(node("Gemm", [current, w, b], sum, [field(5, concat(field(1, text("transB")), varintField(3, 1), varintField(20, 2)))]));
    } else {
      initialisers.push(tensor(w, [layer.inputs, layer.outputs], layer.weights), tensor(b, [layer.outputs], layer.bias));
      nodes.push(node("MatMul", [current, w], product), node("Add", [product, b], sum));
    }
    current = sum;
    if (l < mlp.layers.length - 1) {
      nodes.push(node("Tanh", [sum], `tanh${l}`));
      current = `tanh${l}`;
    }
  });
  const inputs = mlp.layers[0].inputs;
  const outputs = mlp.layers[mlp.layers.length - 1].outputs;
  const graph = concat(
    ...nodes.map((n) => field(1, n)),
    field(2, text("policy")),
    ...initialisers.map((t) => field(5, t)),
    field(11, valueInfo(input, inputs)),
    field(12, valueInfo(output, outputs)),
  );
  return concat(varintField(1, 8), field(8, concat(field(1, text("")), varintField(2, 13))), field(7, graph));
}

function node(op: string, inputs: string[], output: string, attributes: Uint8Array[] = []): Uint8Array {
  return concat(...inputs.map((name) => field(1, text(name))), field(2, text(output)), field(3, text(`${op}_${output}`)), field(4, text(op)), ...attributes);
}

function tensor(name: string, dims: number[], values: readonly number[]): Uint8Array {
  const data = new Uint8Array(Float32Array.from(values).buffer);
  return concat(...dims.map((d) => varintField(1, d)), varintField(2, 1), field(8, text(name)), field(9, data));
}

function valueInfo(name: string, width: number): Uint8Array {
  const shape = concat(field(1, field(2, text("batch"))), field(1, varintField(1, width)));
  const tensorType = concat(varintField(1, 1), field(2, shape));
  return concat(field(1, text(name)), field(2, field(1, tensorType)));
}

function text(value: string): Uint8Array {
  return new TextEncoder().encode(value);
}

function varint(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return bytes;
}

function varintField(number: number, value: number): Uint8Array {
  return Uint8Array.from([...varint(number * 8), ...varint(value)]);
}

function field(number: number, payload: Uint8Array): Uint8Array {
  return concat(Uint8Array.from([...varint(number * 8 + 2), ...varint(payload.length)]), payload);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
