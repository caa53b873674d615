import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type BrowserContext, type Page, type Viewport } from 'puppeteer-core';

/**
 * A real headless Chromium for tests, driven by puppeteer-core. The Chromium is the one jest's global
 * setup found or installed (infra/browser.ts); where none could be had, `describeInBrowser` skips its
 * tests and prints why.
 *
 *   describeInBrowser('the answer page', () => {
 *     let chromium: TestBrowser;
 *     beforeAll(async () => (chromium = await launchBrowser()));
 *     afterAll(() => chromium?.close());
 *     it('shows the alert', async () => {
 *       const page = await chromium.newPage(PHONE);
 *       await page.goto(url);
 *       await screenshotAt(page, DESKTOP, 'docs/screenshots/answer-page-desktop.png');
 *     });
 *   });
 *
 * Each `launchBrowser()` is a browser of its own (fresh profile, no cookies); `newContext()` gives a
 * second, separate browser inside it (its own cookies and storage), cheaper than a second launch.
 */

/** Why the browser tests cannot run here, or undefined when they can. */
export const chromiumMissing: string | undefined = process.env.VOUCH_TEST_CHROMIUM
  ? undefined
  : (process.env.VOUCH_TEST_CHROMIUM_MISSING ?? 'VOUCH_TEST_CHROMIUM is not set: run the tests with jest');

/** `describe`, or `describe.skip` with the reason printed where Chromium cannot be had. */
export function describeInBrowser(name: string, body: () => void): void {
  if (!chromiumMissing) return describe(name, body);
  console.warn(`Skipping "${name}": no Chromium here. ${chromiumMissing}`);
  describe.skip(name, body);
}

export const DESKTOP: Viewport = { width: 1280, height: 800 };
export const PHONE: Viewport = {
  width: 390,
  height: 844,
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 2,
};

export interface TestBrowser {
  readonly browser: Browser;
  /** A new tab in the default context, at `viewport` (DESKTOP when omitted). */
  newPage(viewport?: Viewport): Promise<Page>;
  /** A separate browser context: its own cookies and storage, as a second person's browser. */
  newContext(): Promise<BrowserContext>;
  /** Closes Chromium and removes its profile folder. */
  close(): Promise<void>;
}

/**
 * Flags that keep Chromium from reaching the internet on its own (this machine's network is closed, and
 * a test should talk only to what it started) and make it run as root in a container.
 */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export async function launchBrowser(): Promise<TestBrowser> {
  if (chromiumMissing) throw new Error(`no Chromium: ${chromiumMissing}`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: process.env.VOUCH_TEST_CHROMIUM,
    headless: true,
    args: [...FLAGS, `--user-data-dir=${profile}`],
    defaultViewport: DESKTOP,
  });
  return {
    browser,
    newPage: async (viewport = DESKTOP) => {
      const page = await browser.newPage();
      await page.setViewport(viewport);
      return page;
    },
    newContext: () => browser.createBrowserContext(),
    close: async () => {
      await browser.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Writes a full-page PNG of `page` at `viewport` to `file` (folders created). */
export async function screenshotAt(page: Page, viewport: Viewport, file: string): Promise<void> {
  await page.setViewport(viewport);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file as `${string}.png`, fullPage: true });
}

/**
 * Text and buttons whose contrast with their background is under WCAG 2.1 AA's 4.5:1, computed in the
 * page from the styles the browser applied.
 */
export function contrastProblems(page: Page): Promise<string[]> {
  return page.evaluate<[], () => string[]>(`(() => {
    const rgb = (s) => (s.match(/[\\d.]+/g) || []).slice(0, 3).map(Number);
    const lum = (c) => { const [r, g, b] = c.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
    const bg = (el) => { for (let e = el; e; e = e.parentElement) { const c = getComputedStyle(e).backgroundColor; if (!/rgba\\(0, 0, 0, 0\\)|transparent/.test(c)) return rgb(c); } return [255, 255, 255]; };
    const out = [];
    for (const el of document.querySelectorAll('h1, h2, p, dt, dd, button, label')) {
      const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(bg(el))];
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      if (ratio < 4.5) out.push(el.tagName + '.' + el.className + ': ' + ratio.toFixed(2));
    }
    return out;
  })()`);
}
