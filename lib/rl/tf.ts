import * as tf from "@tensorflow/tfjs";

let ready: Promise<void> | undefined;

/** The pure-JS CPU backend: it needs no native binary and gives the same numbers on every run. */
export function tensorflow(): Promise<typeof tf> {
  ready ??= tf.setBackend("cpu").then((ok) => {
    if (!ok) throw new Error("the TensorFlow.js CPU backend could not start");
  });
  return ready.then(() => tf);
}
