/**
 * Bounded Webster / Sainte-Laguë apportionment — the core of the default planner.
 *
 * Rule: replicas are handed out one at a time; the next one goes to the slot (cluster) with the highest
 * priority `weight / (2·assigned + 1)` among slots below their upper bound; ties go to the slot with
 * fewer assigned, then to the earlier slot (the caller's order: weight desc, FNV-1 asc).
 *
 * Why Webster: it is the divisor method with the smallest bias between large and small weights (D'Hondt
 * favours large, Adams small), it is house-monotone (adding a replica never takes one away from anyone,
 * so scale-up is stable), and Karmada ≥ 1.16 uses it, so 3:2:1 splits 12 → 6/4/2, 13 → 7/4/2,
 * 14 → 7/5/2 the way Karmada users expect.
 *
 * Because each slot's priorities strictly decrease as it fills, the greedy result equals "take the
 * `seats` largest items of the multiset { wᶜ/(2a+1) : startᶜ ≤ a < upperᶜ }". That lets {@link apportion}
 * hand most seats out in bulk below a threshold and run the exact greedy only for the last O(n) seats,
 * so the cost is O(n log n) whatever the replica count (a Deployment may ask for 2³¹−1 replicas).
 */

/** One slot of an apportionment. Counts are replicas; `start ≤ upper`; `upper` may be `Infinity`. */
export interface ApportionSlot {
  /** Non-negative integer weight; a weight-0 slot has priority 0 and only receives after all others. */
  readonly weight: number;
  /** Replicas the slot already holds; the apportionment only adds to it. */
  readonly start: number;
  /** The slot never exceeds this many replicas. */
  readonly upper: number;
}

/**
 * Adds up to `seats` replicas to the slots by bounded Webster (see the module doc) and returns every
 * slot's final count, in slot order. Invariants: `start ≤ result[i] ≤ upper`, and
 * `Σ(result − start) = min(seats, Σ(upper − start))` — seats are only left over when every slot is full.
 * Deterministic: the result depends only on the arguments, slot order included.
 */
export function apportion(slots: readonly ApportionSlot[], seats: number): number[] {
  const assigned = slots.map((s) => s.start);
  let room = 0;
  for (const s of slots) room += s.upper - s.start;
  if (seats >= room) return slots.map((s) => s.upper);

  let left = seats;
  const open = slots.length;
  if (left > 4 * open) left -= bulkAssign(slots, assigned, left);
  greedyAssign(slots, assigned, left);
  return assigned;
}

/**
 * Hands out, in one pass, seats that the greedy would certainly give: for a threshold `q`, every item
 * with priority > q belongs to the top-`seats` set as long as there are at most `seats` of them. `q` is
 * found by bisection on doubles; each slot's count is then lowered by one and the total target by one
 * per slot so that floating-point error (< 1 item per slot) can only under-assign. Returns the number
 * of seats assigned; the exact greedy places the rest (at most ~3 per slot).
 */
function bulkAssign(slots: readonly ApportionSlot[], assigned: number[], seats: number): number {
  const target = seats - slots.length;
  const above = (q: number): number => {
    let n = 0;
    for (const s of slots) n += itemsAbove(s, q);
    return n;
  };
  let hi = 0;
  for (const s of slots) hi = Math.max(hi, s.weight / (2 * s.start + 1));
  if (hi === 0) return 0;
  let lo = hi;
  for (let i = 0; i < 200 && above(lo) <= target; i++) lo /= 2;
  if (above(lo) <= target) return 0;
  // Stop as soon as the bulk leaves at most ~3 seats per slot to the exact greedy.
  for (let i = 0, atHi = above(hi); i < 64 && atHi < target - slots.length; i++) {
    const mid = (lo + hi) / 2;
    if (mid <= lo || mid >= hi) break;
    const atMid = above(mid);
    if (atMid <= target) [hi, atHi] = [mid, atMid];
    else lo = mid;
  }
  let given = 0;
  for (let i = 0; i < slots.length; i++) {
    const k = Math.max(0, itemsAbove(slots[i], hi) - 1);
    assigned[i] += k;
    given += k;
  }
  return given;
}

/** Number of a in [start, upper) with weight/(2a+1) > q, i.e. a < (weight/q − 1)/2 (q > 0). */
function itemsAbove(s: ApportionSlot, q: number): number {
  const bound = Math.ceil((s.weight / q - 1) / 2);
  return Math.max(0, Math.min(bound, s.upper) - s.start);
}

/** The exact rule, one seat at a time, on a binary max-heap of the slots that still have room. */
function greedyAssign(slots: readonly ApportionSlot[], assigned: number[], seats: number): void {
  // `before(i, j)`: slot i gets the next seat before slot j. Cross-multiplied so it is exact for
  // weight ≤ 1e6 and counts < 2³² (products < 2⁵³).
  const before = (i: number, j: number): boolean => {
    const lhs = slots[i].weight * (2 * assigned[j] + 1);
    const rhs = slots[j].weight * (2 * assigned[i] + 1);
    if (lhs !== rhs) return lhs > rhs;
    if (assigned[i] !== assigned[j]) return assigned[i] < assigned[j];
    return i < j;
  };
  const heap: number[] = [];
  for (let i = 0; i < slots.length; i++) if (assigned[i] < slots[i].upper) heap.push(i);
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(heap, i, before);
  for (let left = seats; left > 0 && heap.length > 0; left--) {
    const top = heap[0];
    assigned[top] += 1;
    if (assigned[top] >= slots[top].upper) {
      const last = heap.pop()!;
      if (heap.length === 0) break;
      heap[0] = last;
    }
    siftDown(heap, 0, before);
  }
}

function siftDown(heap: number[], at: number, before: (i: number, j: number) => boolean): void {
  const n = heap.length;
  let i = at;
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let best = i;
    if (l < n && before(heap[l], heap[best])) best = l;
    if (r < n && before(heap[r], heap[best])) best = r;
    if (best === i) return;
    [heap[i], heap[best]] = [heap[best], heap[i]];
    i = best;
  }
}
