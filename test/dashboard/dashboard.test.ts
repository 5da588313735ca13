/**
 * The fleet dashboard in a real browser (Debian's Chromium through playwright-core) against a lab
 * world with the real plugin: it loads without errors, shows the fleet, follows a tenant scaling up
 * and down live, shows a failed claim's BMO error, costs the API nothing per open page, and refuses
 * data without a valid token when exposed. One test keeps its screenshot under .lab/screenshots/ (and refreshes
 * docs/dashboard.png when UPDATE_SCREENSHOTS=1, so a test run leaves the work tree clean).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { CoreV1Api } from '@kubernetes/client-node';
import { startDashboard, type Dashboard } from '../../platform/dashboard/index.js';
import { sleep, waitFor } from '../support/waitFor.js';
import { silentLogger } from '../../platform/observability/logger.js';
import { REPO_ROOT } from '../platform/host/helpers.js';
import { launchBrowser, recordHostStates, type Browser, type WatchedPage } from './browser.js';
import { fleetViewers, type ViewerTokens } from './viewers.js';
import { applyTenant, deleteTenant, PROJECT, startDashboardWorld, untilQuiet, type DashboardWorld } from './world.js';

/** Where the wide screenshot goes: the README's picture only when asked for, else the lab's scratch folder. */
const SCREENSHOT = process.env.UPDATE_SCREENSHOTS === '1'
  ? join(REPO_ROOT, 'docs', 'dashboard.png')
  : join(REPO_ROOT, '.lab', 'screenshots', 'dashboard.png');

const GPU_HOSTS = ['gpu-h100-01', 'gpu-h100-02', 'gpu-h100-03', 'gpu-h100-04'];
const CPU_HOSTS = ['cpu-epyc-01', 'cpu-epyc-02', 'cpu-epyc-03', 'cpu-epyc-04'];

