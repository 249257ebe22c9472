/**
 * Structured label selectors (`matchLabels` / `matchExpressions`) of placement and override specs,
 * evaluated by the common selector matcher (which also serves the query-string form of list calls).
 */
import { matchesLabelSelector, requirementsOf } from '#libs/common';
import type { LabelSelector } from './federated-object.types.js';

/** Whether `labels` satisfy `selector` (an absent or empty selector matches everything). */
export function matchesSelector(selector: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  return !selector || matchesLabelSelector(requirementsOf(selector), labels);
}
