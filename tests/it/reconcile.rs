//! `aws-ilm plan` and `aws-ilm apply` as processes against the real emulator
//! (docs/reconcile.md): convergence, renames in place, the safety rails, scope and protection,
//! saved and stale plans, `--absent disable`, source problems, and the cost of reading AWS.
//! Every exit status checked comes with the line that explains it.

use aws_ilm_client::{Op, PatchOp, PatchOperation};
use serde_json::Value;

use crate::harness::{Env, s};
use crate::reconcile_support::{
    HEADER, apply_from, apply_plan, groups, line_of, load, people, plan, row, users, writes,
};

/// A CSV with a groups column creates every user active and every group with exactly its
/// members; planning the same source again finds nothing to do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_initial_load_converges() {
    let env = Env::start().await;
    let mut csv = HEADER.to_owned();
    for i in 0..6 {
        csv += &row(
            i,
            if i % 2 == 0 {
                "Engineering;Everyone"
            } else {
                "Everyone"
            },
        );
    }
    let source = env.write("people.csv", &csv);

    let out = plan(&env, &source).run().await;
    out.code(4);
    assert!(out.stdout.contains("u0@in.test"), "{}", out.describe());
    assert!(out.stdout.contains("Engineering"), "{}", out.describe());

    let out = apply_from(&env, &source).run().await;
    out.code(0);
    // 2 groups, 6 users, 2 member PATCHes.
    line_of(
        &out.stderr,
        "apply: 10 events: 10 succeeded, 0 skipped, 0 failed",
    );

    let users = users(&env).await;
    assert_eq!(users.len(), 6);
    assert!(users.values().all(|u| u["active"] == true), "{users:?}");
    assert_eq!(users["u3@in.test"]["externalId"], "E3");
    let groups = groups(&env).await;
    let names = |g: &str| groups[g].1.iter().cloned().collect::<Vec<_>>();
    assert_eq!(
        names("Engineering"),
        ["u0@in.test", "u2@in.test", "u4@in.test"]
    );
    assert_eq!(names("Everyone").len(), 6);

    env.reset_stats().await;
    let again = plan(&env, &source).run().await;
    again.code(0);
    assert!(again.stdout.contains("No changes"), "{}", again.describe());
    // The same source on standard input, its format named.
    let piped = env
        .cmd()
        .args(["plan", "--from", "-", "--format", "csv", "--max-rps", "0"])
        .stdin(&csv)
        .run()
        .await;
    piped.code(0);
    assert!(piped.stdout.contains("No changes"), "{}", piped.describe());
    assert_eq!(writes(&env).await, 0);
}

/// A user whose userName and email changed in the source, its employee id (externalId) the
/// same, is updated in place: same id, no create, no delete.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rename_by_external_id_updates_in_place() {
    let env = Env::start().await;
    load(&env, "v1.csv", &people(0..3, "Team")).await;
    let before = users(&env).await["u1@in.test"]["id"].clone();

    let v2 = people(0..3, "Team").replace("u1@in.test,E1,u1@in.test", "bob@in.test,E1,bob@in.test");
    let source = env.write("v2.csv", &v2);
    let out = plan(&env, &source).run().await;
    out.code(4);
    assert!(
        out.stdout.contains("u1@in.test") && out.stdout.contains("bob@in.test"),
        "{}",
        out.describe()
    );
    env.reset_stats().await;
    apply_from(&env, &source)
        .run()
        .await
        .code(0)
        .stderr_has("apply: 1 events: 1 succeeded");
    let stats = env.stats().await;
    assert_eq!(stats["operations"]["CreateUser"], 0);
    assert_eq!(stats["operations"]["DeleteUser"], 0);
    let users = users(&env).await;
    assert!(!users.contains_key("u1@in.test"));
    let bob = &users["bob@in.test"];
    assert_eq!(bob["id"], before, "same user");
    assert_eq!(bob["emails"][0]["value"], "bob@in.test");
    assert_eq!(groups(&env).await["Team"].1.len(), 3, "memberships kept");
}

/// A source missing 40% of its rows with `--absent disable`, and an empty source, are refused
/// by plan and by apply: exit 5, the flag that would allow it named, nothing written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_truncated_or_empty_source_is_refused_and_changes_nothing() {
    let env = Env::start().await;
    load(&env, "all.csv", &people(0..10, "")).await;
    let truncated = env.write("cut.csv", &people(0..6, ""));
    let empty = env.write("empty.csv", HEADER);

    env.reset_stats().await;
    for cmd in [
        plan(&env, &truncated).args(["--absent", "disable"]),
        apply_from(&env, &truncated).args(["--absent", "disable"]),
    ] {
        let out = cmd.run().await;
        out.code(5)
            .stderr_has("4 of the 10 managed users")
            .stderr_has("--allow-mass-change");
        line_of(&out.stderr, "error: the plan was refused by 1 safety rail");
    }
    for cmd in [plan(&env, &empty), apply_from(&env, &empty)] {
        let out = cmd.run().await;
        out.code(5)
            .stderr_has("no users")
            .stderr_has("--allow-mass-change");
        line_of(&out.stderr, "error: the plan was refused");
    }
    assert_eq!(writes(&env).await, 0, "nothing changed");
    // A refused plan is not written.
    let out_file = env.path("refused.json");
    plan(&env, &truncated)
        .args(["--absent", "disable", "--out", &s(&out_file)])
        .run()
        .await
        .code(5);
    assert!(!out_file.exists());
    assert!(users(&env).await.values().all(|u| u["active"] == true));
}

