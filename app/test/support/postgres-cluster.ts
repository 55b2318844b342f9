// A throwaway PostgreSQL cluster of the test's own, which the test may kill and restart (the shared test server
// from TEST_DATABASE_URL must not be). Uses the server binaries of Debian's postgresql package; as root (CI),
// initdb and pg_ctl run as the `postgres` user, since both refuse to run as root.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Requirement, requirementMessage } from '@nodeapp/test-support';
import { freePort } from './ports.ts';

export const clusterRequirement: Requirement = {
  missing: 'no PostgreSQL server binaries (initdb, pg_ctl)',
  howToGet: 'apt-get install postgresql (Debian/Ubuntu) or brew install postgresql (macOS)',
};

/** The newest /usr/lib/postgresql/N/bin, or pg_config's bindir; undefined when neither has initdb. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0]) return join(root, versions[0], 'bin');
  const pgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const dir = pgConfig.status === 0 ? pgConfig.stdout.trim() : '';
  return dir && existsSync(join(dir, 'initdb')) ? dir : undefined;
}

export interface Cluster {
  /** postgres://postgres@127.0.0.1:PORT/postgres (trust authentication on loopback, no TLS) */
  url: string;
  start(): void;
  /** `immediate`: every server process quits at once, without a checkpoint, as in a crash. */
  stop(mode: 'fast' | 'immediate'): void;
  destroy(): void;
}

export async function startCluster(): Promise<Cluster> {
  const bin = postgresBinDir();
  if (!bin) throw new Error(requirementMessage(clusterRequirement));
  const dir = mkdtempSync(join(tmpdir(), 'nodeapp-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
    chownSync(dir, uid, gid);
  }
  const run = (tool: string, args: string[]) => {
    const [command, argv] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]]
      : [join(bin, tool), args];
    const result = spawnSync(command as string, argv as string[], { cwd: dir, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${tool} failed: ${result.stderr}${result.stdout}`);
  };
  const port = await freePort();
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8']);
  // fsync off is safe for this test (a killed server, not a lost machine: the OS keeps what was written);
  // synchronous_commit stays on, so a commit the server acknowledged is in the WAL when it is killed.
  const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c full_page_writes=off`;
  const cluster: Cluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start: () => run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', '-o', options, 'start']),
    stop: (mode) => run('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']),
    destroy() {
      try {
        cluster.stop('immediate');
      } catch {}
      rmSync(dir, { recursive: true, force: true });
    },
  };
  cluster.start();
  return cluster;
}
