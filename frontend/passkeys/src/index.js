// The browser's half of Vellum's passkeys, for the admin's wasm: the
// server sends WebAuthn options as JSON (binary values in base64url) and
// takes the browser's answer as JSON; @simplewebauthn/browser converts
// both ways and calls navigator.credentials. Failures reject with the
// DOMException's name ("NotAllowedError" when the person cancelled or
// the time ran out, "InvalidStateError" when the authenticator already
// holds a passkey for this account), which the admin turns into words.

import { startAuthentication, startRegistration } from "@simplewebauthn/browser";

async function answer(ceremony) {
  try {
    return JSON.stringify(await ceremony());
  } catch (error) {
    // WebAuthnError keeps the browser's error as its cause.
    const cause = error?.cause?.name ?? error?.name ?? "Error";
    throw cause;
  }
}

window.VellumPasskeys = {
  create: (options) => answer(() => startRegistration({ optionsJSON: JSON.parse(options) })),
  get: (options) => answer(() => startAuthentication({ optionsJSON: JSON.parse(options) })),
};
