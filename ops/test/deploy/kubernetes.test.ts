import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { SHUTDOWN_FORCE_MARGIN_MS } from '@tandem/worker';
import { REPO_ROOT } from '../../src/config.js';

// The Kubernetes manifests, validated offline against the Kubernetes API schemas
// (kubernetes-models), and kustomize's references followed by hand (no cluster, no kustomize).

const KUBERNETES = join(REPO_ROOT, 'deploy/kubernetes');

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}
interface Kustomization {
  resources?: string[];
  patches?: Array<{ path: string }>;
  images?: Array<{ name: string }>;
  replicas?: Array<{ name: string; count: number }>;
}
interface Container {
  name: string;
  image: string;
  ports?: Array<{ name: string; containerPort: number }>;
  env?: Array<{ name: string; value?: string }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  readinessProbe?: { httpGet?: { path: string; port: string } };
  livenessProbe?: { httpGet?: { path: string; port: string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean };
}
interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
  spec: { containers: Container[]; securityContext?: { runAsNonRoot?: boolean; runAsUser?: number }; terminationGracePeriodSeconds?: number };
}

const readYaml = (file: string) => parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as unknown);

/** A kustomization's own manifests and those of the kustomizations it includes, with its patches. */
function load(dir: string): { manifests: Manifest[]; patches: Manifest[]; kustomizations: Array<{ dir: string; k: Kustomization }> } {
  const k = readYaml(join(dir, 'kustomization.yaml'))[0] as Kustomization;
  const result = { manifests: [] as Manifest[], patches: [] as Manifest[], kustomizations: [{ dir, k }] };
  for (const resource of k.resources ?? []) {
    const path = join(dir, resource);
    if (!existsSync(path)) throw new Error(`${dir}/kustomization.yaml names ${resource}, which does not exist`);
    if (statSync(path).isDirectory()) {
      const inner = load(path);
      result.manifests.push(...inner.manifests);
      result.patches.push(...inner.patches);
      result.kustomizations.push(...inner.kustomizations);
    } else {
      result.manifests.push(...(readYaml(path) as Manifest[]));
    }
  }
  for (const patch of k.patches ?? []) result.patches.push(...(readYaml(join(dir, patch.path)) as Manifest[]));
  return result;
}

/** Validates a manifest with the kubernetes-models class of its apiVersion and kind. */
async function validate(manifest: Manifest): Promise<void> {
  const models = (await import(/* @vite-ignore */ `kubernetes-models/${manifest.apiVersion}`)) as Record<string, new (data: unknown) => { validate(): void }>;
  const Model = models[manifest.kind];
  if (!Model) throw new Error(`kubernetes-models knows no ${manifest.apiVersion} ${manifest.kind}`);
  new Model(manifest).validate();
}

const find = (manifests: Manifest[], kind: string, name: string) => manifests.find((m) => m.kind === kind && m.metadata.name === name);
const podTemplate = (deployment: Manifest) => (deployment.spec as { template: PodTemplate }).template;
const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);

