import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type http from 'node:http';
import { closeServer, listenLocally, localUrl } from '../helpers/local-server';
import {
  DESKTOP,
  PHONE,
  describeInBrowser,
  launchBrowser,
  screenshotAt,
  type TestBrowser,
} from '../helpers/browser';

/**
 * The browser tests' Chromium: it starts headless from the provisioned binary, keeps cookies apart
 * between contexts, reports the phone viewport to a page that asks for the device width, and writes screenshots.
 */
describeInBrowser('the test Chromium', () => {
  let chromium: TestBrowser;
  let server: http.Server;

  beforeAll(async () => {
    server = await listenLocally(async (req, res) => {
      if (req.url === '/set') res.setHeader('Set-Cookie', 'seen=1; HttpOnly; SameSite=Strict; Path=/');
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end(
        `<!doctype html><html lang="en"><meta name="viewport" content="width=device-width"><title>t</title><p id="cookie">${req.headers.cookie ?? 'none'}</p>`,
      );
    });
    chromium = await launchBrowser();
  });
  afterAll(async () => {
    await chromium?.close();
    await closeServer(server);
  });

  it('keeps one context’s cookies from another', async () => {
    const first = await chromium.newPage();
    await first.goto(`${localUrl(server)}/set`);
    await first.goto(`${localUrl(server)}/read`);
    expect(await first.$eval('#cookie', (e) => e.textContent)).toBe('seen=1');

    const other = await (await chromium.newContext()).newPage();
    await other.goto(`${localUrl(server)}/read`);
    expect(await other.$eval('#cookie', (e) => e.textContent)).toBe('none');
  });

  it('shows the page at phone width and writes a screenshot', async () => {
    const page = await chromium.newPage(PHONE);
    await page.goto(`${localUrl(server)}/read`);
    expect(await page.evaluate('window.innerWidth')).toBe(PHONE.width);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-shot-')), 'page.png');
    await screenshotAt(page, DESKTOP, file);
    const png = fs.readFileSync(file);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(DESKTOP.width);
  });
});
