// What every route plugin takes: its type lives here, outside the route list (index.ts), so that a route imports it
// without importing the list that imports the route.
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import type { Database } from '../db/types.ts';
import type { Lifecycle } from '../lifecycle.ts';

export interface RouteDependencies {
  config: Config;
  db: Database;
  lifecycle: Lifecycle;
}

export type RoutePlugin = (app: FastifyInstance, dependencies: RouteDependencies) => Promise<void>;
