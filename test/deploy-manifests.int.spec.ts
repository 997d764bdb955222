import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import * as k8s from 'kubernetes-models';
import { parser as promql } from '@prometheus-io/lezer-promql';
import { parseAllDocuments, parse } from 'yaml';
import { SERVICE_NAMES } from '@kite/local-infra';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEPLOY = path.join(ROOT, 'deploy');

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec?: Record<string, unknown>;
  [key: string]: unknown;
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean; capabilities?: { drop?: string[] } };
  resources?: { requests?: { cpu?: string; memory?: string } };
  startupProbe?: unknown;
  readinessProbe?: unknown;
  livenessProbe?: unknown;
  env?: { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
}
interface PodSpec {
  securityContext?: { runAsNonRoot?: boolean; seccompProfile?: { type: string } };
  containers: Container[];
}

const files = fs.readdirSync(path.join(DEPLOY, 'k8s')).filter((f) => f.endsWith('.yaml'));
const read = (file: string): Manifest[] => parseAllDocuments(fs.readFileSync(path.join(DEPLOY, 'k8s', file), 'utf8')).map((d) => d.toJSON() as Manifest);
const all = files.flatMap((file) => read(file).map((manifest) => ({ file, manifest })));
const ofKind = (kind: string) => all.map((m) => m.manifest).filter((m) => m.kind === kind);
const podSpecOf = (m: Manifest): PodSpec => ((m.spec?.template ?? (m.spec?.jobTemplate as { spec: { template: unknown } })?.spec.template) as { spec: PodSpec }).spec;

type Model = new (data: unknown) => { validate(): void };
/** `networking.k8s.io` → `networkingK8sIo`: how kubernetes-models names an API group. */
const groupName = (group: string) => group.replace(/\.(\w)/g, (_m, c: string) => c.toUpperCase());

/** The model of a manifest's kind, with the Kubernetes API's own OpenAPI schema (kubernetes-models). */
function modelOf(m: Manifest): Model {
  const [group, version] = m.apiVersion.includes('/') ? m.apiVersion.split('/') : [undefined, m.apiVersion];
  const models = k8s as unknown as Record<string, Record<string, Record<string, Model>>>;
  const found = group ? models[groupName(group)]?.[version!]?.[m.kind] : (k8s.v1 as unknown as Record<string, Model>)[m.kind];
  if (!found) throw new Error(`no schema for ${m.apiVersion} ${m.kind}`);
  return found;
}

