import type { Config } from './load-config.js';

/**
 * Nest injection token for the validated {@link Config} (a class token, not a string). The interface of
 * the same name merges the config's shape into it, so `constructor(private readonly config: AppConfig)`
 * is fully typed.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the merge is the point: a typed class token
export abstract class AppConfig {}
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface AppConfig extends Config {}
