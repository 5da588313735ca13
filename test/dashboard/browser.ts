/**
 * Debian's Chromium driven by playwright-core, as the dashboard tests use it: headless, no sandbox
 * (root), none of Chromium's own background traffic, and a new empty user-data-dir per launch
 * (playwright's launch() creates one and removes it on close). Each page gets its own browser
 * context, so pages are as separate as different browsers (own storage, own connections). Every
 * page collects its JavaScript errors and console errors so a test can require there were none.
 */
import { chromium, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

export interface Browser {
  /** A new page in a context of its own (like another browser), recording its errors. */
  newPage(viewport?: { width: number; height: number }): Promise<WatchedPage>;
  close(): Promise<void>;
}

export interface WatchedPage {
  page: Page;
  /** Uncaught exceptions and `console.error` lines so far. */
  errors: string[];
}

export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  return {
    async newPage(viewport = { width: 1280, height: 800 }) {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      page.on('close', () => void context.close().catch(() => undefined));
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
      page.on('console', (msg) => {
        if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
      });
      return { page, errors };
    },
    close: () => browser.close(),
  };
}

/** The text of one host row's state cell, as the page shows it. */
export function hostState(page: Page, host: string): Promise<string> {
  return page.locator(`tr[data-host="${host}"] [data-col="state"]`).innerText();
}

/**
 * Records, inside the page, every state text each host row shows from now on (consecutive
 * duplicates collapsed), so a quick step between two test polls is not missed.
 */
export async function recordHostStates(page: Page): Promise<() => Promise<Record<string, string[]>>> {
  // A string: it runs in the page, where the DOM is (the test program has no DOM types).
  await page.evaluate(`(() => {
    const seen = {};
    const sample = () => {
      for (const row of document.querySelectorAll('tr[data-host]')) {
        const host = row.dataset.host;
        const state = (row.querySelector('[data-col="state"]')?.textContent ?? '').replace(/^[^a-z]+/i, '').trim();
        const list = (seen[host] ??= []);
        if (list[list.length - 1] !== state) list.push(state);
      }
    };
    sample();
    new MutationObserver(sample).observe(document.body, { subtree: true, childList: true, characterData: true });
    window.__hostStates = seen;
  })()`);
  return () => page.evaluate('window.__hostStates') as Promise<Record<string, string[]>>;
}
