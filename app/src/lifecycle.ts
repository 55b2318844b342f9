// The process's shutdown state, shared by server.ts (which changes it) and the routes and hooks that read it.
export interface Lifecycle {
  /** SIGTERM received: readiness answers 503 while requests are still served (the drain). */
  shuttingDown: boolean;
  /** The drain is over and the server is closing: responses end their connection. */
  closing: boolean;
}

export function newLifecycle(): Lifecycle {
  return { shuttingDown: false, closing: false };
}
