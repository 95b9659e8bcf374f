//! The database file is private: user data (names, emails, phone numbers) must not be readable by
//! every local user, as it was with the 0644 that the usual umask gives a new file.
//!
//! SQLite creates the database with mode 0644 less the umask, and gives the WAL and SHM files the
//! database file's own permission bits (setting them with `fchmod`, whatever the umask). So a new
//! database file is created here first, empty and owner-only (0600, set explicitly so the umask
//! cannot change it), before SQLite opens it; the WAL and SHM files then follow. An existing
//! file keeps the mode its owner gave it, with a warning when group or others can read it
//! (docs/emulator.md, "Storage").

use std::io;
use std::path::Path;

use super::StoreError;

/// Makes sure `path` exists and, if created now, is owner-only.
pub fn prepare(path: &str) -> Result<(), StoreError> {
    let file = Path::new(path);
    match create_private(file) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            for f in [
                path.to_owned(),
                format!("{path}-wal"),
                format!("{path}-shm"),
            ] {
                warn_if_shared(Path::new(&f));
            }
            Ok(())
        }
        Err(e) => Err(StoreError::File(format!("{path}: {e}"))),
    }
}

#[cfg(unix)]
fn create_private(path: &Path) -> io::Result<()> {
    use std::fs::{OpenOptions, Permissions};
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    // The mode given to open() is reduced by the umask; this is not.
    f.set_permissions(Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn create_private(path: &Path) -> io::Result<()> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map(drop)
}

#[cfg(unix)]
fn warn_if_shared(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path) {
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            tracing::warn!(
                "{} is readable or writable by other users (mode {mode:04o}); \
                 `chmod 600` it to keep the emulator's data private",
                path.display()
            );
        }
    }
}

#[cfg(not(unix))]
fn warn_if_shared(_path: &Path) {}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_new_database_file_is_owner_only_and_an_existing_one_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.db");
        let path = path.to_str().unwrap();
        prepare(path).unwrap();
        let mode = |p: &str| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(path), 0o600);
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o640)).unwrap();
        prepare(path).unwrap();
        assert_eq!(
            mode(path),
            0o640,
            "an existing file keeps its owner's choice"
        );
        let missing = dir.path().join("no/such/dir.db");
        assert!(prepare(missing.to_str().unwrap()).is_err());
    }
}
