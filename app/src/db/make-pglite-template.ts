// `node --liftoff-only src/db/make-pglite-template.ts [folder]`: makes the prebuilt empty database (see
// pglite-template.ts); `npm run build` and the image build run it. Quick when the template is up to date.
import { defaultTemplateDir, makeTemplate } from './pglite-template.ts';

const dir = process.argv[2] ?? defaultTemplateDir;
try {
  const started = performance.now();
  const result = await makeTemplate(dir);
  console.log(`PGlite template ${dir}: ${result} (${Math.round(performance.now() - started)} ms)`);
} catch (error) {
  console.error(`cannot make the PGlite template in ${dir}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