/** deploy/: what an operations team applies. Checked against the Kubernetes schemas and against what we promise of it. */
describe('deploy/: Kubernetes manifests and Compose', () => {
  it.each(all.map(({ file, manifest }) => [`${file}: ${manifest.kind} ${manifest.metadata.name}`, manifest] as const))('%s passes the Kubernetes schema', (_name, manifest) => {
    const Model = modelOf(manifest as Manifest);
    expect(() => new Model(manifest).validate()).not.toThrow();
  });

  it('the kustomization applies every manifest but the Secret template, and the NATS configuration with the permissions file', () => {
    const kustomization = parse(fs.readFileSync(path.join(DEPLOY, 'kustomization.yaml'), 'utf8')) as { resources: string[]; configMapGenerator: { name: string; files: string[] }[] };
    expect([...kustomization.resources].sort()).toEqual(files.filter((f) => f !== 'secret.template.yaml').map((f) => `k8s/${f}`).sort());
    const natsFiles = kustomization.configMapGenerator.find((g) => g.name === 'nats-config')!.files.map((f) => f.split('=')[1]!);
    expect(natsFiles).toEqual(['k8s/nats.conf', 'nats/permissions.conf']);
    for (const file of natsFiles) expect(fs.existsSync(path.join(DEPLOY, file))).toBe(true);
  });

  it.each(SERVICE_NAMES.map((name) => [name]))('%s: non-root, read-only, no capabilities, probes, requests, a budget and an autoscaler, its own NATS user', (name) => {
    const deployment = ofKind('Deployment').find((d) => d.metadata.name === name)!;
    const pod = podSpecOf(deployment);
    const [container] = pod.containers;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container!.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(container!.startupProbe && container!.readinessProbe && container!.livenessProbe).toBeTruthy();
    expect(container!.resources?.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
    expect(container!.image).toMatch(/:\d+\.\d+\.\d+$/);
    expect(container!.command).toEqual(['node', '--no-memory-reducer', `dist/apps/${name}/main.js`]);
    const env = Object.fromEntries((container!.env ?? []).map((e) => [e.name, e]));
    expect(env.NATS_USER).toMatchObject({ value: name });
    expect(env.KITE_STREAMS).toMatchObject({ value: 'existing' });
    expect(ofKind('PodDisruptionBudget').some((p) => p.metadata.name === name)).toBe(true);
    expect(ofKind('HorizontalPodAutoscaler').find((h) => h.metadata.name === name)?.spec).toMatchObject({ scaleTargetRef: { kind: 'Deployment', name } });
  });

  it('every secret a manifest reads is in the Secret template; the NATS cluster has three nodes and keeps two', () => {
    const template = read('secret.template.yaml')[0] as Manifest & { stringData: Record<string, string> };
    const pods = [...ofKind('Deployment'), ...ofKind('StatefulSet'), ...ofKind('Job')].map(podSpecOf);
    const keys = pods.flatMap((p) => p.containers.flatMap((c) => (c.env ?? []).flatMap((e) => (e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef.key] : []))));
    expect(keys.length).toBeGreaterThan(0);
    for (const key of new Set(keys)) expect(Object.keys(template.stringData)).toContain(key);
    const nats = ofKind('StatefulSet').find((s) => s.metadata.name === 'nats')!;
    expect(nats.spec?.replicas).toBe(3);
    expect(ofKind('PodDisruptionBudget').find((p) => p.metadata.name === 'nats')?.spec).toMatchObject({ maxUnavailable: 1 });
  });

  it('Compose: three NATS nodes, the streams provisioned with three replicas before the services start, each service under its own user, read-only', () => {
    const compose = parse(fs.readFileSync(path.join(DEPLOY, 'compose.yaml'), 'utf8'), { merge: true }) as { services: Record<string, { command?: string[]; environment?: Record<string, string>; read_only?: boolean; depends_on?: Record<string, { condition: string }> }> };
    expect(Object.keys(compose.services).filter((s) => s.startsWith('nats-'))).toEqual(['nats-1', 'nats-2', 'nats-3']);
    expect(compose.services.streams!.environment).toMatchObject({ NATS_USER: 'kite-admin', KITE_STREAM_REPLICAS: '3' });
    for (const name of SERVICE_NAMES) {
      const service = compose.services[name]!;
      expect(service.environment).toMatchObject({ NATS_USER: name, KITE_STREAMS: 'existing' });
      expect(service.read_only).toBe(true);
      expect(service.depends_on?.streams).toEqual({ condition: 'service_completed_successfully' });
      expect(service.command).toEqual(['node', '--no-memory-reducer', `dist/apps/${name}/main.js`]);
    }
  });

  describe('alerts and the dashboard', () => {
    interface Rule {
      alert: string;
      expr: string;
      labels: { severity: string };
      annotations: { summary: string; runbook: string };
    }
    const rules = (parse(fs.readFileSync(path.join(DEPLOY, 'prometheus/kite-rules.yaml'), 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
    const dashboard = JSON.parse(fs.readFileSync(path.join(DEPLOY, 'grafana/kite-dashboard.json'), 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
    const queries = [...rules.map((r) => [r.alert, r.expr]), ...dashboard.panels.flatMap((p) => p.targets.map((t) => [p.title, t.expr]))] as [string, string][];
    /** Every metric a service registers: each name `'kite_…'` written in its source. */
    const sources = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.name === 'dist' || e.name === 'node_modules' ? [] : e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
    const exported = new Set([...['apps', 'libs'].flatMap((d) => sources(path.join(ROOT, d))).flatMap((f) => [...fs.readFileSync(f, 'utf8').matchAll(/'(kite_[a-z_]+)'/g)].map((m) => m[1]!))]);
    const operations = fs.readFileSync(path.join(ROOT, 'docs/operations.md'), 'utf8');

    it.each(queries)('%s: the query is PromQL and reads only metrics the services export', (_name, expr) => {
      const errors: number[] = [];
      promql.parse(expr).iterate({ enter: (node) => void (node.type.isError && errors.push(node.from)) });
      expect(errors).toEqual([]);
      for (const metric of expr.match(/\bkite_\w+/g) ?? []) expect(exported).toContain(metric.replace(/_(bucket|sum|count)$/, ''));
    });

    it.each(rules.map((r) => [r.alert, r] as const))('%s: has a severity, and its runbook entry in docs/operations.md', (_name, rule) => {
      expect(['page', 'warning', 'ticket']).toContain(rule.labels.severity);
      const anchor = rule.annotations.runbook.split('#')[1]!;
      expect(anchor).toBe(rule.alert.toLowerCase());
      expect(operations).toMatch(new RegExp(`^#+ ${rule.alert}$`, 'm'));
    });
  });
});
