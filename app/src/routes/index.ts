// The one list of route plugins: app.ts registers these, and the schema meta-validation test walks the same list,
// so a new route cannot skip that check.
import type { FastifyInstance } from 'fastify';
import { healthRoutes } from './health.ts';
import { helloRoutes } from './hello.ts';
import { messageRoutes } from './messages.ts';
import type { RouteDependencies, RoutePlugin } from './types.ts';

export const routePlugins: readonly RoutePlugin[] = [helloRoutes, messageRoutes, healthRoutes];

/** Registers every route plugin (the rate limiter must be registered first: routes use `app.rateLimit`). */
export async function registerRoutes(app: FastifyInstance, dependencies: RouteDependencies): Promise<void> {
  for (const plugin of routePlugins) await app.register(plugin, dependencies);
}
