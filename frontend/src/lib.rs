//! The browser side: hydrates the server-rendered admin.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::admin::AdminApp);
}