/// Protected and out-of-scope users and groups stay exactly as they were, whatever the source
/// says of them, even with `--absent delete` and `--absent-groups delete`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn protected_and_out_of_scope_objects_are_untouched() {
    let env = Env::start().await;
    let setup = "username,employeeid,email,givenname,surname,displayname,groups\n\
                 a@in.test,A,a@in.test,A,A,Ada,Eng\n\
                 b@in.test,B,b@in.test,B,B,Bea,\n\
                 root@in.test,R,root@in.test,R,R,Root,Eng\n\
                 x@out.test,X,x@out.test,X,X,Xavier,Other\n";
    load(&env, "setup.csv", setup).await;
    // A group Control Tower made (protected by default, so no source can create it either).
    let c = env.client();
    let ct = c
        .create_group(&serde_json::json!({"displayName": "AWSControlTowerAdmins"}))
        .await
        .unwrap();
    let b = users(&env).await["b@in.test"]["id"].clone();
    let add = PatchOp::new(vec![PatchOperation::new(
        Op::Add,
        Some("members"),
        Some(serde_json::json!([{ "value": b }])),
    )]);
    c.patch_group(ct["id"].as_str().unwrap(), &add)
        .await
        .unwrap();
    let before_users = users(&env).await;
    let before_groups = groups(&env).await;
    env.reset_stats().await;

    // The source renames everyone, moves everyone's groups and drops b.
    let source = env.write(
        "source.csv",
        "username,employeeid,email,givenname,surname,displayname,groups\n\
         a@in.test,A,a@in.test,A,A,Ada New,Eng\n\
         root@in.test,R,root@in.test,R,R,Root New,AWSControlTowerAdmins\n\
         x@out.test,X,x@out.test,X,X,Xavier New,Other;Eng\n",
    );
    let out = apply_from(&env, &source)
        .args(["--scope-users", "*@in.test", "--scope-groups", "Eng,AWS*"])
        .args(["--protect", "root@*", "--protect", "AWSControlTower*"])
        .args(["--absent", "delete", "--absent-groups", "delete"])
        .args(["--allow-mass-change"])
        .run()
        .await;
    out.code(0);
    line_of(&out.stderr, "apply: ");

    let after_users = users(&env).await;
    assert_eq!(
        after_users["a@in.test"]["displayName"], "Ada New",
        "managed"
    );
    assert!(!after_users.contains_key("b@in.test"), "absent, deleted");
    for untouched in ["root@in.test", "x@out.test"] {
        assert_eq!(
            after_users[untouched], before_users[untouched],
            "{untouched}"
        );
    }
    let after_groups = groups(&env).await;
    assert_eq!(
        after_groups["Other"], before_groups["Other"],
        "out of scope"
    );
    // The protected group is the same group, never patched: it lost b only because deleting a
    // user takes it out of its groups.
    assert_eq!(
        after_groups["AWSControlTowerAdmins"].0,
        before_groups["AWSControlTowerAdmins"].0
    );
    assert!(after_groups["AWSControlTowerAdmins"].1.is_empty());
    assert_eq!(env.stats().await["operations"]["PatchGroup"], 2, "Eng only");
    // Eng is managed: it gets exactly the source's members, whoever they are (docs/reconcile.md,
    // "Scope and ownership": the group is what is managed, not its members).
    assert_eq!(
        after_groups["Eng"].1.iter().collect::<Vec<_>>(),
        ["a@in.test", "x@out.test"]
    );
}

/// A saved plan applies when AWS still matches it (exit 0); a plan AWS moved away from is
/// refused (exit 6), with the difference printed and nothing changed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_plan_applies_and_a_stale_one_is_refused() {
    let env = Env::start().await;
    load(&env, "v1.csv", &people(0..4, "Team")).await;
    let v2 = env.write(
        "v2.csv",
        &people(0..4, "Team").replace("User 2", "User Two"),
    );

    // Fresh: applied.
    let fresh = env.path("fresh.json");
    let out = plan(&env, &v2).args(["--out", &s(&fresh)]).run().await;
    out.code(4).stderr_has("plan saved to");
    let out = apply_plan(&env, &fresh).run().await;
    out.code(0);
    line_of(&out.stderr, "apply: 1 events: 1 succeeded");
    assert_eq!(users(&env).await["u2@in.test"]["displayName"], "User Two");

    // Stale: someone changed the user between plan and apply.
    let v3 = env.write(
        "v3.csv",
        &people(0..4, "Team").replace("User 3", "User Three"),
    );
    let stale = env.path("stale.json");
    plan(&env, &v3)
        .args(["--out", &s(&stale)])
        .run()
        .await
        .code(4);
    let id = users(&env).await["u3@in.test"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let patch = PatchOp::new(vec![PatchOperation::new(
        Op::Replace,
        Some("displayName"),
        Some(Value::from("Changed Behind Its Back")),
    )]);
    env.client().patch_user(&id, &patch).await.unwrap();
    env.reset_stats().await;
    let out = apply_plan(&env, &stale).run().await;
    out.code(6);
    line_of(&out.stderr, "error: the plan is stale");
    assert_eq!(writes(&env).await, 0, "nothing changed");
    assert_eq!(
        users(&env).await["u3@in.test"]["displayName"],
        "Changed Behind Its Back"
    );
}

