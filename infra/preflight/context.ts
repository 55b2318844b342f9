import type { EnvironmentConfig, NodeappConfig } from '../config/types.ts';
import type { Access } from './access.ts';

/** What every check after `account` gets: the config, the environment checked and the clients to read it with. */
export interface CheckContext {
  readonly config: NodeappConfig;
  readonly env: EnvironmentConfig;
  readonly access: Access;
}
