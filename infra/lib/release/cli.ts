// The deploy job's release steps around `cdk deploy` (scripts/deploy-env.sh):
//   npm run -s release -w infra -- migrate --env <name> --digest sha256:…   (before the deploy)
//   npm run -s release -w infra -- watch --env <name> --since <ISO time> --deploy-pid <pid>   (during it)
// Both run in the environment's account as its release role (lib/constructs/release-role.ts), assumed from the
// job's deploy role: https://docs.aws.amazon.com/AWSJavaScriptSDK/v3/latest/Package/-aws-sdk-credential-providers/#fromtemporarycredentials
import { ECSClient } from '@aws-sdk/client-ecs';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { loadServiceContract, serviceFolderFromEnv } from '@nodeapp/contract';
import { IMAGES } from '../../config/images.ts';
import { names } from '../../config/names.ts';
import type { EnvironmentConfig, NodeappConfig } from '../../config/types.ts';
import { MigrateTaskError, runMigrateTask } from './migrate-task.ts';
import { watchDeployment } from './watch-deployment.ts';

export class UsageError extends Error {
  override name = 'UsageError';
}

const USAGE =
  'usage: release migrate --env <name> --digest sha256:<64 hex> | release watch --env <name> --since <ISO time> --deploy-pid <pid>';

/** `--name value` pairs after the command; an unknown or missing one is a UsageError naming it. */
export function parseArgs(args: readonly string[], allowed: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i += 2) {
    const name = (args[i] ?? '').replace(/^--/, '');
    const value = args[i + 1];
    if (!allowed.includes(name) || value === undefined) throw new UsageError(`${USAGE} (got ${args.join(' ')})`);
    out[name] = value;
  }
  for (const name of allowed) if (!(name in out)) throw new UsageError(`--${name} is missing; ${USAGE}`);
  return out;
}

function environment(config: NodeappConfig, name: string): EnvironmentConfig {
  const env = config.environments.find((e) => e.name === name);
  if (!env)
    throw new UsageError(`--env ${name}: unknown (expected ${config.environments.map((e) => e.name).join(', ')})`);
  return env;
}

function ecsClientFor(env: EnvironmentConfig): ECSClient {
  return new ECSClient({
    region: env.region,
    credentials: fromTemporaryCredentials({
      params: {
        RoleArn: `arn:aws:iam::${env.account}:role/${names(env.name).releaseRole}`,
        RoleSessionName: `nodeapp-release-${env.name}`,
      },
    }),
  });
}

export interface ReleaseDeps {
  readonly client: (env: EnvironmentConfig) => ECSClient;
  readonly print: (line: string) => void;
  readonly sleep?: (ms: number) => Promise<void>;
}

export async function releaseMain(
  args: readonly string[],
  config: NodeappConfig,
  deps: Partial<ReleaseDeps> = {},
): Promise<number> {
  const client = deps.client ?? ecsClientFor;
  const print = deps.print ?? ((line: string) => console.log(line));
  const sleep = deps.sleep;
  const [command, ...rest] = args;
  const contract = loadServiceContract(serviceFolderFromEnv());
  if (command === 'migrate') {
    const a = parseArgs(rest, ['env', 'digest']);
    if (!/^sha256:[0-9a-f]{64}$/.test(a.digest ?? ''))
      throw new UsageError(`--digest must be sha256:<64 hex> (got ${a.digest})`);
    const env = environment(config, a.env ?? '');
    const migrate = contract.database?.migrate;
    if (!migrate?.length || env.database !== 'rds') {
      print('migrate: no shared database or no migrate command in the service contract: nothing to run');
      print('migrateOnStart=true');
      return 0;
    }
    const image = `${config.shared.account}.dkr.ecr.${config.shared.region}.amazonaws.com/${IMAGES.app.repositoryName}@${a.digest}`;
    try {
      const result = await runMigrateTask(client(env), {
        cluster: names(env.name).cluster,
        service: contract.name,
        // The container is named after the service (lib/constructs/app-task-definition.ts).
        container: contract.name,
        image,
        command: migrate,
        log: print,
        sleep,
      });
      // The last line is what scripts/deploy-env.sh passes to the deploy as `-c migrateOnStart=…`.
      print(`migrateOnStart=${result.outcome === 'no-service'}`);
      return 0;
    } catch (error) {
      if (!(error instanceof MigrateTaskError)) throw error;
      print(`::error title=Migration failed::${error.message}`);
      return 1;
    }
  }
  if (command === 'watch') {
    const a = parseArgs(rest, ['env', 'since', 'deploy-pid']);
    const env = environment(config, a.env ?? '');
    const since = new Date(a.since ?? '');
    if (Number.isNaN(since.getTime())) throw new UsageError(`--since must be an ISO time (got ${a.since})`);
    const pid = Number(a['deploy-pid']);
    if (!Number.isInteger(pid) || pid <= 0)
      throw new UsageError(`--deploy-pid must be a process id (got ${a['deploy-pid']})`);
    const deployRunning = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const result = await watchDeployment(client(env), {
      cluster: names(env.name).cluster,
      service: contract.name,
      since,
      deployRunning,
      log: print,
      sleep,
    });
    if (result.outcome === 'no-deployment') print('watch: this deploy did not change the service');
    else if (result.outcome === 'succeeded') print(`watch: ${result.deploymentArn} succeeded`);
    else print(`::error title=Deployment ${result.outcome}::${result.reason} (${result.deploymentArn})`);
    return result.outcome === 'succeeded' || result.outcome === 'no-deployment' ? 0 : 1;
  }
  throw new UsageError(USAGE);
}
