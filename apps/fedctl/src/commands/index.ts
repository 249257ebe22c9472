import type { Command } from 'commander';

/**
 * Every fedctl command module exports `register(program)`. Add new modules to this list (one line each)
 * so that commands written in parallel never edit the same lines.
 */
export type CommandRegistrar = (program: Command) => void;

export const registrars: CommandRegistrar[] = [
  (await import('./plan.command.js')).register,
  (await import('./join.command.js')).register,
  (await import('./unjoin.command.js')).register,
  (await import('./get.command.js')).register,
  (await import('./describe.command.js')).register,
  (await import('./token.command.js')).register,
  (await import('./audit.command.js')).register,
  (await import('./config.command.js')).register,
  (await import('./admin.command.js')).register,
  (await import('./apply.command.js')).register,
  (await import('./delete.command.js')).register,
  (await import('./dns.command.js')).register,
  (await import('./patch.command.js')).register,
  (await import('./label.command.js')).register,
  (await import('./cordon.command.js')).register,
  (await import('./kubeconfig.command.js')).register,
];
