/**
 * Postgres's binary form of a one-dimensional float8[] (array_send / array_recv): a 20-byte header,
 * then each element as a 4-byte length and 8 big-endian bytes. Whole columns of numbers travel this
 * way without being turned into text and parsed again.
 */

const FLOAT8_OID = 701;
const ARRAY_HEADER_BYTES = 20;
const ELEMENT_BYTES = 4 + 8;

/** A float8[] query parameter in Postgres's binary form (the pg driver sends a Buffer as binary). */
export function float8ArrayParameter(values: Float64Array): Buffer {
  const buffer = Buffer.allocUnsafe(ARRAY_HEADER_BYTES + values.length * ELEMENT_BYTES);
  // DataView writes big-endian by default, and far faster than Buffer's write methods.
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  view.setInt32(0, 1); // dimensions
  view.setInt32(4, 0); // no NULL elements
  view.setUint32(8, FLOAT8_OID);
  view.setInt32(12, values.length);
  view.setInt32(16, 1); // lower bound
  let offset = ARRAY_HEADER_BYTES;
  for (let index = 0; index < values.length; index++) {
    view.setInt32(offset, 8);
    view.setFloat64(offset + 4, values[index]);
    offset += ELEMENT_BYTES;
  }
  return buffer;
}

/** A one-dimensional float8[] in binary form; a NULL element reads as NaN (not finite, like the nulls it stands for). */
export function readFloat8Array(value: Uint8Array): Float64Array {
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  const dimensions = view.getInt32(0);
  if (dimensions === 0) return new Float64Array(0);
  if (dimensions !== 1) throw new Error(`expected a one-dimensional float8[], got ${dimensions} dimensions`);
  const length = view.getInt32(12);
  const figures = new Float64Array(length);
  let offset = ARRAY_HEADER_BYTES;
  for (let index = 0; index < length; index++) {
    const size = view.getInt32(offset);
    figures[index] = size < 0 ? Number.NaN : view.getFloat64(offset + 4);
    offset += 4 + Math.max(size, 0);
  }
  return figures;
}
