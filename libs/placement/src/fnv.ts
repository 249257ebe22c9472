/**
 * FNV-1 32-bit hash, byte-compatible with Go's `hash/fnv.New32()` — the variant Federation v1 and
 * KubeFed use to order clusters of equal weight. Note: FNV-1 multiplies *then* xors each byte; FNV-1a
 * (xor then multiply) gives different values and would change legacy tie-breaks.
 */

const OFFSET_BASIS = 2166136261;
const PRIME = 16777619;

/**
 * FNV-1 32-bit hash of the UTF-8 bytes of `text` (as Go hashes `[]byte(string)`), as an unsigned
 * integer in [0, 2³²). Lone UTF-16 surrogates hash as U+FFFD, like `TextEncoder`.
 * Test vectors: `fnv1_32('') = 0x811c9dc5`, `fnv1_32('a') = 0x050c5d7e`.
 */
export function fnv1_32(text: string): number {
  let hash = OFFSET_BASIS;
  const step = (byte: number) => {
    hash = (Math.imul(hash, PRIME) ^ byte) >>> 0;
  };
  // UTF-8 encoded inline: cluster names and keys are ASCII in practice, and avoiding a TextEncoder
  // allocation per cluster halves the cost of ordering 1,000 clusters.
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code < 0x80) {
      step(code);
      continue;
    }
    if (code < 0x800) {
      step(0xc0 | (code >> 6));
      step(0x80 | (code & 0x3f));
      continue;
    }
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        i++;
        step(0xf0 | (code >> 18));
        step(0x80 | ((code >> 12) & 0x3f));
        step(0x80 | ((code >> 6) & 0x3f));
        step(0x80 | (code & 0x3f));
        continue;
      }
    }
    if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd;
    step(0xe0 | (code >> 12));
    step(0x80 | ((code >> 6) & 0x3f));
    step(0x80 | (code & 0x3f));
  }
  return hash;
}
