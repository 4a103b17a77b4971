import { z } from "zod";
import { ModelStore } from "@/lib/rl/model-store";

const modelsDir = z.string().min(1, "RL_MODELS_DIR must name a folder").default("models");

/** Where `npm run rl:train` writes policies; RL_MODELS_DIR overrides it. */
export function modelStore(): ModelStore {
  return new ModelStore(modelsDir.parse(process.env.RL_MODELS_DIR));
}
