import { randomFillSync } from 'node:crypto';
import {
  type AuthenticationResponseJSON,
  type AuthenticatorTransportFuture,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import type { Collections, PasskeyChallengeDoc } from './collections';
import { insertOnce } from './mongo';
import { passkeyStore } from './passkeys';

/**
 * The two WebAuthn ceremonies, with `@simplewebauthn/server`:
 *
 * - registration (the enrollment page, once the link is approved): `registrationOptions` then
 *   `verifyRegistration`, which stores the passkey;
 * - authentication (the answer page): `authenticationOptions` then `verifyAuthentication`, which checks
 *   the signature with the stored public key and moves the counter forward.
 *
 * Each options call stores a fresh challenge (32 random bytes) in `passkey_challenges` for one employee
 * and one scope (the enrollment or answer link it was issued for), valid 5 minutes. A verify reads the
 * challenge the browser signed, checks it was issued for this employee, purpose and scope and has not
 * expired, and spends it with a unique insert in `claims` before anything else: a replayed response, or
 * a second response to the same challenge, is refused as `replayed` on every worker and replica.
 *
 * User verification (a PIN or biometric on the authenticator) is required in both ceremonies. The
 * relying party id is the host of VOUCH_PUBLIC_URL and the only accepted origin is its origin
 * (`relyingParty`): a passkey made for Vouch cannot be used on any other site, which is what makes it
 * unphishable; it also means changing VOUCH_PUBLIC_URL's host orphans every passkey.
 *
 * For the answer page: POST /passkey/<answer token>/options and /verify (bot/passkey-routes.ts) call
 * these with scope = the answer link's id; a verified assertion gives a proof token
 * (store/passkey-proofs.ts) that the page submits to the workflow, sealed, as the second factor.
 */
export const CHALLENGE_TTL_MS = 5 * 60_000;

export interface RelyingParty {
  id: string;
  origin: string;
  name: string;
}

export function relyingParty(publicUrl: string): RelyingParty {
  const url = new URL(publicUrl);
  return { id: url.hostname, origin: url.origin, name: 'Vouch' };
}

export type PasskeyVerifyOutcome = 'accepted' | 'rejected' | 'replayed' | 'expired' | 'not_enrolled';

export function passkeyCeremonies(c: Collections, rp: RelyingParty) {
  const store = passkeyStore(c);

  async function issueChallenge(
    purpose: PasskeyChallengeDoc['purpose'],
    employee: string,
    scope: string,
    now: Date,
  ): Promise<Uint8Array<ArrayBuffer>> {
    // Given to the library as bytes: the options (and the browser's clientDataJSON) carry their base64url.
    const challenge = new Uint8Array(new ArrayBuffer(32));
    randomFillSync(challenge);
    await c.passkeyChallenges.insertOne({
      _id: Buffer.from(challenge).toString('base64url'),
      purpose,
      employee,
      scope,
      createdAt: now,
      expiresAt: new Date(now.getTime() + CHALLENGE_TTL_MS),
    });
    return challenge;
  }

  /** The challenge the response answers, if it was issued for this; spent by this call. */
  async function spendChallenge(
    clientDataJSON: string,
    purpose: PasskeyChallengeDoc['purpose'],
    employee: string,
    scope: string,
    now: Date,
  ): Promise<{ challenge: string } | { outcome: 'rejected' | 'replayed' | 'expired' }> {
    let challenge: unknown;
    try {
      challenge = (
        JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as { challenge?: unknown }
      ).challenge;
    } catch {
      return { outcome: 'rejected' };
    }
    if (typeof challenge !== 'string' || challenge.length > 100) return { outcome: 'rejected' };
    const issued = await c.passkeyChallenges.findOne({ _id: challenge });
    if (!issued || issued.purpose !== purpose || issued.employee !== employee || issued.scope !== scope)
      return { outcome: 'rejected' };
    if (!(await insertOnce(c.claims, { _id: `passkey-challenge:${challenge}`, at: now })))
      return { outcome: 'replayed' };
    if (issued.expiresAt <= now) return { outcome: 'expired' };
    return { challenge };
  }

  return {
    rp,

    async registrationOptions(
      employee: { key: string; label: string },
      scope: string,
      now: Date,
    ): Promise<PublicKeyCredentialCreationOptionsJSON> {
      const existing = await store.forEmployee(employee.key);
      return generateRegistrationOptions({
        rpName: rp.name,
        rpID: rp.id,
        userName: employee.label,
        userDisplayName: employee.label,
        // An opaque handle, not the email: it is stored on the authenticator.
        userID: new Uint8Array(Buffer.from(employee.key, 'utf8')).slice(0, 64),
        challenge: await issueChallenge('registration', employee.key, scope, now),
        timeout: CHALLENGE_TTL_MS,
        attestationType: 'none',
        excludeCredentials: existing.map((p) => ({ id: p._id, transports: transportsOf(p.transports) })),
        authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
      });
    },

    /** Checks a new passkey against its challenge and stores it; nothing is stored unless it verifies. */
    async verifyRegistration(
      employee: string,
      scope: string,
      response: RegistrationResponseJSON,
      actor: string,
      now: Date,
    ): Promise<
      { outcome: 'added'; credentialId: string } | { outcome: 'rejected' | 'replayed' | 'expired' }
    > {
      const spent = await spendChallenge(
        response?.response?.clientDataJSON,
        'registration',
        employee,
        scope,
        now,
      );
      if (!('challenge' in spent)) return spent;
      let verified;
      try {
        verified = await verifyRegistrationResponse({
          response,
          expectedChallenge: spent.challenge,
          expectedOrigin: rp.origin,
          expectedRPID: rp.id,
          requireUserVerification: true,
        });
      } catch {
        return { outcome: 'rejected' };
      }
      if (!verified.verified) return { outcome: 'rejected' };
      const { credential } = verified.registrationInfo;
      // A credential id already known (any employee's) is never taken over.
      if (await store.get(credential.id)) return { outcome: 'rejected' };
      await store.add({
        _id: credential.id,
        employee,
        publicKey: Buffer.from(credential.publicKey).toString('base64url'),
        counter: credential.counter,
        transports: credential.transports ?? response.response.transports ?? [],
        createdAt: now,
        createdBy: actor,
      });
      return { outcome: 'added', credentialId: credential.id };
    },

    /** Options for the employee's passkeys, or null when they have none. */
    async authenticationOptions(
      employee: string,
      scope: string,
      now: Date,
    ): Promise<PublicKeyCredentialRequestOptionsJSON | null> {
      const mine = await store.forEmployee(employee);
      if (mine.length === 0) return null;
      return generateAuthenticationOptions({
        rpID: rp.id,
        allowCredentials: mine.map((p) => ({ id: p._id, transports: transportsOf(p.transports) })),
        userVerification: 'required',
        challenge: await issueChallenge('authentication', employee, scope, now),
        timeout: CHALLENGE_TTL_MS,
      });
    },

    /**
     * Checks an assertion: a challenge issued for this employee and scope, spent once; a passkey of this
     * employee (a revoked one is gone); the signature, user verification, origin and RP id; a counter
     * that moved forward (unless the authenticator keeps none).
     */
    async verifyAuthentication(
      employee: string,
      scope: string,
      response: AuthenticationResponseJSON,
      now: Date,
    ): Promise<{ outcome: PasskeyVerifyOutcome; credentialId?: string }> {
      const spent = await spendChallenge(
        response?.response?.clientDataJSON,
        'authentication',
        employee,
        scope,
        now,
      );
      if (!('challenge' in spent)) return spent;
      const passkey = typeof response.id === 'string' ? await store.get(response.id) : null;
      if (!passkey || passkey.employee !== employee) return { outcome: 'not_enrolled' };
      let result;
      try {
        result = await verifyAuthenticationResponse({
          response,
          expectedChallenge: spent.challenge,
          expectedOrigin: rp.origin,
          expectedRPID: rp.id,
          credential: {
            id: passkey._id,
            publicKey: new Uint8Array(Buffer.from(passkey.publicKey, 'base64url')),
            counter: passkey.counter,
            transports: transportsOf(passkey.transports),
          },
          requireUserVerification: true,
        });
      } catch {
        // Includes a counter that did not move forward: a cloned authenticator, or a replayed signature.
        return { outcome: 'rejected', credentialId: passkey._id };
      }
      if (!result.verified) return { outcome: 'rejected', credentialId: passkey._id };
      if (!(await store.recordUse(passkey, result.authenticationInfo.newCounter, now)))
        return { outcome: 'replayed', credentialId: passkey._id };
      return { outcome: 'accepted', credentialId: passkey._id };
    },
  };
}

export type PasskeyCeremonies = ReturnType<typeof passkeyCeremonies>;

function transportsOf(stored: string[] | undefined): AuthenticatorTransportFuture[] | undefined {
  return stored?.length ? (stored as AuthenticatorTransportFuture[]) : undefined;
}
