// Security headers, two sets computed once at start-up (they do not depend on the request: no nonces), so each
// reply gets one precomputed object instead of helmet's middleware setting a dozen headers one by one.
//
// The page and everything a browser renders (/, its assets, /docs) get helmet's full set with a
// Content-Security-Policy the guestbook page satisfies: it loads only its own script and stylesheet files, no
// inline code, and talks only to its own origin.
//
// JSON API responses (/api/*, /health/*, and every JSON error) get a smaller set. Security review, header by
// header, of what the full set would add to a JSON response a browser never renders as a document:
// - kept: `X-Content-Type-Options: nosniff` (no browser may sniff JSON into HTML or script);
//   `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'` (should a JSON response be opened as a
//   document anyway, nothing in it runs, loads or can be framed: this also covers X-Frame-Options);
//   `Cross-Origin-Resource-Policy: same-origin` (other sites cannot embed the data through no-cors requests,
//   the Spectre-class leak CORP exists for); `Cache-Control: no-store` (shared caches never keep API answers).
// - dropped, with the reason they protect nothing here: X-Frame-Options (frame-ancestors above supersedes it in
//   every browser that honours CSP, and a JSON body in a frame offers nothing to click); Cross-Origin-Opener-Policy
//   and Origin-Agent-Cluster (they apply to documents that open windows or run script); Referrer-Policy (a JSON
//   response contains no links to follow); X-DNS-Prefetch-Control, X-Download-Options,
//   X-Permitted-Cross-Domain-Policies (DNS prefetching of links, IE8 downloads, Flash/Acrobat policy files: none
//   apply to JSON); X-XSS-Protection (helmet sets it to 0 anyway, disabling the removed XSS auditor).
//   Strict-Transport-Security is set by CloudFront/ALB where TLS ends, on both sets.
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

export const pageCsp = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'font-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/** The headers every JSON API response carries (see the review above). */
export const apiHeaders: Readonly<Record<string, string>> = Object.freeze({
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
});

/** The security headers helmet sets for the page's policy, recorded by running its middleware once. */
export function pageHeaders(): Record<string, string> {
  const setHeaders = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: pageCsp },
    // Plain HTTP on localhost must keep working; TLS ends at CloudFront/ALB, which set HSTS there.
    strictTransportSecurity: false,
  });
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: unknown) {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let failure: unknown;
  setHeaders({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    failure = error;
  });
  if (failure !== undefined) throw failure;
  if (!headers['content-security-policy']) throw new Error('helmet set no Content-Security-Policy');
  return headers;
}

/** JSON API paths; everything else may be rendered by a browser and gets the page's full set. */
export function isApiPath(url: string): boolean {
  return url.startsWith('/api/') || url.startsWith('/health/');
}
