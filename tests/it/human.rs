//! `--output human` as a terminal and a pipe see it (docs/output.md, "Human output"): colour only
//! where it is wanted and never with NO_COLOR, lines fitted to `COLUMNS` and unwrapped without
//! it. The layout of every command is in the transcript snapshots (transcript.rs).

use regex::Regex;

use crate::harness::{Env, Out};

const JANE: &str = r#"{"username":"jane@example.com","email":"jane@example.com","givenname":"Jane","surname":"Doe","displayname":"Jane Doe","department":"Identity","employeeid":"E1"}"#;
const GET_JANE: &[&str] = &[
    "iam-get-user",
    "--user-profile",
    r#"{"username":"jane@example.com"}"#,
];

async fn with_jane() -> Env {
    let env = Env::start().await;
    env.run_json(&["iam-create-user", "--user-profile", JANE])
        .await
        .code(0);
    env
}

async fn run(env: &Env, vars: &[(&str, &str)], args: &[&str]) -> Out {
    let mut cmd = env.cmd();
    for (k, v) in vars {
        cmd = cmd.env(k, v);
    }
    let out = cmd.args(args).run().await;
    out.code(0);
    out
}

/// Colour is SGR sequences and nothing else: without them the text holds no control character.
#[track_caller]
fn only_sgr(out: &Out) {
    let sgr = Regex::new("\u{1b}\\[[0-9;]*m").unwrap();
    let rest = sgr.replace_all(&out.stdout, "");
    assert!(
        !rest.chars().any(|c| c.is_control() && c != '\n'),
        "{}",
        out.describe()
    );
}

#[tokio::test]
async fn colour_only_when_forced_and_never_with_no_color() {
    let env = with_jane().await;
    // stdout is a pipe here: no colour unless CLICOLOR_FORCE stands in for a terminal.
    let piped = run(&env, &[], GET_JANE).await;
    assert!(!piped.stdout.contains('\u{1b}'), "{}", piped.describe());

    let forced = run(&env, &[("CLICOLOR_FORCE", "1")], GET_JANE).await;
    assert!(forced.stdout.contains("\u{1b}["), "{}", forced.describe());
    only_sgr(&forced);
    let sgr = Regex::new("\u{1b}\\[[0-9;]*m").unwrap();
    assert_eq!(
        sgr.replace_all(&forced.stdout, ""),
        piped.stdout,
        "colour changes nothing but the colour"
    );

    for vars in [
        &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")][..],
        &[("NO_COLOR", "1")][..],
    ] {
        let out = run(&env, vars, GET_JANE).await;
        assert_eq!(out.stdout, piped.stdout, "{vars:?}");
    }
    for format in ["markdown", "json"] {
        let out = run(
            &env,
            &[("CLICOLOR_FORCE", "1")],
            &[&["--output", format][..], GET_JANE].concat(),
        )
        .await;
        assert!(!out.stdout.contains('\u{1b}'), "{}", out.describe());
    }
}

#[tokio::test]
async fn columns_wraps_and_a_pipe_gets_whole_lines() {
    let env = with_jane().await;
    let enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    for args in [GET_JANE, &["get-mapping-fields"][..]] {
        let narrow = run(&env, &[("COLUMNS", "40")], args).await;
        let long: Vec<&str> = narrow
            .stdout
            .lines()
            .filter(|l| l.chars().count() > 40)
            .collect();
        assert!(long.is_empty(), "{long:?}\n{}", narrow.describe());
        assert!(!narrow.stdout.contains(enterprise), "{}", narrow.describe());

        let whole = run(&env, &[], args).await;
        assert!(
            whole
                .stdout
                .lines()
                .any(|l| l.trim_start().starts_with(enterprise)),
            "no COLUMNS and not a terminal: nothing wraps\n{}",
            whole.describe()
        );
        assert!(narrow.stdout.lines().count() > whole.stdout.lines().count());
    }
}
