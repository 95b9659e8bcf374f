//! `aws-ilm man`: the man page comes from the clap definitions themselves (like the completion
//! scripts), so it lists exactly the commands and settings the binary accepts: the synopsis,
//! every global flag under its heading, and every subcommand with its one-line description
//! (`aws-ilm COMMAND --help` has a command's own arguments).

use std::io::Write;

use clap::CommandFactory;

use crate::cli::Cli;
use crate::error::{CliError, Exit};

/// The page in roff, ready for `man -l -` or a `man1` folder.
pub fn page() -> Result<Vec<u8>, CliError> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .map_err(|e| CliError::config(format!("cannot render the man page: {e}")))?;
    Ok(out)
}

/// Writes the page to stdout; exit 0, or 3 when it cannot be written.
pub fn run() -> Result<Exit, CliError> {
    let page = page()?;
    std::io::stdout()
        .lock()
        .write_all(&page)
        .map_err(|e| CliError::config(format!("cannot write the man page: {e}")))?;
    Ok(Exit::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_names_every_subcommand() {
        let page = String::from_utf8(page().unwrap()).unwrap();
        assert!(page.contains(".TH aws-ilm 1"), "{page}");
        // roff writes a hyphen as `\-`.
        for sub in Cli::command().get_subcommands() {
            let name = sub.get_name().replace('-', "\\-");
            assert!(page.contains(&name), "{name} missing");
        }
    }
}
