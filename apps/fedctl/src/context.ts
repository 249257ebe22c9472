import type { Command } from 'commander';
import { ApiClient } from './api-client.js';
import { resolveClientSettings } from './client-config.js';

/** The API client for a command, from the root program's connection flags. */
export function clientFor(command: Command): ApiClient {
  let root = command;
  while (root.parent) root = root.parent;
  return new ApiClient(resolveClientSettings(root.opts()));
}
