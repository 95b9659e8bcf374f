//! `aws-ilm demo`: the whole lifecycle against an emulator started in this process on a free
//! port with a temporary SQLite database, printing each command as a user would type it and its
//! output.
//!
//! Every step goes through the real path: its argv is parsed by the same clap definitions, the
//! settings are built by `Settings::build` from the variables a user would export
//! (`AWS_ILM_BASE_URL`, `AWS_ILM_TENANT_ID`, `AWS_ILM_TOKEN`), and the command runs through
//! `cmd::ilm` exactly as `aws-ilm iam-...` does. Only the ids of the new user and group are
//! taken from earlier outputs, as a user would copy them. The emulator's token is random and
//! thrown away with the database, and is still never printed.

use clap::Parser;
use serde_json::Value;

use crate::cli::{self, GlobalArgs};
use crate::error::{CliError, Exit};
use crate::output;
use crate::settings::Settings;

use super::ilm;

const USER: &str = "jane.doe@example.com";

pub async fn run(global: &GlobalArgs) -> Result<Exit, CliError> {
    let dir = tempfile::tempdir()
        .map_err(|e| CliError::config(format!("cannot create a temporary folder: {e}")))?;
    let db = dir.path().join("aws-ilm-demo.db");
    let mut config = aws_ilm_emulator::Config::ephemeral();
    config.db = db.display().to_string();
    let running = aws_ilm_emulator::spawn(config)
        .await
        .map_err(|e| CliError::config(format!("cannot start the emulator: {e}")))?;

    let root = running.root_url();
    let tenant = running.tenant_id.clone();
    let token = running.token.clone();
    println!("# aws-ilm demo: an AWS-faithful SCIM emulator is running at {root}");
    println!("# (tenant {tenant}, temporary database {}).", db.display());
    println!("# The commands below are what you would type after:");
    println!("#   export AWS_ILM_BASE_URL={root}");
    println!("#   export AWS_ILM_TENANT_ID={tenant}");
    println!("#   export AWS_ILM_TOKEN=<the emulator's token>");
    println!();

    // The settings as a user's exported variables would give them; flags the user passed to
    // `demo` (e.g. --output json, --instance-name) still win, as they would.
    let env = |k: &str| match k {
        "AWS_ILM_BASE_URL" => Some(root.clone()),
        "AWS_ILM_TENANT_ID" => Some(tenant.clone()),
        "AWS_ILM_TOKEN" => Some(token.expose().to_owned()),
        _ => None,
    };
    let demo_global = GlobalArgs {
        config: None,
        instance: None,
        base_url: None,
        tenant_id: None,
        token_file: None,
        ..global.clone()
    };
    let settings = Settings::build(&demo_global, &env)?;
    let result = steps(&settings).await;
    running.stop().await;
    drop(dir);
    result
}

async fn steps(settings: &Settings) -> Result<Exit, CliError> {
    // Written as a person would type them (serde_json would sort the keys).
    let profile = format!(
        r#"{{"username": "{USER}", "email": "{USER}", "givenname": "Jane", "surname": "Doe", "displayname": "Jane Doe", "title": "Engineer", "department": "Identity", "employeeid": "E1001"}}"#
    );
    let who = format!(r#"{{"username": "{USER}"}}"#);
    let mover = format!(
        r#"{{"username": "{USER}", "title": "Senior Engineer", "department": "Security"}}"#
    );

    let (ok, ctx) = step(settings, &["iam-create-user", "--user-profile", &profile]).await?;
    if !ok {
        return Ok(Exit::Failed);
    }
    let user_id = text_at(&ctx, &["IAM", "Vendor", "id"])?;
    for argv in [
        vec!["iam-get-user", "--user-profile", who.as_str()],
        vec!["iam-update-user", "--user-profile", mover.as_str()],
        vec!["iam-disable-user", "--user-profile", who.as_str()],
    ] {
        if !step(settings, &argv).await?.0 {
            return Ok(Exit::Failed);
        }
    }
    let group = r#"{"displayName": "Engineering"}"#.to_string();
    let (ok, ctx) = step(settings, &["iam-create-group", "--scim", &group]).await?;
    if !ok {
        return Ok(Exit::Failed);
    }
    let group_id = text_at(&ctx, &["CreateGroup", "id"])?;
    let by_id = format!(r#"{{"id": "{group_id}"}}"#);
    for argv in [
        vec![
            "iam-update-group",
            "--scim",
            by_id.as_str(),
            "--memberIdsToAdd",
            user_id.as_str(),
        ],
        vec!["iam-get-group", "--scim", group.as_str()],
        vec![
            "iam-update-group",
            "--scim",
            by_id.as_str(),
            "--memberIdsToDelete",
            user_id.as_str(),
        ],
        vec!["iam-delete-group", "--scim", by_id.as_str()],
    ] {
        if !step(settings, &argv).await?.0 {
            return Ok(Exit::Failed);
        }
    }
    println!("# Done: joiner, mover, leaver and a group's whole life, against the emulator.");
    Ok(Exit::Success)
}

/// Prints `$ aws-ilm <argv>`, runs it through the real path, prints its output. Returns whether
/// it succeeded (or was skipped) and its context document.
async fn step(settings: &Settings, argv: &[&str]) -> Result<(bool, Value), CliError> {
    println!("$ aws-ilm {}", shell_line(argv));
    let parsed = cli::Cli::try_parse_from(std::iter::once("aws-ilm").chain(argv.iter().copied()))
        .map_err(|e| CliError::usage(format!("demo step does not parse: {e}")))?;
    let cmd = ilm::parse(&parsed.command)?;
    let outcome = ilm::execute(settings, &cmd).await?;
    let text = output::render(settings.output, &outcome, settings.token.expose());
    println!("{text}");
    Ok((ilm::exit(&outcome) == Exit::Success, outcome.context))
}

fn text_at(ctx: &Value, path: &[&str]) -> Result<String, CliError> {
    let mut v = ctx;
    for key in path {
        v = &v[*key];
    }
    v.as_str().map(str::to_string).ok_or_else(|| CliError {
        exit: Exit::Failed,
        message: format!("demo: no {} in the output", path.join(".")),
        hint: None,
    })
}

/// The argv as a POSIX shell line: words with anything but safe characters are single-quoted.
fn shell_line(argv: &[&str]) -> String {
    argv.iter()
        .map(|w| {
            let safe = !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.,:/@=".contains(c));
            if safe {
                w.to_string()
            } else {
                format!("'{}'", w.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_quoting() {
        assert_eq!(
            shell_line(&["iam-get-user", "--user-profile", r#"{"username":"o'neil"}"#]),
            r#"iam-get-user --user-profile '{"username":"o'\''neil"}'"#
        );
    }
}
