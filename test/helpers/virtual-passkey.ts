import type { Page } from 'puppeteer-core';
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import type { Collections } from '../../store/collections';
import { passkeyCeremonies, relyingParty } from '../../store/passkey-ceremonies';

/**
 * A CDP virtual authenticator in a Chromium tab (CTAP2, platform, resident keys, user verification):
 * it makes passkeys and answers WebAuthn requests in that tab, as a phone's or laptop's would.
 */
export async function addVirtualAuthenticator(page: Page): Promise<void> {
  const cdp = await page.createCDPSession();
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
    },
  });
}

/**
 * A passkey for `employee` (an employee key) made by the tab's virtual authenticator on the bot's origin
 * and registered through the ceremony store, as the enrollment page would.
 */
export async function registerPasskeyIn(
  page: Page,
  botUrl: string,
  c: Collections,
  employee: string,
): Promise<void> {
  const ceremonies = passkeyCeremonies(c, relyingParty(botUrl));
  const options = await ceremonies.registrationOptions(
    { key: employee, label: employee },
    'test',
    new Date(),
  );
  await page.bringToFront(); // WebAuthn needs the focused tab
  await page.goto(`${botUrl}/assets/vouch.css`); // a document of the bot's origin
  await page.addScriptTag({ url: '/assets/webauthn.js' });
  const response = (await page.evaluate(
    `SimpleWebAuthnBrowser.startRegistration({ optionsJSON: ${JSON.stringify(options)} })`,
  )) as RegistrationResponseJSON;
  const added = await ceremonies.verifyRegistration(employee, 'test', response, 'test', new Date());
  if (added.outcome !== 'added') throw new Error(`the passkey was not registered: ${added.outcome}`);
}