/// `--absent disable` disables exactly the users in scope the source leaves out: not the
/// ones out of scope, not the ones already disabled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn absent_disable_disables_exactly_the_absent_users_in_scope() {
    let env = Env::start().await;
    let mut all = people(0..10, "");
    all += "x@out.test,X,x@out.test,X,X,Xavier,\n";
    load(&env, "all.csv", &all).await;
    let source = env.write(
        "now.csv",
        &people((0..10).filter(|i| *i != 3 && *i != 7), ""),
    );
    env.reset_stats().await;
    let out = apply_from(&env, &source)
        .args(["--absent", "disable", "--scope-users", "*@in.test"])
        .run()
        .await;
    out.code(0);
    line_of(&out.stderr, "apply: 2 events: 2 succeeded");
    let users = users(&env).await;
    let disabled: Vec<&str> = users
        .iter()
        .filter(|(_, u)| u["active"] == false)
        .map(|(n, _)| n.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(disabled, ["u3@in.test", "u7@in.test"]);
    assert_eq!(users["x@out.test"]["active"], true);
    assert_eq!(env.stats().await["operations"]["PatchUser"], 2);
}

/// Reading AWS costs exactly ⌈U/100⌉ + ⌈G/100⌉ list pages plus, for each managed group that
/// exists, max(1, ⌈members/100⌉) member pages; nothing else.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_reads_exactly_the_formula() {
    let env = Env::start().await;
    let mut csv = HEADER.to_owned();
    for i in 0..250 {
        let groups = match i {
            0..150 => "Big;Small",
            150..170 => "Small;Other",
            _ => "Other",
        };
        csv += &row(i, groups);
    }
    load(&env, "setup.csv", &csv).await;
    env.client()
        .create_group(&serde_json::json!({"displayName": "Empty"}))
        .await
        .unwrap();
    // The source names Big (150 members), Small (170) and Empty (0); Other is not managed.
    let mut source = HEADER.to_owned();
    for i in 0..250 {
        source += &row(
            i,
            if i < 150 {
                "Big;Small"
            } else if i < 170 {
                "Small"
            } else {
                ""
            },
        );
    }
    source += "e@in.test,EE,e@in.test,E,E,E,Empty\n";
    let source = env.write("source.csv", &source);

    env.reset_stats().await;
    let out = plan(&env, &source).run().await;
    out.code(4);
    let stats = env.stats().await;
    let users_pages = 3; // 250 users
    let member_pages = 2 + 2 + 1; // Big 150, Small 170, Empty 0
    assert_eq!(stats["operations"]["ListUsers"], users_pages + member_pages);
    assert_eq!(stats["operations"]["ListGroups"], 1, "4 groups");
    assert_eq!(
        stats["total"],
        users_pages + member_pages + 1,
        "nothing else: {stats}"
    );
}

/// `apply` refuses, changing nothing, what it cannot do safely: `--from` without
/// `--auto-approve` where there is no terminal to ask on, reconcile flags with a saved plan
/// (it embeds its options), and a plan made for another directory (exit 2 each). `--output
/// json` prints the plan document.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_refuses_what_it_cannot_do_safely() {
    let env = Env::start().await;
    let source = env.write("people.csv", &people(0..2, ""));
    let out = env
        .cmd()
        .args(["apply", "--from", &s(&source), "--no-progress"])
        .run()
        .await;
    out.code(2);
    let error = line_of(
        &out.stderr,
        "error: apply --from asks before it changes anything",
    );
    assert!(
        error.contains("--auto-approve"),
        "the hint names it: {error}"
    );

    let saved = env.path("plan.json");
    let out = plan(&env, &source)
        .args(["--output", "json", "--out", &s(&saved)])
        .run()
        .await;
    out.code(4);
    let doc = out.json();
    assert_eq!(doc["aws-ilm-plan"], 1, "{doc}");
    assert_eq!(doc["summary"]["usersCreated"], 2, "{doc}");

    let out = apply_plan(&env, &saved)
        .args(["--absent", "disable"])
        .run()
        .await;
    out.code(2).one_line_error();
    assert!(out.stderr.contains("options the plan was made with"));

    let out = apply_plan(&env, &saved)
        .env("AWS_ILM_TENANT_ID", "another-tenant")
        .run()
        .await;
    out.code(2).one_line_error();
    assert!(out.stderr.contains("tenant"), "{}", out.describe());
    assert!(users(&env).await.is_empty(), "nothing changed");
}
