//! The browser's half of a ceremony: `/pkg/vellum-passkeys.js` (built from
//! `frontend/passkeys`, pinned `@simplewebauthn/browser`) calls
//! navigator.credentials with the server's options and hands back the
//! answer as JSON. Compiled into both builds like the editor's engine
//! bindings; only event handlers in the browser call it.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = VellumPasskeys, js_name = create, catch)]
    fn create_js(options: &str) -> Result<js_sys::Promise, JsValue>;

    #[wasm_bindgen(js_namespace = VellumPasskeys, js_name = get, catch)]
    fn get_js(options: &str) -> Result<js_sys::Promise, JsValue>;
}

/// Why the browser gave no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The person cancelled, or the time ran out.
    Cancelled,
    /// The authenticator already holds a passkey for this account here.
    AlreadyThere,
    /// This browser cannot use passkeys here (or the script is missing).
    Unavailable,
}

impl Failure {
    pub fn message(self) -> &'static str {
        match self {
            Self::Cancelled => "No passkey was used: the request was cancelled or timed out.",
            Self::AlreadyThere => "This device already keeps a passkey for your account here.",
            Self::Unavailable => "This browser cannot use a passkey here.",
        }
    }
}

/// Whether this browser can make and use passkeys. Asked of the browser
/// itself, not of the script, which may still be loading when the page
/// hydrates; it is needed only once a button is pressed. Call it in the
/// browser only (from an effect or a handler).
pub fn supported() -> bool {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("PublicKeyCredential"))
        .is_ok_and(|constructor| constructor.is_function())
}

/// Makes a passkey with the server's creation options; the answer as JSON.
pub async fn create(options: &str) -> Result<String, Failure> {
    answer(create_js(options)).await
}

/// Asks for a passkey with the server's request options; the answer as JSON.
pub async fn get(options: &str) -> Result<String, Failure> {
    answer(get_js(options)).await
}

async fn answer(call: Result<js_sys::Promise, JsValue>) -> Result<String, Failure> {
    let promise = call.map_err(|_| Failure::Unavailable)?;
    match wasm_bindgen_futures::JsFuture::from(promise).await {
        Ok(json) => json.as_string().ok_or(Failure::Unavailable),
        // The script rejects with the browser's error name.
        Err(name) => Err(match name.as_string().as_deref() {
            Some("NotAllowedError" | "AbortError") => Failure::Cancelled,
            Some("InvalidStateError") => Failure::AlreadyThere,
            _ => Failure::Unavailable,
        }),
    }
}
