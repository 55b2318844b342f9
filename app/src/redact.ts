// Database passwords kept out of every message: the password a connection setting holds is found however the
// setting is written, then each of its spellings is replaced by *** in the text shown.
import { parse } from 'pg-connection-string';

/**
 * The password(s) a connection setting holds, in every spelling a message may carry: as written, percent-decoded
 * and percent-encoded; longest first. Reads a postgres:// URL (percent-encoded or not), a JDBC URL's
 * `?password=`, libpq's `key=value` form, and the user-info of a URL no parser accepts (an unencoded `/`, `?`, `#`,
 * `@` or space in the password: everything between `scheme://user:` and the last `@`).
 */
export function passwordsIn(setting: string): string[] {
  const found = new Set<string>();
  // pg's own parser (pg-connection-string) reads URLs, percent-decoding, and query parameters (JDBC's password=).
  try {
    const { password } = parse(setting);
    if (password) found.add(password);
  } catch {
    // not a URL it reads: the user-info below still finds the password
  }
  const at = setting.lastIndexOf('@');
  if (at >= 0) {
    const scheme = setting.indexOf('://');
    const userInfo = setting.slice(scheme >= 0 && scheme < at ? scheme + 3 : 0, at);
    const colon = userInfo.indexOf(':');
    if (colon >= 0) found.add(userInfo.slice(colon + 1));
  }
  // libpq key=value (`password=secret`, `password = 'se cret'`) and query parameters (`&password=secret`).
  // https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING-KEYWORD-VALUE
  for (const m of setting.matchAll(/\bpassword\s*=\s*(?:'((?:[^'\\]|\\.)*)'|([^\s&;]*))/gi))
    found.add(m[1] ?? m[2] ?? '');
  return spellings(found);
}

function spellings(passwords: Iterable<string>): string[] {
  const all = new Set<string>();
  for (const password of passwords) {
    if (!password) continue;
    all.add(password);
    all.add(encodeURIComponent(password));
    try {
      all.add(decodeURIComponent(password));
    } catch {
      // a lone % is no encoding
    }
  }
  return [...all].sort((a, b) => b.length - a.length);
}

/** The secrets of a database connection (a connection string, or the discrete password), every spelling. */
export function connectionSecrets(connection: { connectionString?: string; password?: string }): string[] {
  return [
    ...(connection.connectionString === undefined ? [] : passwordsIn(connection.connectionString)),
    ...spellings(connection.password === undefined ? [] : [connection.password]),
  ].sort((a, b) => b.length - a.length);
}

/** `text` with every one of `secrets` replaced by ***. */
export function redact(text: string, secrets: readonly string[]): string {
  let shown = text;
  for (const secret of secrets) if (secret) shown = shown.replaceAll(secret, '***');
  return shown;
}

/** A connection setting as a message may show it: its password masked, however it is written. */
export function maskCredentials(setting: string): string {
  return redact(setting, passwordsIn(setting));
}
