import type * as Tf from "@tensorflow/tfjs";
import type { MlpWeights } from "@/lib/core/rl/mlp";
import type { Rng } from "@/lib/core/rl/random";

export interface DenseLayer {
  readonly weights: Tf.Variable;
  readonly bias: Tf.Variable;
  readonly inputs: number;
  readonly outputs: number;
}

/** Glorot-uniform hidden layers from a seeded generator; `outputGain` scales the last layer (small for policy logits). */
export function createLayers(tf: typeof Tf, sizes: readonly number[], rng: Rng, outputGain: number): DenseLayer[] {
  const layers: DenseLayer[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const [inputs, outputs] = [sizes[l], sizes[l + 1]];
    const limit = Math.sqrt(6 / (inputs + outputs)) * (l + 2 === sizes.length ? outputGain : 1);
    const values = Float32Array.from({ length: inputs * outputs }, () => (rng.uniform() * 2 - 1) * limit);
    layers.push({ inputs, outputs, weights: tf.variable(tf.tensor2d(values, [inputs, outputs])), bias: tf.variable(tf.zeros([outputs])) });
  }
  return layers;
}

export function layersFromWeights(tf: typeof Tf, mlp: MlpWeights): DenseLayer[] {
  return mlp.layers.map((layer) => ({
    inputs: layer.inputs,
    outputs: layer.outputs,
    weights: tf.variable(tf.tensor2d(layer.weights, [layer.inputs, layer.outputs])),
    bias: tf.variable(tf.tensor1d(layer.bias)),
  }));
}

export function forward(tf: typeof Tf, layers: readonly DenseLayer[], input: Tf.Tensor2D): Tf.Tensor2D {
  let x = input;
  layers.forEach((layer, l) => {
    x = tf.add(tf.matMul(x, layer.weights), layer.bias);
    if (l < layers.length - 1) x = tf.tanh(x);
  });
  return x;
}

/** The layers' current values in the portable JSON form. */
export function weightsOf(layers: readonly DenseLayer[]): MlpWeights {
  return {
    activation: "tanh",
    layers: layers.map((layer) => ({
      inputs: layer.inputs,
      outputs: layer.outputs,
      weights: Array.from(layer.weights.dataSync()),
      bias: Array.from(layer.bias.dataSync()),
    })),
  };
}

export function variablesOf(layers: readonly DenseLayer[]): Tf.Variable[] {
  return layers.flatMap((layer) => [layer.weights, layer.bias]);
}
