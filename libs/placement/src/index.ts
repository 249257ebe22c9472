/**
 * `#libs/placement` — the pure replica placement planner (no Nest, no I/O, no clock).
 *
 * Given a federated object's total replicas, its candidate clusters and their preferences (weights,
 * min/max), the running counts and estimated capacities, {@link plan} returns how many replicas each
 * cluster should run, plus what could not be placed. Two algorithms: `'default'` (bounded Webster,
 * steady across scaling) and `'legacy'` (KubeFed-exact). See README.md.
 */
export { plan } from './plan.js';
export { validatePlanInput, validatePreferences } from './validation.js';
export {
  DEFAULT_PREFERENCES,
  MAX_REPLICAS,
  MAX_WEIGHT,
  type ClusterPreference,
  type PlacementAlgorithm,
  type PlanInput,
  type PlanResult,
  type ReplicaPreferences,
} from './placement.types.js';