describe('the fleet dashboard in Chromium', () => {
  let lab: DashboardWorld;
  let browser: Browser;

  beforeAll(async () => {
    lab = await startDashboardWorld();
    browser = await launchBrowser();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
  });

  const open = async (viewport?: { width: number; height: number }): Promise<WatchedPage> => {
    const watched = await browser.newPage(viewport);
    await watched.page.goto(lab.url);
    await watched.page.locator('[data-status="live"]').waitFor();
    await watched.page.locator('tr[data-host]').first().waitFor();
    return watched;
  };
  const rowText = (page: Page, host: string) => page.locator(`tr[data-host="${host}"]`).innerText();
  const untilRow = (page: Page, host: string, test: (text: string) => boolean, what: string) =>
    waitFor(async () => test(await rowText(page, host)), { what: `${host}: ${what}`, timeoutMs: 30_000 });
  const allInspected = (page: Page) =>
    waitFor(async () => {
      const states = await page.locator('tr[data-host] [data-col="state"]').allInnerTexts();
      return states.length === 8 && states.every((s) => s.includes('available'));
    }, { what: 'every host to be inspected and available', timeoutMs: 30_000 });

  it('loads without JavaScript errors and shows every host by site and node type', async () => {
    const { page, errors } = await open();
    await allInspected(page);
    const rows = await page.locator('tr[data-host]').all();
    const hosts = await Promise.all(rows.map((r) => r.getAttribute('data-host')));
    expect(hosts.sort()).toEqual([...CPU_HOSTS, ...GPU_HOSTS].sort());
    for (const type of ['metal3-provider.gpu-h100', 'metal3-provider.cpu']) {
      const row = page.locator(`tr[data-node-type="${type}"]`);
      await expect(row.locator('[data-col="total"]').innerText()).resolves.toBe('4');
      await expect(row.innerText()).resolves.toContain('global');
    }
    await expect(page.locator('h2').allInnerTexts()).resolves.toEqual(
      expect.arrayContaining(['Fleet by site and node type', expect.stringContaining('Hosts'), 'Tenants and claims', 'Latest events']));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('costs the management API nothing more when ten browsers follow it', async () => {
    await untilQuiet(lab.world); // no controller has a reason to read anything meanwhile
    const stats = lab.world.api.stats;
    const reads = () => {
      const s = stats.snapshot();
      const of = (r: string) => s.byResource[r] ?? { LIST: 0, GET: 0, WATCH: 0 };
      return Object.fromEntries(['nodeclaims', 'nodetypes', 'baremetalhosts', 'events'].map((r) => [r, { LIST: of(r).LIST, GET: of(r).GET, WATCH: of(r).WATCH }]));
    };
    const watchesBefore = stats.snapshot().openWatches;
    const before = reads();
    const pages: WatchedPage[] = [];
    for (let i = 0; i < 10; i++) pages.push(await open());
    await sleep(1500); // a few snapshot rebuilds happen meanwhile
    await Promise.all(pages.map((p) => p.page.reload().then(() => p.page.locator('tr[data-host]').first().waitFor())));
    expect(reads()).toEqual(before);
    expect(stats.snapshot().openWatches).toBe(watchesBefore);
    for (const p of pages) {
      expect(p.errors).toEqual([]);
      await p.page.close();
    }
  });

  it('moves a host row through provisioning, provisioned, deprovisioning and available as a tenant scales up and down', async () => {
    const { page, errors } = await open();
    const states = await recordHostStates(page);
    await applyTenant(lab.world, 'scaler', [{ name: 'gpu', quantity: 1, nodeType: 'gpu-h100' }]);
    const host = await waitFor(async () => {
      for (const h of GPU_HOSTS) if ((await rowText(page, h)).includes(`${PROJECT}/scaler`)) return h;
      return undefined;
    }, { what: 'a gpu host claimed for the tenant', timeoutMs: 30_000 });
    await untilRow(page, host, (t) => t.includes('provisioned') && t.includes('on'), 'provisioned and powered on');
    await applyTenant(lab.world, 'scaler', [{ name: 'gpu', quantity: 0, nodeType: 'gpu-h100' }]);
    await untilRow(page, host, (t) => t.includes('available') && t.includes('free'), 'cleaned, available and free');

    const seen = (await states())[host];
    expect({ host, seen, walked: isSubsequence(['available', 'provisioning', 'provisioned', 'deprovisioning', 'available'], seen) })
      .toEqual({ host, seen, walked: true });
    expect(errors).toEqual([]);
    await deleteTenant(lab.world, 'scaler');
    await page.close();
  });

  it("shows a failed claim's BMO error on the host row and on the tenant's claim", async () => {
    for (const h of CPU_HOSTS) lab.world.simulator.setFaultPlan(h, { provisioningError: { message: 'Image checksum mismatch' } });
    const { page, errors } = await open();
    await applyTenant(lab.world, 'broken', [{ name: 'cpu', quantity: 1, nodeType: 'cpu' }]);
    const failed = await waitFor(async () => {
      for (const h of CPU_HOSTS) {
        const error = await page.locator(`tr[data-host="${h}"] [data-col="error"]`).innerText();
        if (error.includes('provisioning error')) return { host: h, error };
      }
      return undefined;
    }, { what: 'a cpu host showing the provisioning error', timeoutMs: 30_000 });
    expect(failed.error).toContain('Image checksum mismatch');
    const claim = page.locator(`[data-tenant="${PROJECT}/broken"] tr[data-claim]`);
    await waitFor(async () => (await claim.innerText()).includes('Failed'), { what: 'the claim to be Failed with the BMO error', timeoutMs: 30_000 });
    await expect(claim.innerText()).resolves.toContain('Image checksum mismatch');
    expect(errors).toEqual([]);
    for (const h of CPU_HOSTS) lab.world.simulator.setFaultPlan(h);
    await deleteTenant(lab.world, 'broken');
    await page.close();
  });

  it('is readable at 1280×800 and on a narrow window, and keyboard-navigable (screenshot kept)', async () => {
    // The scene: tenant-1 with two GPU nodes on its network, tenant-2 with a CPU claim that fails.
    for (const h of CPU_HOSTS) lab.world.simulator.setFaultPlan(h, { provisioningError: { message: 'Image checksum mismatch' } });
    await applyTenant(lab.world, 'tenant-1', [{ name: 'gpu', quantity: 2, nodeType: 'gpu-h100' }]);
    await applyTenant(lab.world, 'tenant-2', [{ name: 'cpu', quantity: 1, nodeType: 'cpu' }]);
    const wide = await open({ width: 1280, height: 800 });
    await waitFor(async () => {
      const rows = await wide.page.locator('tr[data-host]').allInnerTexts();
      return rows.filter((r) => r.includes(`${PROJECT}/tenant-1`) && r.includes('provisioned')).length === 2
        && rows.some((r) => r.includes(`${PROJECT}/tenant-2`) && r.includes('provisioning error'));
    }, { what: 'two hosts provisioned for tenant-1 and tenant-2 failed', timeoutMs: 30_000 });
    const network = lab.world.fabric!.serverClusterFor(`${PROJECT}/tenant-1`);
    const networks = await wide.page.locator('tr[data-host] [data-col="network"]').allInnerTexts();
    expect(networks.filter((n) => n.includes(network.name) && n.includes(`VLAN ${network.vlanId}`))).toHaveLength(2);
    await wide.page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(await overflowsHorizontally(wide.page)).toBe(false);

    const narrow = await open({ width: 390, height: 844 });
    expect(await overflowsHorizontally(narrow.page)).toBe(false);
    await expect(narrow.page.locator('#hosts-title').isVisible()).resolves.toBe(true);
    // Keyboard: the skip link comes first and lands on the hosts; the filter is reachable and filters.
    await narrow.page.keyboard.press('Tab');
    await expect(narrow.page.evaluate('document.activeElement?.textContent')).resolves.toBe('Skip to hosts');
    await narrow.page.keyboard.press('Enter');
    await expect(narrow.page.evaluate('location.hash')).resolves.toBe('#hosts-title');
    const search = narrow.page.getByLabel('Filter hosts');
    await search.focus();
    await narrow.page.keyboard.type('cpu-epyc-02');
    await waitFor(async () => (await narrow.page.locator('tr[data-host]').count()) === 1, { what: 'the filter to leave one host', timeoutMs: 5000 });
    // State is carried by text (and a shape), never by colour alone.
    const badge = await wide.page.locator('tr[data-host] [data-col="state"] .badge').first().innerText();
    expect(badge).toMatch(/[a-z]{4,}/);
    expect([...wide.errors, ...narrow.errors]).toEqual([]);
    for (const h of CPU_HOSTS) lab.world.simulator.setFaultPlan(h);
    await deleteTenant(lab.world, 'tenant-1');
    await deleteTenant(lab.world, 'tenant-2');
    await wide.page.close();
    await narrow.page.close();
  });

  it('never shows a Secret value, join token or user data, in the page or its data', async () => {
    await applyTenant(lab.world, 'secretive', [{ name: 'gpu', quantity: 1, nodeType: 'gpu-h100' }]);
    const { page, errors } = await open();
    await waitFor(async () => (await page.locator('tr[data-host]').allInnerTexts()).some((r) => r.includes(`${PROJECT}/secretive`) && r.includes('provisioned')),
      { what: 'a host provisioned for the tenant', timeoutMs: 30_000 });
    const core = lab.world.kubeConfig.makeApiClient(CoreV1Api);
    const secrets = (await core.listSecretForAllNamespaces()).items;
    const values = secrets.flatMap((x) => Object.values(x.data ?? {}).map((v) => Buffer.from(v, 'base64').toString('utf8')))
      .flatMap((v) => v.split('\n')).map((line) => line.trim()).filter((line) => line.length >= 12);
    expect(values.length).toBeGreaterThan(0); // user data, network data and BMC passwords exist to be leaked
    const shown = [await page.locator('body').innerText(), await (await fetch(`${lab.url}api/fleet`)).text()].join('\n');
    expect(values.filter((v) => shown.includes(v))).toEqual([]);
    expect(shown).not.toMatch(/\b[a-z0-9]{6}\.[a-z0-9]{16}\b/); // no bootstrap token
    expect(errors).toEqual([]);
    await deleteTenant(lab.world, 'secretive');
    await page.close();
  });

  describe('when exposed', () => {
    let exposed: Dashboard;
    let base: string;
    let tokens: ViewerTokens;

    beforeAll(async () => {
      tokens = await fleetViewers(lab.world.api);
      exposed = await startDashboard({
        config: { port: 0, address: '0.0.0.0' }, assetsDir: lab.assetsDir, kubeConfig: lab.world.kubeConfig,
        providers: lab.world.platform.providers, cache: lab.world.platform.nodeTypes.cache, events: lab.world.platform.events,
        clock: { now: () => new Date() }, logger: silentLogger(),
      });
      base = exposed.url.replace('0.0.0.0', '127.0.0.1');
    });
    afterAll(async () => exposed?.stop());

    it('refuses fleet data without a token and the page asks for one', async () => {
      expect(exposed.requiresToken).toBe(true);
      const res = await fetch(`${base}api/fleet`);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('Bearer');
      expect(await res.text()).not.toContain('gpu-h100-01');
      const { page, errors } = await browser.newPage();
      await page.goto(base);
      await page.getByLabel('Bearer token').waitFor();
      await expect(page.locator('tr[data-host]').count()).resolves.toBe(0);
      expect(errors.filter((e) => !e.includes('401'))).toEqual([]);
      await page.close();
    });

    it('refuses a token the management cluster does not vouch for (401) and a user RBAC does not allow (403)', async () => {
      for (const [token, status] of [['not-a-real-token', 401], [tokens.stranger, 403]] as const) {
        const res = await fetch(`${base}api/stream`, { headers: { Authorization: `Bearer ${token}` } });
        expect(res.status).toBe(status);
        expect(await res.text()).not.toContain('gpu-h100-01');
      }
    });

    it('shows the fleet once a user RBAC allows signs in with a token, and tells a stranger access is denied', async () => {
      const { page, errors } = await browser.newPage();
      await page.goto(base);
      const signIn = async (token: string) => {
        await page.getByLabel('Bearer token').fill(token);
        await page.keyboard.press('Enter');
      };
      await signIn(tokens.stranger);
      await page.getByRole('heading', { name: 'Access denied' }).waitFor();
      await expect(page.getByRole('alert').innerText()).resolves.toContain('may not list nodeclaims');
      await signIn(tokens.viewer);
      await page.locator('tr[data-host="gpu-h100-01"]').waitFor();
      await expect(page.locator('tr[data-host]').count()).resolves.toBe(8);
      expect(errors.filter((e) => !/40[13]/.test(e))).toEqual([]);
      await page.close();
    });
  });
});

/** Whether `wanted` appears in `seen` in order (other states may come between). */
function isSubsequence(wanted: string[], seen: string[]): boolean {
  let i = 0;
  for (const s of seen) if (s === wanted[i]) i++;
  return i === wanted.length;
}

async function overflowsHorizontally(page: Page): Promise<boolean> {
  return page.evaluate('document.documentElement.scrollWidth > window.innerWidth + 1') as Promise<boolean>;
}
