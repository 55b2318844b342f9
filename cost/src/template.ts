// A minimal model of synthesized CloudFormation templates: resources, intrinsic references and cross-stack
// imports, so the estimator can follow Service -> TaskDefinition, ScalableTarget -> Service, etc.

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

export interface CfnTemplate {
  Resources?: Record<string, CfnResource>;
  Outputs?: Record<string, { Value?: unknown; Export?: { Name?: unknown } }>;
}

export interface StackTemplate {
  /** CloudFormation stack name, e.g. Nodeapp-dev-Service. */
  name: string;
  region: string;
  template: CfnTemplate;
}

/** One resource found in a stack. */
export interface Found {
  stack: StackTemplate;
  id: string;
  type: string;
  props: Record<string, unknown>;
}

export class Inventory {
  readonly stacks: StackTemplate[];
  readonly all: Found[];

  constructor(stacks: StackTemplate[]) {
    this.stacks = stacks;
    this.all = stacks.flatMap((stack) =>
      Object.entries(stack.template.Resources ?? {}).map(([id, r]) => ({
        stack,
        id,
        type: r.Type,
        props: r.Properties ?? {},
      })),
    );
  }

  ofType(type: string): Found[] {
    return this.all.filter((r) => r.type === type);
  }

  byId(stack: StackTemplate, id: string): Found | undefined {
    return this.all.find((r) => r.stack === stack && r.id === id);
  }

  /**
   * The resource an expression points at: {Ref}, {Fn::GetAtt}, {Fn::ImportValue} of another stack's export or
   * {Fn::GetStackOutput} (followed to the producing stack). Undefined for literals and anything else.
   */
  resolve(stack: StackTemplate, expr: unknown): Found | undefined {
    if (!isObject(expr)) return undefined;
    if (typeof expr.Ref === 'string') return this.byId(stack, expr.Ref);
    const getAtt = expr['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return this.byId(stack, getAtt[0]);
    if (typeof getAtt === 'string') return this.byId(stack, getAtt.split('.')[0] ?? '');
    // Newer CDK cross-stack references read the producer's output directly.
    const output = expr['Fn::GetStackOutput'];
    if (isObject(output) && typeof output.StackName === 'string' && typeof output.OutputName === 'string') {
      const producer = this.stacks.find((s) => s.name === output.StackName);
      const value = producer?.template.Outputs?.[output.OutputName]?.Value;
      return producer ? this.resolve(producer, value) : undefined;
    }
    const imported = expr['Fn::ImportValue'];
    if (imported !== undefined) {
      for (const other of this.stacks) {
        for (const output of Object.values(other.template.Outputs ?? {})) {
          if (sameValue(output.Export?.Name, imported)) return this.resolve(other, output.Value);
        }
      }
    }
    return undefined;
  }

  /** Every resource referenced anywhere inside `expr` (deep), e.g. the Service inside a ScalableTarget ResourceId. */
  referencedIn(stack: StackTemplate, expr: unknown): Found[] {
    const out: Found[] = [];
    const walk = (node: unknown): void => {
      const hit = this.resolve(stack, node);
      if (hit) out.push(hit);
      if (Array.isArray(node)) node.forEach(walk);
      else if (isObject(node)) Object.values(node).forEach(walk);
    };
    walk(expr);
    return out;
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** CloudFormation numbers are often strings ("256"); literal values only. */
export function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function obj(v: unknown): Record<string, unknown> {
  return isObject(v) ? v : {};
}
