//! TLS set-up: rustls with the ring provider, chosen once for the whole process so every
//! client (GitHub, webhooks, SMTP) agrees and no OpenSSL is needed.

use std::sync::Once;

static INIT: Once = Once::new();

/// Installs ring as the process-wide rustls provider (idempotent).
pub fn init() {
    INIT.call_once(|| {
        // Err means another provider was installed first, which is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}
