import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { DomainError } from '#libs/common';
import { DnsPublishService } from '#libs/dns-publishing';
import { parseInput } from '../auth/zod-input.js';

const publishBody = z.strictObject({ zone: z.string().min(1).max(253).optional() }).optional();

/** DNS global service discovery: what is published where, and an operator's "publish now". */
@ApiTags('dns')
@ApiBearerAuth()
@Controller('api/v1/dns')
export class DnsController {
  constructor(private readonly publisher: DnsPublishService) {}

  @Get('records')
  @ApiOperation({ summary: 'Published DNS record sets (name, type, TTL, values) and where each is published (builtin, route53)' })
  @ApiQuery({ name: 'service', required: false, description: 'only the records of this federated Service, NAMESPACE/NAME' })
  records(@Query('service') service: unknown) {
    if (service !== undefined && typeof service !== 'string') throw DomainError.invalid([{ path: 'service', message: 'must be one NAMESPACE/NAME' }]);
    return this.publisher.listPublished(service);
  }

  @Post('publish')
  @HttpCode(202)
  @ApiOperation({ summary: 'Publish the DNS zone now (queued; coalesced with a publish already waiting)' })
  async publish(@Body() body: unknown) {
    const input = parseInput(publishBody, body === null || (typeof body === 'object' && Object.keys(body as object).length === 0) ? undefined : body);
    const zone = input?.zone ?? this.publisher.zones[0]!;
    const jobId = await this.publisher.requestPublish(zone);
    return { zone, status: 'queued', jobId };
  }
}
