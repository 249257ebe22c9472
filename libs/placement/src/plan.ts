/**
 * Entry point of the planner: validates the input and dispatches on `algorithm`.
 */
import { planDefault } from './default.planner.js';
import { planLegacy } from './legacy.planner.js';
import type { PlanInput, PlanResult } from './placement.types.js';
import { validatePlanInput } from './validation.js';

/**
 * Computes how many replicas of one federated object each candidate cluster should run.
 * Pure and deterministic: the same input (in any cluster order) gives the same result.
 * Throws `DomainError` (`ErrorCode.Invalid`, field `details`) when the input breaks a rule of
 * `validatePlanInput`; the check is O(clusters) and cheap next to the planning itself.
 * See `default.planner.ts` and `legacy.planner.ts` for the two algorithms and `PlanResult` for the
 * invariants of the answer.
 */
export function plan(input: PlanInput): PlanResult {
  const valid = validatePlanInput(input);
  switch (valid.algorithm) {
    case 'default':
      return planDefault(valid);
    case 'legacy':
      return planLegacy(valid);
    default: {
      const never: never = valid.algorithm;
      throw new Error(`unreachable algorithm ${String(never)}`);
    }
  }
}
