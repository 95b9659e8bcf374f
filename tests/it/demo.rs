//! `aws-ilm demo`: the whole lifecycle against an in-process emulator, printed as typed.

use crate::harness::Env;

#[tokio::test]
async fn demo_runs_the_whole_lifecycle() {
    let env = Env::start().await;
    let out = env.bare().args(["demo"]).run().await;
    out.code(0);
    let steps: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("$ aws-ilm "))
        .collect();
    let verbs: Vec<&str> = steps
        .iter()
        .map(|l| l.split_whitespace().nth(2).unwrap())
        .collect();
    assert_eq!(
        verbs,
        [
            "iam-create-user",
            "iam-get-user",
            "iam-update-user",
            "iam-disable-user",
            "iam-create-group",
            "iam-update-group",
            "iam-get-group",
            "iam-update-group",
            "iam-delete-group"
        ],
        "{}",
        out.describe()
    );
    for title in [
        "Create User Results",
        "Get User Results",
        "Update User Results",
        "Disable User Results",
        "AWS Create Group",
        "AWS Get Group",
        "AWS Update Group",
        "AWS Delete Group",
    ] {
        assert!(
            out.stdout.contains(title),
            "missing {title}\n{}",
            out.describe()
        );
    }
    assert!(
        !out.stdout.contains(env.token()),
        "the demo prints no token"
    );
}
