import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AccessRole, TokensService, type Principal } from '#libs/auth';
import { CurrentPrincipal, Roles } from './access.decorators.js';
import { parseInput } from './zod-input.js';

const CreateToken = z
  .object({
    name: z.string().max(63),
    role: z.enum(AccessRole),
    expiresIn: z.string().max(16).optional(),
  })
  .strict();

/** API tokens: admin only. The token value is returned once, by POST. */
@ApiTags('access')
@ApiBearerAuth()
@Roles(AccessRole.Admin)
@Controller('api/v1/tokens')
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Post()
  @ApiOperation({ summary: 'Create a token (the response carries the token once)' })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['name', 'role'],
      properties: { name: { type: 'string' }, role: { type: 'string', enum: ['admin', 'operator', 'viewer'] }, expiresIn: { type: 'string', example: '24h' } },
    },
  })
  create(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    return this.tokens.create(parseInput(CreateToken, body), principal.actor);
  }

  @Get()
  @ApiOperation({ summary: 'List active tokens (never their values)' })
  async list() {
    return { items: await this.tokens.list() };
  }

  @Delete(':name')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke a token at once' })
  revoke(@Param('name') name: string) {
    return this.tokens.revoke(name);
  }
}
