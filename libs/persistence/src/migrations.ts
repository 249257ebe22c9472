import { CreateFederationSettings1763780000000 } from '../../../migrations/1763780000000-CreateFederationSettings.js';
import { CreateAccessControl1763790000000 } from '../../../migrations/1763790000000-CreateAccessControl.js';
import { CreateClusters1763800000000 } from '../../../migrations/1763800000000-CreateClusters.js';
import { CreateFederatedObjects1763810000000 } from '../../../migrations/1763810000000-CreateFederatedObjects.js';
import { CreateDnsRecords1763835000000 } from '../../../migrations/1763835000000-CreateDnsRecords.js';
import { CreateEvents1763820000000 } from '../../../migrations/1763820000000-CreateEvents.js';
import { AddDnsFailOpenHolds1796419200000 } from '../../../migrations/1796419200000-AddDnsFailOpenHolds.js';
import { CreateFleetLeases1796426000000 } from '../../../migrations/1796426000000-CreateFleetLeases.js';
import { CreateFailoverMoves1796427000000 } from '../../../migrations/1796427000000-CreateFailoverMoves.js';
import { AddRecordSequence1796428000000 } from '../../../migrations/1796428000000-AddRecordSequence.js';

/** Every migration class in order (explicit list, so the build never depends on file globs). */
export const migrations = [
  CreateFederationSettings1763780000000,
  CreateAccessControl1763790000000,
  CreateClusters1763800000000,
  CreateFederatedObjects1763810000000,
  CreateEvents1763820000000,
  CreateDnsRecords1763835000000,
  AddDnsFailOpenHolds1796419200000,
  CreateFleetLeases1796426000000,
  CreateFailoverMoves1796427000000,
  AddRecordSequence1796428000000,
];
