import { describe, expect, it } from "vitest";
import { featureSpecSchema, AGENT_FEATURES, MARKET_FEATURES, MARKET_FEATURE_COUNT, OBSERVATION_SIZE } from "@/lib/core/rl/features";
import { argmax, MlpRunner, type MlpWeights } from "@/lib/core/rl/mlp";
import { createRng } from "@/lib/core/rl/random";
import { RlPolicyStrategy } from "@/lib/core/rl/policy-strategy";
import { mlpToOnnx } from "./onnx-format";
import { importOnnxPolicy, onnxToMlp } from "./onnx-import";

function randomMlp(seed: number): MlpWeights {
  const rng = createRng(seed);
  const layer = (inputs: number, outputs: number) => ({
    inputs,
    outputs,
    weights: Array.from({ length: inputs * outputs }, () => Math.fround(rng.normal() * 0.5)),
    bias: Array.from({ length: outputs }, () => Math.fround(rng.normal() * 0.1)),
  });
  return { activation: "tanh", layers: [layer(OBSERVATION_SIZE, 16), layer(16, 16), layer(16, 3)] };
}

const meta = {
  featureSpec: featureSpecSchema.parse({ names: [...MARKET_FEATURES, ...AGENT_FEATURES], periods: {}, barSeconds: 86_400 }),
  normalisation: { mean: new Array(MARKET_FEATURE_COUNT).fill(0), std: new Array(MARKET_FEATURE_COUNT).fill(1) },
};

describe("ONNX import (onnxruntime-web, WASM)", () => {
  for (const gemm of [false, true]) {
    it(`imports a ${gemm ? "Gemm (torch Linear layout)" : "MatMul + Add"} MLP and acts exactly as onnxruntime does`, async () => {
      const original = randomMlp(gemm ? 2 : 1);
      const bytes = mlpToOnnx(original, { gemm });
      expect(onnxToMlp(bytes)).toEqual(original);
      const model = await importOnnxPolicy(bytes, { ...meta, source: "test.onnx" });
      const runner = new MlpRunner(model.policy);
      const reference = new MlpRunner(original);
      const rng = createRng(9);
      for (let s = 0; s < 100; s++) {
        const observation = Float64Array.from({ length: OBSERVATION_SIZE }, () => rng.normal());
        expect(argmax(runner.forward(observation))).toBe(argmax(reference.forward(observation)));
      }
      expect(() => new RlPolicyStrategy({ model })).not.toThrow();
    }, 60_000);
  }

  it("refuses graphs that are not a plain MLP, by operator name", () => {
    const bytes = mlpToOnnx(randomMlp(3));
    const relu = Uint8Array.from(bytes);
    const [tanh, replacement] = [new TextEncoder().encode("Tanh"), new TextEncoder().encode("Relu")];
    for (let i = 0; i + tanh.length <= relu.length; i++) if (tanh.every((byte, k) => relu[i + k] === byte)) relu.set(replacement, i);
    expect(() => onnxToMlp(relu)).toThrow(/operator Relu is not supported/);
    expect(() => onnxToMlp(new Uint8Array([0x08, 0x08]))).toThrow(/no graph/);
  });
});
