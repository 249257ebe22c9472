import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AccessRole, type Principal } from '#libs/auth';
import { CurrentPrincipal, Roles } from './access.decorators.js';

/** Who the caller is, as the server sees it (for fedctl and for debugging group mappings). */
@ApiTags('access')
@ApiBearerAuth()
@Controller('api/v1/whoami')
export class WhoamiController {
  @Get()
  @Roles(AccessRole.Viewer)
  @ApiOperation({ summary: 'The authenticated caller and its role' })
  whoami(@CurrentPrincipal() principal: Principal) {
    return { actor: principal.actor, kind: principal.kind, role: principal.role ?? null };
  }
}
