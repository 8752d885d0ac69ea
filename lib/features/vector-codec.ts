/* Feature vectors as stored: float32 little-endian bytes, whatever the machine's byte order. */
import { endianness } from 'node:os';
import { Binary } from 'mongodb';

const LITTLE_ENDIAN = endianness() === 'LE';

export function encodeVector(vector: Float32Array): Binary {
  // Stored little-endian: on such a machine (nearly all) the floats' own bytes are the encoding.
  if (LITTLE_ENDIAN)
    return new Binary(Buffer.from(vector.buffer.slice(vector.byteOffset, vector.byteOffset + vector.byteLength)));
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, i) => bytes.writeFloatLE(value, i * 4));
  return new Binary(bytes);
}

export function decodeVector(binary: Binary): Float32Array {
  const bytes = Buffer.from(binary.buffer);
  const out = new Float32Array(bytes.length / 4);
  // A copy, not a view: a view would keep the driver's whole reply buffer alive.
  if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(bytes);
  else for (let i = 0; i < out.length; i += 1) out[i] = bytes.readFloatLE(i * 4);
  return out;
}
