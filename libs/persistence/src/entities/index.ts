import { FederationSettingEntity } from './federation-setting.entity.js';
import { ApiTokenEntity } from './api-token.entity.js';
import { AuditEventEntity } from './audit-event.entity.js';
import { ClusterEntity } from './cluster.entity.js';
import { ClusterConditionTransitionEntity } from './cluster-condition-transition.entity.js';
import { FederatedObjectEntity } from './federated-object.entity.js';
import { PropagationWorkEntity } from './propagation-work.entity.js';
import { FederationEventEntity } from './federation-event.entity.js';
import { DnsRecordEntity } from './dns-record.entity.js';
import { DnsZoneEntity } from './dns-zone.entity.js';

export { FederationSettingEntity };
export { ApiTokenEntity, AuditEventEntity };
export { ClusterEntity, ClusterConditionTransitionEntity };
export { FederatedObjectEntity, PropagationWorkEntity };
export { FederationEventEntity };
export { DnsRecordEntity, DnsZoneEntity };
export type { DnsHeldService, DnsProviderPublishState } from './dns-zone.entity.js';

/** Every entity, listed explicitly (no globs into dist/). */
export const entities = [
  FederationSettingEntity,
  ApiTokenEntity,
  AuditEventEntity,
  ClusterEntity,
  ClusterConditionTransitionEntity,
  FederatedObjectEntity,
  PropagationWorkEntity,
  FederationEventEntity,
  DnsRecordEntity,
  DnsZoneEntity,
];
