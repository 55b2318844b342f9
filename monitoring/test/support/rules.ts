// Reading the rule files and their promtool unit tests as data.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { MONITORING_DIR } from './tools.ts';

export const RULES_DIR = join(MONITORING_DIR, 'prometheus', 'rules');

export interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  interval?: string;
  rules: Rule[];
}

export function ruleFiles(): string[] {
  return readdirSync(RULES_DIR)
    .filter((f) => f.endsWith('.rules.yml'))
    .sort();
}

export function ruleTestFiles(): string[] {
  return readdirSync(RULES_DIR)
    .filter((f) => f.endsWith('.test.yml'))
    .sort();
}

export function ruleGroups(file: string): RuleGroup[] {
  return (parse(readFileSync(join(RULES_DIR, file), 'utf8')) as { groups: RuleGroup[] }).groups;
}

/** The SLO rule files, one per environment (the Prometheus image loads its environment's). */
export function sloRuleFiles(): string[] {
  return readdirSync(join(RULES_DIR, 'slo'))
    .filter((f) => f.endsWith('.rules.yml'))
    .map((f) => `slo/${f}`)
    .sort();
}

export function allRules(): Rule[] {
  return [...ruleFiles(), ...sloRuleFiles()].flatMap((file) => ruleGroups(file).flatMap((group) => group.rules));
}
