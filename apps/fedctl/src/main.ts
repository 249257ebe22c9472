import { Command, CommanderError } from 'commander';
import { addConnectionOptions } from './client-config.js';
import { registrars } from './commands/index.js';
import { exitCodeFor, printError } from './output.js';

const program = new Command('fedctl')
  .description('Command-line client of Ubernetes, the Kubernetes federation control plane')
  .showHelpAfterError()
  .exitOverride();
addConnectionOptions(program);
for (const register of registrars) register(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version end successfully; every other commander error is a usage error (exit 2).
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else {
    printError(error);
    process.exitCode = exitCodeFor(error);
  }
}
