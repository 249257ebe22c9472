import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { FailoverGate } from '#libs/health';

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/**
 * `GET /api/v1/federation/status`: the federation's disruption mode and the failover gate's holds, as
 * `fedctl get clusters` prints them above its table (read-only: nothing is stored by asking).
 */
@ApiTags('clusters')
@ApiBearerAuth()
@Controller('api/v1/federation')
export class FederationStatusController {
  constructor(private readonly gate: FailoverGate) {}

  @Get('status')
  @ApiOperation({ summary: 'Disruption mode (Normal, PartialDisruption, FullDisruption), NotReady share and held write-offs' })
  async status() {
    const { gate } = await this.gate.current();
    return {
      apiVersion: 'federation.ubernetes.io/v1',
      kind: 'FederationStatus',
      mode: gate.mode,
      since: iso(gate.sinceMs),
      ...(gate.recoveredAtMs !== undefined ? { lastRecovered: iso(gate.recoveredAtMs) } : {}),
      ready: gate.ready,
      notReady: gate.notReady,
      share: gate.share,
      threshold: gate.threshold,
      regions: gate.regions,
      writeOffs: gate.writeOffs.map((w) => ({
        cluster: w.cluster,
        ...(w.atMs !== undefined ? { writeOffAt: iso(w.atMs) } : {}),
        clock: iso(w.clockMs),
        ...(w.hold ? { held: w.hold } : {}),
      })),
    };
  }
}
