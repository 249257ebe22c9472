import { apportion, type ApportionSlot } from './webster.js';
import { mulberry32 } from './testing/prng.js';

/** The rule itself, one seat at a time with a linear scan: the reference `apportion` must match. */
function naive(slots: readonly ApportionSlot[], seats: number): number[] {
  const a = slots.map((s) => s.start);
  for (let left = seats; left > 0; left--) {
    let best = -1;
    for (let i = 0; i < slots.length; i++) {
      if (a[i] >= slots[i].upper) continue;
      if (best < 0) {
        best = i;
        continue;
      }
      const lhs = slots[i].weight * (2 * a[best] + 1);
      const rhs = slots[best].weight * (2 * a[i] + 1);
      if (lhs > rhs || (lhs === rhs && a[i] < a[best])) best = i;
    }
    if (best < 0) break;
    a[best] += 1;
  }
  return a;
}

describe('apportion: bulk threshold pass + heap finish equals the one-seat-at-a-time rule', () => {
  it('on 3,000 seeded random cases, including bulk-sized seat counts', () => {
    const rand = mulberry32(0x5eed);
    const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
    for (let n = 0; n < 3000; n++) {
      const slots: ApportionSlot[] = Array.from({ length: int(1, 12) }, () => {
        const start = int(0, 20);
        const bounded = rand() < 0.5;
        // Repeated equal weights on purpose: they make ties, which must resolve like the naive rule.
        return { weight: rand() < 0.1 ? 0 : int(1, 6) ** int(1, 3), start, upper: bounded ? start + int(0, 400) : Infinity };
      });
      const seats = rand() < 0.5 ? int(0, 40) : int(0, 3000);
      const got = apportion(slots, seats);
      expect({ n, got }).toEqual({ n, got: naive(slots, seats) });
    }
  });

  it('returns every upper bound when the seats exceed the room', () => {
    expect(apportion([{ weight: 1, start: 1, upper: 3 }, { weight: 0, start: 0, upper: 2 }], 99)).toEqual([3, 2]);
  });

  it('gives weight-0 slots seats only after every weighted slot is full', () => {
    expect(apportion([{ weight: 0, start: 0, upper: 5 }, { weight: 1, start: 0, upper: 2 }], 4)).toEqual([2, 2]);
  });
});