describe.each(['base', 'overlays/example'])('the Kubernetes manifests: %s', (which) => {
  let loaded: ReturnType<typeof load>;
  beforeAll(() => {
    loaded = load(join(KUBERNETES, which));
  });

  it('are valid objects of the Kubernetes API, patches included', async () => {
    expect(loaded.manifests.length).toBeGreaterThan(0);
    for (const manifest of [...loaded.manifests, ...loaded.patches]) {
      await expect(validate(manifest), `${manifest.kind} ${manifest.metadata?.name}`).resolves.toBeUndefined();
    }
  });

  it('refer only to what exists: patches, images, replicas, autoscaler and budget targets, service selectors, config maps', () => {
    const { manifests, patches, kustomizations } = loaded;
    for (const patch of patches) expect(find(manifests, patch.kind, patch.metadata.name), `patch of ${patch.kind} ${patch.metadata.name}`).toBeDefined();
    const deployments = manifests.filter((m) => m.kind === 'Deployment');
    const images = deployments.flatMap((d) => podTemplate(d).spec.containers.map((c) => c.image.split(':')[0]));
    for (const { dir, k } of kustomizations) {
      for (const image of k.images ?? []) expect(images, `${dir}: image ${image.name}`).toContain(image.name);
      for (const replicas of k.replicas ?? []) expect(find(manifests, 'Deployment', replicas.name), `${dir}: replicas of ${replicas.name}`).toBeDefined();
    }
    for (const hpa of manifests.filter((m) => m.kind === 'HorizontalPodAutoscaler')) {
      const target = (hpa.spec as { scaleTargetRef: { kind: string; name: string } }).scaleTargetRef;
      expect(find(manifests, target.kind, target.name), `HPA ${hpa.metadata.name}`).toBeDefined();
    }
    for (const selecting of manifests.filter((m) => m.kind === 'PodDisruptionBudget' || m.kind === 'Service')) {
      const spec = selecting.spec as { selector: { matchLabels?: Record<string, string> } & Record<string, string> };
      const selector = selecting.kind === 'Service' ? spec.selector : spec.selector.matchLabels!;
      expect(deployments.filter((d) => matches(selector, podTemplate(d).metadata.labels)).length, `${selecting.kind} ${selecting.metadata.name}`).toBe(1);
    }
    const service = find(manifests, 'Service', 'tandem-api')!;
    const ports = podTemplate(find(manifests, 'Deployment', 'tandem-api')!).spec.containers.flatMap((c) => c.ports ?? []);
    for (const port of (service.spec as { ports: Array<{ targetPort: string }> }).ports) expect(ports.map((p) => p.name)).toContain(port.targetPort);
    for (const d of deployments) {
      for (const from of podTemplate(d).spec.containers.flatMap((c) => c.envFrom ?? [])) {
        if (from.configMapRef) expect(find(manifests, 'ConfigMap', from.configMapRef.name), from.configMapRef.name).toBeDefined();
        // The Secret is the operator's to create (docs/operations/deploy.md names its keys).
        if (from.secretRef) expect(from.secretRef.name).toBe('tandem-secrets');
      }
    }
  });

  it('probe the API server: ready on /readyz, alive on /healthz', () => {
    const api = podTemplate(find(loaded.manifests, 'Deployment', 'tandem-api')!).spec.containers[0]!;
    const port = api.ports!.find((p) => p.containerPort === 4000)!.name;
    expect(api.readinessProbe?.httpGet).toEqual({ path: '/readyz', port });
    expect(api.livenessProbe?.httpGet).toEqual({ path: '/healthz', port });
  });

  it("serve each process's /metrics on a port of its own that the pod's scrape annotations name", () => {
    for (const [name, variable] of [
      ['tandem-api', 'TANDEM_METRICS_ADDRESS'],
      ['tandem-worker', 'TANDEM_WORKER_METRICS_ADDRESS'],
    ] as const) {
      const pod = podTemplate(find(loaded.manifests, 'Deployment', name)!);
      const container = pod.spec.containers[0]!;
      const address = container.env?.find((e) => e.name === variable)?.value;
      expect(address, `${name} sets ${variable}`).toMatch(/^0\.0\.0\.0:\d+$/);
      const port = Number(address!.split(':')[1]);
      expect(container.ports?.find((p) => p.name === 'metrics')?.containerPort, name).toBe(port);
      expect(pod.metadata.annotations, name).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(port),
        'prometheus.io/path': '/metrics',
      });
    }
    // The API's figures never go out through the ingress: its service publishes the HTTP port only.
    const service = find(loaded.manifests, 'Service', 'tandem-api')!;
    expect((service.spec as { ports: Array<{ targetPort: string | number }> }).ports.map((p) => p.targetPort)).not.toContain('metrics');
  });

  it('run every container as a non-root user with requests and limits, and keep autoscalers and budgets on both', () => {
    for (const name of ['tandem-api', 'tandem-worker']) {
      const pod = podTemplate(find(loaded.manifests, 'Deployment', name)!);
      expect(pod.spec.securityContext?.runAsNonRoot, name).toBe(true);
      expect(pod.spec.securityContext?.runAsUser, name).not.toBe(0);
      for (const container of pod.spec.containers) {
        expect(container.securityContext?.allowPrivilegeEscalation, name).toBe(false);
        expect(Object.keys(container.resources?.requests ?? {}).sort(), name).toEqual(['cpu', 'memory']);
        expect(Object.keys(container.resources?.limits ?? {}).sort(), name).toEqual(['cpu', 'memory']);
      }
      expect(loaded.manifests.some((m) => m.kind === 'HorizontalPodAutoscaler' && m.metadata.name === name)).toBe(true);
      expect(loaded.manifests.some((m) => m.kind === 'PodDisruptionBudget' && m.metadata.name === name)).toBe(true);
    }
  });

  it('give a stopping worker pod longer than its shutdown grace, so activities in flight finish', () => {
    const config = { ...find(loaded.manifests, 'ConfigMap', 'tandem-config')!.data, ...loaded.patches.find((p) => p.kind === 'ConfigMap')?.data };
    const grace = Number(config.TANDEM_SHUTDOWN_GRACE_MS);
    expect(grace).toBeGreaterThan(0);
    const worker = podTemplate(find(loaded.manifests, 'Deployment', 'tandem-worker')!);
    expect(worker.spec.terminationGracePeriodSeconds! * 1000).toBeGreaterThan(grace + SHUTDOWN_FORCE_MARGIN_MS);
  });
});

