// Stops `npm start` and `npm test` at once, with one line naming the required version, when this Node.js is older
// than package.json's engines.node (npm checks engines only on install: engine-strict in .npmrc). Plain JavaScript
// without dependencies, so that it runs on the old Node it rejects.
import { readFileSync } from 'node:fs';

const manifest = new URL('../package.json', import.meta.url);
const required = JSON.parse(readFileSync(manifest, 'utf8')).engines?.node ?? '';
// engines.node is a plain lower bound (">=22.18"); anything else is a mistake in package.json, not in the machine.
const bound = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(required);
if (!bound) {
  console.error(`scripts/check-node.mjs understands only engines.node ">=X.Y.Z", package.json says "${required}"`);
  process.exit(1);
}
const want = bound.slice(1).map((n) => Number(n ?? 0));
const have = process.versions.node.split('.').map(Number);
const differs = want.findIndex((n, i) => have[i] !== n); // first of major, minor, patch that differs
if (differs >= 0 && have[differs] < want[differs]) {
  console.error(
    `Nodeapp needs Node.js ${required} (Node 24 LTS recommended, see .nvmrc); this is ${process.version} at ${process.execPath}`,
  );
  process.exit(1);
}
