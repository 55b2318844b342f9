// `npm run migrate`: applies pending migrations and exits (the service also does this at start).
import { loadConfigOrExit } from './config.ts';
import { openDatabase } from './db/database.ts';
import { migrate } from './db/migrations.ts';

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
  console.error(`migration failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
