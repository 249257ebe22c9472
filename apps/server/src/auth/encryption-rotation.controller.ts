import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AccessRole } from '#libs/auth';
import { Roles } from './access.decorators.js';
import { EncryptionRotationService } from './encryption-rotation.service.js';
import { parseInput } from './zod-input.js';

/** Takes no options: an empty body or `{}`. Anything else is refused, so junk never triggers a rotation. */
const RotateBody = z.union([z.undefined(), z.object({}).strict()]);

/** Admin actions. */
@ApiTags('admin')
@ApiBearerAuth()
@Roles(AccessRole.Admin)
@Controller('api/v1/admin/encryption')
export class EncryptionRotationController {
  constructor(private readonly rotation: EncryptionRotationService) {}

  @Post('rotate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Re-encrypt every stored member credential with the current UBERNETES_ENCRYPTION_KEY',
    description:
      'Rollout without downtime: 1) deploy every replica with the new key as UBERNETES_ENCRYPTION_KEY and the old key in UBERNETES_ENCRYPTION_OLD_KEYS; 2) call this; 3) drop the old key.',
  })
  rotate(@Body() body: unknown) {
    parseInput(RotateBody, isEmptyBody(body) ? undefined : body);
    return this.rotation.rotate();
  }
}

function isEmptyBody(body: unknown): boolean {
  return body === undefined || body === null || (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0 && Object.getPrototypeOf(body) === Object.prototype);
}
