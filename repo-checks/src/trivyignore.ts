// The rules for .trivyignore.yaml (Trivy's YAML ignore file): every entry names a vulnerability id, says why it is
// accepted and until when, and is not past that date. https://trivy.dev/latest/docs/configuration/filtering/#trivyignoreyaml
import { parseYaml } from './repo.ts';

/** The longest an entry may be accepted before it must be looked at again. */
export const MAX_IGNORE_DAYS = 90;
const SECTIONS = new Set(['vulnerabilities', 'misconfigurations', 'secrets', 'licenses']);
const ENTRY_KEYS = new Set(['id', 'paths', 'purls', 'statement', 'expired_at']);
const DAY_MS = 86_400_000;

/** One line per problem in the ignore file's text, as of `today` (YYYY-MM-DD, UTC). */
export function trivyIgnoreProblems(text: string, today: string): string[] {
  const doc = parseYaml(text) as Record<string, unknown> | null;
  if (doc === null || typeof doc !== 'object') return ['the file must be a mapping of sections'];
  const problems: string[] = [];
  const now = Date.parse(`${today}T00:00:00Z`);
  for (const [section, entries] of Object.entries(doc)) {
    if (!SECTIONS.has(section)) {
      problems.push(`${section}: not a Trivy section (${[...SECTIONS].join(', ')})`);
      continue;
    }
    if (entries === null) continue;
    if (!Array.isArray(entries)) {
      problems.push(`${section}: must be a list`);
      continue;
    }
    entries.forEach((entry: Record<string, unknown>, i) => {
      const where = `${section}[${i}]${typeof entry?.id === 'string' ? ` ${entry.id}` : ''}`;
      for (const key of Object.keys(entry ?? {}))
        if (!ENTRY_KEYS.has(key)) problems.push(`${where}: unknown key ${key}`);
      if (typeof entry?.id !== 'string' || entry.id.trim() === '') problems.push(`${where}: id is required`);
      if (typeof entry?.statement !== 'string' || entry.statement.trim().length < 20) {
        problems.push(`${where}: statement (the reason it is accepted, at least 20 characters) is required`);
      }
      const expiry = entry?.expired_at;
      const expiryText = expiry instanceof Date ? expiry.toISOString().slice(0, 10) : String(expiry ?? '');
      if (!/^\d{4}-\d{2}-\d{2}$/.test(expiryText) || Number.isNaN(Date.parse(`${expiryText}T00:00:00Z`))) {
        problems.push(`${where}: expired_at (YYYY-MM-DD) is required`);
        return;
      }
      const at = Date.parse(`${expiryText}T00:00:00Z`);
      if (at <= now) problems.push(`${where}: expired on ${expiryText}: fix it, or renew it with a new reason`);
      else if (at - now > MAX_IGNORE_DAYS * DAY_MS) {
        problems.push(`${where}: expired_at ${expiryText} is more than ${MAX_IGNORE_DAYS} days ahead`);
      }
    });
  }
  return problems;
}
