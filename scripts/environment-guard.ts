// The production deploy's guard, run before any AWS call: reads the deployment environment's protection through the
// GitHub REST API with the job's token and fails (exit 1, one line per problem) when it is unguarded:
// - branches: the environment must allow the deploy branch and nothing else (a custom branch policy naming exactly
//   it; "All branches" and "Protected branches only" both fail);
// - a human gate: required reviewers, or, where the plan offers none (private repositories without GitHub
//   Enterprise), the documented alternative: this run was started by hand (workflow_dispatch) by someone with the
//   admin or maintain role on the repository (docs/deploy.md, "Deploys only from main").
// The pipeline refuses to run unguarded instead of trusting the docs.
//
// Env: GITHUB_REPOSITORY (owner/repo), GITHUB_TOKEN or GH_TOKEN (the job's token; "Anyone with read access to the
// repository can use this endpoint"), GITHUB_API_URL (set by the runner; the tests point it at a loopback server),
// GITHUB_EVENT_NAME, GITHUB_ACTOR, GITHUB_REF, DEPLOY_ENVIRONMENT (default production), DEPLOY_BRANCH (default main).
// API: https://docs.github.com/en/rest/deployments/environments#get-an-environment
//      https://docs.github.com/en/rest/deployments/branch-policies#list-deployment-branch-policies
//      https://docs.github.com/en/rest/collaborators/collaborators#get-repository-permissions-for-a-user

interface Environment {
  readonly protection_rules?: readonly { readonly type: string; readonly reviewers?: readonly unknown[] }[];
  readonly deployment_branch_policy?: {
    readonly protected_branches: boolean;
    readonly custom_branch_policies: boolean;
  } | null;
}
interface BranchPolicies {
  readonly branch_policies: readonly { readonly name: string; readonly type?: string }[];
}
interface Permission {
  readonly permission?: string;
  readonly role_name?: string;
}

class GuardError extends Error {}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new GuardError(`${name} is not set`);
  return value;
}

async function get<T>(api: string, token: string, path: string): Promise<T | undefined> {
  const response = await fetch(`${api}${path}`, {
    headers: {
      accept: 'application/vnd.github+json',
      authorization: `Bearer ${token}`,
      'x-github-api-version': '2022-11-28',
    },
  }).catch((error: Error) => {
    throw new GuardError(
      `GET ${api}${path}: ${error.message} (${String((error.cause as Error | undefined)?.message ?? '')})`,
    );
  });
  if (response.status === 404) return undefined;
  if (!response.ok)
    throw new GuardError(`GET ${path}: HTTP ${response.status} (${(await response.text()).slice(0, 200)})`);
  return (await response.json()) as T;
}

/** The problems with the environment's protection for this run; empty when it is guarded. */
export async function guardProblems(env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const repository = required(env, 'GITHUB_REPOSITORY');
  if (!/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(repository))
    throw new GuardError(`GITHUB_REPOSITORY must be owner/repo (got "${repository}")`);
  const token = env.GITHUB_TOKEN?.trim() || env.GH_TOKEN?.trim();
  if (!token) throw new GuardError('GITHUB_TOKEN (or GH_TOKEN) is not set: pass the job token (github.token)');
  const api = (env.GITHUB_API_URL?.trim() || 'https://api.github.com').replace(/\/+$/, '');
  const name = env.DEPLOY_ENVIRONMENT?.trim() || 'production';
  const branch = env.DEPLOY_BRANCH?.trim() || 'main';
  const base = `/repos/${repository}/environments/${encodeURIComponent(name)}`;

  const problems: string[] = [];
  if (env.GITHUB_REF && env.GITHUB_REF !== `refs/heads/${branch}`) {
    problems.push(`this run is on ${env.GITHUB_REF}; ${name} deploys only from refs/heads/${branch}`);
  }
  const environment = await get<Environment>(api, token, base);
  if (!environment) {
    return [
      ...problems,
      `environment ${name} does not exist in ${repository}: create it with its protection first (a job naming it would create it unprotected)`,
    ];
  }

  const branches = environment.deployment_branch_policy;
  if (!branches) {
    problems.push(
      `environment ${name} allows every branch: set its deployment branches to the custom rule "${branch}" only`,
    );
  } else if (branches.protected_branches) {
    problems.push(
      `environment ${name} allows every protected branch: set its deployment branches to the custom rule "${branch}" only`,
    );
  } else {
    const policies =
      (await get<BranchPolicies>(api, token, `${base}/deployment-branch-policies`))?.branch_policies ?? [];
    const others = policies.filter((p) => p.name !== branch || (p.type ?? 'branch') !== 'branch');
    if (others.length > 0) {
      problems.push(
        `environment ${name} also allows ${others.map((p) => `${p.type ?? 'branch'} "${p.name}"`).join(', ')}: allow the branch "${branch}" only`,
      );
    }
    if (policies.length === others.length) problems.push(`environment ${name} allows no "${branch}" branch rule`);
  }

  const reviewers = (environment.protection_rules ?? [])
    .filter((rule) => rule.type === 'required_reviewers')
    .flatMap((rule) => rule.reviewers ?? []);
  if (reviewers.length === 0) {
    const event = env.GITHUB_EVENT_NAME ?? '';
    const actor = env.GITHUB_ACTOR ?? '';
    if (event !== 'workflow_dispatch') {
      problems.push(
        `environment ${name} has no required reviewers, so only a manual run (workflow_dispatch on ${branch}) by a maintainer may deploy it; this run was triggered by ${event || 'an unknown event'}`,
      );
    } else {
      const permission = actor
        ? await get<Permission>(
            api,
            token,
            `/repos/${repository}/collaborators/${encodeURIComponent(actor)}/permission`,
          )
        : undefined;
      const role = permission?.role_name ?? permission?.permission ?? 'none';
      if (!['admin', 'maintain'].includes(role)) {
        problems.push(
          `environment ${name} has no required reviewers and this manual run's actor ${actor || '(unknown)'} has the role ${role}, not admin or maintain`,
        );
      }
    }
  }
  return problems;
}

if (import.meta.main) {
  try {
    const problems = await guardProblems();
    if (problems.length > 0) {
      for (const problem of problems) console.error(`::error title=Production is unguarded::${problem}`);
      process.exit(1);
    }
    console.log(
      `environment ${process.env.DEPLOY_ENVIRONMENT || 'production'} is guarded: ${process.env.DEPLOY_BRANCH || 'main'} only, with a human gate`,
    );
  } catch (error) {
    if (!(error instanceof GuardError)) throw error;
    console.error(`::error title=Environment guard::${error.message}`);
    process.exit(1);
  }
}
