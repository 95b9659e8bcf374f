//! Who is sending: the OS user and the host name, read once per process without any
//! platform call that could fail loudly (an audit line with `unknown` beats no write at all).

use std::os::unix::fs::MetadataExt;

/// The OS user: `$USER`, else `$LOGNAME`, else `uid N` (a container without either).
pub fn user() -> String {
    for var in ["USER", "LOGNAME"] {
        if let Ok(v) = std::env::var(var)
            && !v.trim().is_empty()
        {
            return v.trim().to_owned();
        }
    }
    match std::fs::metadata("/proc/self") {
        Ok(m) => format!("uid {}", m.uid()),
        Err(_) => "unknown".to_owned(),
    }
}

/// The host name: the kernel's, else `$HOSTNAME`, else `unknown`.
pub fn host() -> String {
    let kernel = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    kernel
        .or_else(|| {
            std::env::var("HOSTNAME")
                .ok()
                .filter(|s| !s.trim().is_empty())
        })
        .unwrap_or_else(|| "unknown".to_owned())
}
