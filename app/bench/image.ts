// How the image starts the service, read from app/Dockerfile with dockerfile-ast, so that `npm run bench` runs
// `node dist/server.js` as the container does: the final stage's ENV (with the ENV of the stages it is built FROM)
// and the node flags of its exec-form CMD (["node", <flags>, "dist/server.js"]).
import { DockerfileParser } from 'dockerfile-ast';

export interface ImageRuntime {
  /** ENV of the image, without values that name a build argument ($APP_VERSION): those exist only in a build. */
  env: Record<string, string>;
  /** The node flags of CMD, e.g. ["--liftoff-only"]. */
  nodeFlags: string[];
}

export function imageRuntime(dockerfileText: string): ImageRuntime {
  const dockerfile = DockerfileParser.parse(dockerfileText);
  const froms = dockerfile.getFROMs();
  const final = froms.at(-1);
  if (!final) throw new Error('the Dockerfile has no FROM');
  // The final stage and the stages it builds on, oldest first.
  const chain = [final];
  for (let base = final.getImageName(); ; ) {
    const parent = froms.find((f) => f.getBuildStage() === base);
    if (!parent || chain.includes(parent)) break;
    chain.unshift(parent);
    base = parent.getImageName();
  }
  const stageOf = (line: number) => froms.filter((f) => f.getRange().start.line <= line).at(-1);
  const env: Record<string, string> = {};
  for (const instruction of dockerfile.getENVs()) {
    const stage = stageOf(instruction.getRange().start.line);
    if (!stage || !chain.includes(stage)) continue;
    for (const property of instruction.getProperties()) {
      const name = property.getName();
      const value = property.getValue();
      if (value !== null && !value.includes('$')) env[name] = value;
    }
  }
  const cmd = dockerfile.getCMDs().at(-1);
  const args = cmd?.getJSONStrings().map((s) => s.getJSONValue()) ?? [];
  if (args[0] !== 'node') throw new Error(`the image's CMD is not ["node", …, script] (got ${JSON.stringify(args)})`);
  return { env, nodeFlags: args.slice(1, -1) };
}
