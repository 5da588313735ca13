/** deploy/ renders with the real `kubectl kustomize` and installs into the lab with `kubectl apply -k`. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { startKubeApi, type KubeApiServer } from '../../lab/kube/index.js';
import { loadPlatformConfig } from '../../platform/config.js';
import { kubectl } from '../support/kubectl.js';
import { DEPLOY_DIR, HOST_SA, renderDeploy, type Rendered } from './render.js';

type Container = {
  command: string[]; args: string[]; ports: { name: string; containerPort: number }[];
  livenessProbe: { httpGet: { path: string; port: string } }; readinessProbe: { httpGet: { path: string; port: string } };
  resources: { requests: Record<string, string> };
  securityContext: { readOnlyRootFilesystem: boolean; allowPrivilegeEscalation: boolean; capabilities: { drop: string[] } };
  volumeMounts: { name: string; mountPath: string }[];
};
type PodSpec = {
  serviceAccountName: string; containers: Container[];
  securityContext: { runAsNonRoot: boolean; seccompProfile: { type: string } };
  volumes: { name: string; emptyDir?: object; configMap?: { name: string } }[];
};

describe('deploy/ kustomize tree', () => {
  let rendered: Rendered;
  const one = <T>(kind: string, name?: string): T => {
    const found = rendered.objects.filter((o) => o.kind === kind && (!name || o.metadata.name === name));
    expect([kind, found.length]).toEqual([kind, 1]);
    return found[0] as unknown as T;
  };
  beforeAll(async () => {
    rendered = await renderDeploy();
  });

  it('renders the platform CRDs (the files the lab serves), and no Metal3 CRD', async () => {
    const crds = rendered.objects.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => o.metadata.name).sort();
    const files = (await readdir(join(DEPLOY_DIR, 'crds'))).filter((f) => f.endsWith('.yaml'));
    expect(crds).toEqual(files.map((f) => f.replace(/^management\.loft\.sh_(.*)\.yaml$/, '$1.management.loft.sh')).sort());
    expect(crds.some((n) => n.endsWith('metal3.io'))).toBe(false);
  });

  it('runs two replicas of the host, non-root, read-only, no capabilities, RuntimeDefault seccomp, probed on /healthz and /readyz', () => {
    const deployment = one<{ spec: { replicas: number; template: { spec: PodSpec } } }>('Deployment');
    expect(deployment.spec.replicas).toBe(2);
    const pod = deployment.spec.template.spec;
    expect(pod.serviceAccountName).toBe(HOST_SA.name);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    const [c] = pod.containers;
    expect(c.command).toEqual(['node', 'dist/platform/main.js']);
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'metrics' });
    expect(Object.keys(c.resources.requests).sort()).toEqual(['cpu', 'memory']);
    // The plugin version folders need a writable place: the state dir is an emptyDir.
    const stateDir = c.args[c.args.indexOf('--state-dir') + 1];
    const stateMount = c.volumeMounts.find((m) => m.mountPath === stateDir)!;
    expect(pod.volumes.find((v) => v.name === stateMount.name)?.emptyDir).toEqual({});
  });

  it('mounts a platform config the host accepts: the image\'s plugin package, probes reachable on the Pod IP', async () => {
    const deployment = one<{ spec: { template: { spec: PodSpec } } }>('Deployment');
    const pod = deployment.spec.template.spec;
    const [c] = pod.containers;
    const configPath = c.args[c.args.indexOf('--config') + 1];
    const mount = c.volumeMounts.find((m) => configPath.startsWith(`${m.mountPath}/`))!;
    const configMapName = pod.volumes.find((v) => v.name === mount.name)!.configMap!.name;
    const configMap = one<{ data: Record<string, string> }>('ConfigMap', configMapName);
    const dir = await mkdtemp(join(tmpdir(), 'deploy-config-'));
    try {
      const file = join(dir, 'platform.yaml');
      await writeFile(file, configMap.data[configPath.slice(mount.mountPath.length + 1)]);
      const config = await loadPlatformConfig(file);
      expect(config.providers).toEqual([expect.objectContaining({ name: 'metal3-provider', path: '/app/dist' })]);
      expect(config.metricsAddress).toBe('0.0.0.0');
      expect(c.ports).toEqual([
        expect.objectContaining({ name: 'metrics', containerPort: config.metricsPort }),
        expect.objectContaining({ name: 'dashboard', containerPort: config.dashboard?.port }),
      ]);
      expect(config.dashboard).toMatchObject({ address: '0.0.0.0', requireToken: true });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const service = one<{ spec: { ports: { targetPort: string }[]; selector: Record<string, string> } }>('Service');
    expect(service.spec.ports.map((p) => p.targetPort)).toEqual(['metrics', 'dashboard']);
    expect(service.spec.selector).toEqual(one<{ spec: { selector: { matchLabels: object } } }>('Deployment').spec.selector.matchLabels);
  });

  it('grants no wildcard verb, group or resource', () => {
    for (const o of rendered.objects.filter((x) => x.kind === 'Role' || x.kind === 'ClusterRole')) {
      for (const rule of (o.rules as { verbs: string[]; apiGroups?: string[]; resources?: string[] }[])) {
        expect([o.metadata.name, [...rule.verbs, ...(rule.apiGroups ?? []), ...(rule.resources ?? [])].filter((v) => v.includes('*'))]).toEqual([o.metadata.name, []]);
      }
    }
  });

  describe('kubectl apply -k deploy against the lab', () => {
    let api: KubeApiServer;
    let dir: string;
    beforeAll(async () => {
      api = await startKubeApi();
      dir = await mkdtemp(join(tmpdir(), 'deploy-apply-'));
      await api.writeKubeconfig(join(dir, 'kubeconfig'));
      // BMO is a prerequisite: its namespace (the BareMetalHosts') exists before the install.
      await api.kubeConfig().makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: 'metal3-system' } } });
    });
    afterAll(async () => {
      await api?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('installs every object, and a second apply changes nothing', async () => {
      const first = await kubectl(join(dir, 'kubeconfig'), ['apply', '-k', DEPLOY_DIR]);
      expect([first.code, first.stderr.split('\n').filter((l) => /error/i.test(l))]).toEqual([0, []]);
      const kc = api.kubeConfig();
      await expect(kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace: HOST_SA.namespace, name: 'metal3-provider' })).resolves.toMatchObject({ spec: { replicas: 2 } });
      await expect(kc.makeApiClient(CoreV1Api).readNamespacedServiceAccount({ namespace: HOST_SA.namespace, name: HOST_SA.name })).resolves.toBeDefined();
      await expect(kc.makeApiClient(RbacAuthorizationV1Api).readNamespacedRoleBinding({ namespace: 'metal3-system', name: 'metal3-provider-hosts' })).resolves.toBeDefined();
      const second = await kubectl(join(dir, 'kubeconfig'), ['apply', '-k', DEPLOY_DIR]);
      expect(second.code).toBe(0);
      const lines = second.stdout.trim().split('\n');
      expect(lines.filter((l) => !l.endsWith(' unchanged'))).toEqual([]);
      expect(lines.length).toBe(rendered.objects.length);
    });
  });
});
