import { z } from "zod";
import { ACTION_COUNT } from "./actions";
import { featureSpecSchema, normalisationSchema } from "./features";
import { mlpSchema } from "./mlp";

export const RL_MODEL_FORMAT = "kestrel-rl-policy";

/** A trained policy with everything needed to rebuild its observations. Stored as model.json (docs/rl.md). */
export const rlModelSchema = z
  .object({
    format: z.literal(RL_MODEL_FORMAT, { message: `not a policy file: format must be "${RL_MODEL_FORMAT}"` }),
    formatVersion: z.literal(1, { message: "unsupported policy file version: this build reads version 1" }),
    featureSpec: featureSpecSchema,
    normalisation: normalisationSchema,
    /** Observation -> action logits (0 hold, 1 buy, 2 sell). */
    policy: mlpSchema,
    /** Observation -> state value; only needed to keep training. */
    value: mlpSchema.optional(),
    training: z.record(z.string(), z.unknown()).default({}),
  })
  .superRefine((model, issues) => {
    const first = model.policy.layers[0];
    const last = model.policy.layers[model.policy.layers.length - 1];
    if (first.inputs !== model.featureSpec.names.length) {
      issues.addIssue({ code: "custom", path: ["policy"], message: `the policy reads ${first.inputs} inputs but the feature spec lists ${model.featureSpec.names.length} features` });
    }
    if (last.outputs !== ACTION_COUNT) issues.addIssue({ code: "custom", path: ["policy"], message: `the policy must output ${ACTION_COUNT} action logits, not ${last.outputs}` });
  });

export type RlModel = z.infer<typeof rlModelSchema>;
export type RlModelInput = z.input<typeof rlModelSchema>;

/** Parses a model, turning zod's issues into one sentence that names every bad field. */
export function parseRlModel(input: unknown): RlModel {
  const result = rlModelSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join(".") || "model"}: ${issue.message}`);
  throw new Error(`invalid RL policy: ${problems.join("; ")}`);
}
