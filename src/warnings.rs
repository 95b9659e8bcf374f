//! What a run says on stderr before it starts: settings that work but put the token or the
//! directory's data at risk (docs/configuration.md, "Warnings").
//!
//! Each warning is one line, `warning: ...`, printed once per run (a single command or a whole
//! batch); `doctor` shows them as checks. A warning names the setting, host or path at fault
//! and never the token.

use std::path::Path;

use crate::expiry;
use crate::settings::Settings;

/// The warnings `settings` call for, one line each, without the `warning: ` prefix.
pub fn for_settings(settings: &Settings) -> Vec<String> {
    let mut out = Vec::new();
    // docs/configuration.md, "Warnings": on every run with `insecure` on.
    if settings.insecure {
        out.push(
            "insecure is on: TLS certificates are not verified; use it only for testing".into(),
        );
    }
    if let Some(host) = settings.endpoint.base().cleartext_remote_host() {
        out.push(format!(
            "base_url is plain http:// to {host}, which is not this machine: the token and user \
             data cross the network unencrypted; use https://"
        ));
    }
    if let Some(path) = &settings.token_file
        && let Some(mode) = shared_mode(path)
    {
        out.push(format!(
            "the token file {} can be read by group or others (mode {mode:04o}); make it \
             private: chmod 600 {}",
            path.display(),
            path.display()
        ));
    }
    out
}

/// The token-expiry warning on `today`, when `token_issued` is set and the token expires
/// within 30 days or has expired (docs/configuration.md, "Token expiry").
pub fn token_expiry(settings: &Settings, today: time::Date) -> Option<String> {
    expiry::expiry(settings.token_issued?, today).warning()
}

/// Prints [`for_settings`] and [`token_expiry`] on stderr, through `output::warn` like every
/// warning (one line, control characters made visible: a path or a host may hold any).
pub fn print(settings: &Settings) {
    let expiry = token_expiry(settings, expiry::today());
    for w in for_settings(settings).into_iter().chain(expiry) {
        crate::output::warn(&w);
    }
}

/// The file's permission bits when group or others have any access to it.
#[cfg(unix)]
fn shared_mode(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o7777;
    (mode & 0o077 != 0).then_some(mode)
}

/// Windows ACLs do not map onto group/other bits; nothing to say there.
#[cfg(not(unix))]
fn shared_mode(_path: &Path) -> Option<u32> {
    None
}
