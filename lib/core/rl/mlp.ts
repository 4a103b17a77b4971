import { z } from "zod";

const layerSchema = z
  .object({
    inputs: z.number().int().positive(),
    outputs: z.number().int().positive(),
    /** Row-major [inputs x outputs]. */
    weights: z.array(z.number()),
    bias: z.array(z.number()),
  })
  .refine((layer) => layer.weights.length === layer.inputs * layer.outputs, { message: "weights must hold inputs x outputs numbers", path: ["weights"] })
  .refine((layer) => layer.bias.length === layer.outputs, { message: "bias must hold one number per output", path: ["bias"] });

/** A dense network with tanh between layers and a linear output. */
export const mlpSchema = z
  .object({ activation: z.literal("tanh"), layers: z.array(layerSchema).min(1, "a network needs at least one layer") })
  .refine((mlp) => mlp.layers.every((layer, i) => i === 0 || layer.inputs === mlp.layers[i - 1].outputs), { message: "each layer's inputs must equal the previous layer's outputs", path: ["layers"] });

export type MlpWeights = z.infer<typeof mlpSchema>;

/** Allocation-free forward pass over float32 weights: fast enough for one decision per bar or per tick. */
export class MlpRunner {
  private readonly weights: Float32Array[];
  private readonly biases: Float32Array[];
  private readonly buffers: Float64Array[];
  readonly inputSize: number;
  readonly outputSize: number;

  constructor(private readonly mlp: MlpWeights) {
    this.weights = mlp.layers.map((layer) => Float32Array.from(layer.weights));
    this.biases = mlp.layers.map((layer) => Float32Array.from(layer.bias));
    this.buffers = mlp.layers.map((layer) => new Float64Array(layer.outputs));
    this.inputSize = mlp.layers[0].inputs;
    this.outputSize = mlp.layers[mlp.layers.length - 1].outputs;
  }

  /** Returns the output layer (a reused buffer: copy it to keep it). */
  forward(input: ArrayLike<number>, offset = 0): Float64Array {
    let source: ArrayLike<number> = input;
    let sourceOffset = offset;
    const last = this.mlp.layers.length - 1;
    for (let l = 0; l <= last; l++) {
      const { inputs, outputs } = this.mlp.layers[l];
      const w = this.weights[l];
      const out = this.buffers[l];
      for (let j = 0; j < outputs; j++) out[j] = this.biases[l][j];
      for (let i = 0; i < inputs; i++) {
        const x = source[sourceOffset + i];
        if (x === 0) continue;
        const row = i * outputs;
        for (let j = 0; j < outputs; j++) out[j] += x * w[row + j];
      }
      if (l < last) for (let j = 0; j < outputs; j++) out[j] = Math.tanh(out[j]);
      source = out;
      sourceOffset = 0;
    }
    return this.buffers[last];
  }
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** Softmax probabilities of `logits` written into `out`. */
export function softmax(logits: ArrayLike<number>, out: Float64Array): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += out[i] = Math.exp(logits[i] - max);
  for (let i = 0; i < logits.length; i++) out[i] /= sum;
  return out;
}
