// Fargate's task sizes: the valid CPU units and the memory (MiB) each allows, the one table every task size is
// checked against (service, Prometheus, Grafana).
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
export const FARGATE_MEMORY: Readonly<Record<number, (memoryMiB: number) => boolean>> = {
  256: (m) => [512, 1024, 2048].includes(m),
  512: (m) => m >= 1024 && m <= 4096 && m % 1024 === 0,
  1024: (m) => m >= 2048 && m <= 8192 && m % 1024 === 0,
  2048: (m) => m >= 4096 && m <= 16384 && m % 1024 === 0,
  4096: (m) => m >= 8192 && m <= 30720 && m % 1024 === 0,
};

/** Problems of one task size, each prefixed by `field` (e.g. `prod.service`): `<field>.cpu: …`, `<field>.memoryMiB: …`. */
export function fargateSizeProblems(cpu: number, memoryMiB: number, field: string): string[] {
  const fits = FARGATE_MEMORY[cpu];
  if (!fits) return [`${field}.cpu: must be one of ${Object.keys(FARGATE_MEMORY).join(', ')} (got ${cpu})`];
  return fits(memoryMiB) ? [] : [`${field}.memoryMiB: ${memoryMiB} is not valid with cpu ${cpu}`];
}