it('has a Prometheus config whose jobs find the pods by their labels and scrape the annotated port', () => {
  // Debian's promtool is built without Kubernetes discovery, so the relabelling is checked here.
  interface Relabel {
    source_labels?: string[];
    regex?: string;
    replacement?: string;
    target_label?: string;
    action?: string;
  }
  const config = readYaml(join(REPO_ROOT, 'ops/prometheus/kubernetes.yml'))[0] as {
    scrape_configs: Array<{ job_name: string; kubernetes_sd_configs: Array<{ role: string }>; relabel_configs: Relabel[] }>;
  };
  const manifests = load(join(KUBERNETES, 'base')).manifests;
  expect(config.scrape_configs.map((job) => job.job_name).sort()).toEqual(['tandem-api', 'tandem-worker']);
  for (const job of config.scrape_configs) {
    expect(job.kubernetes_sd_configs).toEqual([{ role: 'pod' }]);
    const pod = podTemplate(find(manifests, 'Deployment', job.job_name)!);
    const meta: Record<string, string> = {
      __address__: '10.1.2.3:4000',
      __meta_kubernetes_pod_label_app_kubernetes_io_name: pod.metadata.labels['app.kubernetes.io/name']!,
      ...Object.fromEntries(
        Object.entries(pod.metadata.annotations ?? {}).map(([k, v]) => [`__meta_kubernetes_pod_annotation_${k.replace(/[^a-zA-Z0-9]/g, '_')}`, v]),
      ),
    };
    // Prometheus's relabelling: keep, or replace (regex anchored, source labels joined by ';').
    const labels = { ...meta, __metrics_path__: '/metrics' } as Record<string, string>;
    let kept = true;
    for (const rule of job.relabel_configs) {
      const value = (rule.source_labels ?? []).map((l) => labels[l] ?? '').join(';');
      const match = new RegExp(`^(?:${rule.regex ?? '(.*)'})$`).exec(value);
      if (rule.action === 'keep') kept &&= match !== null;
      else if (match && rule.target_label) labels[rule.target_label] = (rule.replacement ?? '$1').replace(/\$(\d)/g, (_, n: string) => match[Number(n)] ?? '');
    }
    expect(kept, job.job_name).toBe(true);
    expect(labels.__address__, job.job_name).toBe(`10.1.2.3:${pod.metadata.annotations!['prometheus.io/port']}`);
    expect(labels.__metrics_path__, job.job_name).toBe('/metrics');
    // The other deployment's pods are not this job's.
    const other = job.job_name === 'tandem-api' ? 'tandem-worker' : 'tandem-api';
    const keepByName = job.relabel_configs.find((rule) => rule.source_labels?.[0] === '__meta_kubernetes_pod_label_app_kubernetes_io_name')!;
    expect(new RegExp(`^(?:${keepByName.regex})$`).test(other)).toBe(false);
  }
});

it('documents the Secret the manifests read, with every key it must hold', () => {
  const deploy = readFileSync(join(REPO_ROOT, 'docs/operations/deploy.md'), 'utf8');
  expect(deploy).toMatch(/kubectl (-n \S+ )?create secret generic tandem-secrets/);
  for (const key of ['DATABASE_URL', 'REDIS_URL', 'TANDEM_SECRETS_KEY']) expect(deploy).toMatch(new RegExp(`--from-literal=${key}=`));
});
