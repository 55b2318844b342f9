// `npm run migrate`: applies pending migrations and exits (the service also does this at start).
import { loadConfigOrExit } from './config.ts';
import { openDatabase } from './db/database.ts';
import { migrate } from './db/migrations.ts';
import { connectionSecrets, redact } from './redact.ts';

const config = loadConfigOrExit();
try {
  const db = await openDatabase(config.database);
  try {
    const applied = await migrate(db);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database schema is up to date');
  } finally {
    await db.close();
  }
} catch (error) {
  const shown = error instanceof Error ? error.message : String(error);
  const secrets = config.database.kind === 'postgres' ? connectionSecrets(config.database.connection) : [];
  console.error(`migration failed: ${redact(shown, secrets)}`);
  process.exit(1);
}
