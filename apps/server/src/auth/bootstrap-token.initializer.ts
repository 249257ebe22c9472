import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { TokensService } from '#libs/auth';

/**
 * At first start without `UBERNETES_BOOTSTRAP_TOKEN` and without stored tokens, creates an admin token and
 * prints it once to stdout, deliberately not through the structured logger (logs are shipped and kept;
 * this secret must not be).
 */
@Injectable()
export class BootstrapTokenInitializer implements OnApplicationBootstrap {
  constructor(private readonly tokens: TokensService) {}

  async onApplicationBootstrap(): Promise<void> {
    const token = await this.tokens.ensureBootstrapToken();
    if (!token) return;
    process.stdout.write(
      [
        '',
        'Ubernetes created the first admin token. It is shown only this once; store it now:',
        '',
        `    ${token}`,
        '',
        'Use it with: fedctl config set-context admin --server <url> --token <token> && fedctl config use-context admin',
        'Then create named tokens (fedctl token create NAME --role operator) and revoke this one (fedctl token revoke bootstrap-admin).',
        '',
        '',
      ].join('\n'),
    );
  }
}
