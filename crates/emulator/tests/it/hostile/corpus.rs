//! The hostile corpus, as data: every entry is one request (method, path, headers, body) and the
//! answer class it must get. Grouped by what it attacks; the count is whatever these tables hold
//! and is printed by the test.

use serde_json::{Value, json};

use super::harness::{Auth, Case, Ctx, Expect, enc, patch_op, user_body};

/// All cases, in the order they are sent.
pub fn all(ctx: &Ctx) -> Vec<(&'static str, Vec<Case>)> {
    vec![
        ("authorization and tenant", auth(ctx)),
        ("routes and methods", routes(ctx)),
        ("ids with path tricks", ids(ctx)),
        ("filters", filters(ctx)),
        ("list parameters", list_params(ctx)),
        ("user bodies", user_bodies(ctx)),
        ("user patches", user_patches(ctx)),
        ("user replace", user_replace(ctx)),
        ("group bodies", group_bodies(ctx)),
        ("group patches", group_patches(ctx)),
        ("inert injections", inert(ctx)),
    ]
}

fn bearer(t: &str) -> Auth {
    Auth::Raw(format!("Bearer {t}").into_bytes())
}

fn auth(ctx: &Ctx) -> Vec<Case> {
    let tok = ctx.token().to_owned();
    let users = ctx.t("/Users");
    let get = |label: &str, a: Auth| {
        Case::new(label, "GET", users.clone())
            .auth(a)
            .expect(Expect::Status(401))
    };
    let mut shorter = tok.clone();
    shorter.pop();
    let mut flipped = tok.clone().into_bytes();
    flipped[0] ^= 0x01;
    let flipped = String::from_utf8(flipped).unwrap();
    let mut v = vec![
        get("no Authorization", Auth::Missing),
        get("empty Authorization", Auth::Raw(Vec::new())),
        get("scheme only", Auth::Raw(b"Bearer".to_vec())),
        get("scheme and space", Auth::Raw(b"Bearer ".to_vec())),
        get(
            "Basic with token",
            Auth::Raw(format!("Basic {tok}").into_bytes()),
        ),
        get(
            "Basic user:pass",
            Auth::Raw(b"Basic YWRtaW46YWRtaW4=".to_vec()),
        ),
        get(
            "Token scheme",
            Auth::Raw(format!("Token {tok}").into_bytes()),
        ),
        get("no space", Auth::Raw(format!("Bearer{tok}").into_bytes())),
        get(
            "tab separator",
            Auth::Raw(format!("Bearer\t{tok}").into_bytes()),
        ),
        get("token plus a byte", bearer(&format!("{tok}x"))),
        get("token minus a byte", bearer(&shorter)),
        get("first byte flipped", bearer(&flipped)),
        get("token upper-cased", bearer(&tok.to_uppercase())),
        get("token twice", bearer(&format!("{tok} {tok}"))),
        get("token comma token", bearer(&format!("{tok},{tok}"))),
        get("random token", bearer("4a2b6c0e8f1d3a5b7c9e0f2d4b6a8c0e")),
        get("null", bearer("null")),
        get("undefined", bearer("undefined")),
        get("asterisk", bearer("*")),
        get("percent-encoded token", bearer(&enc(&format!("{tok}=")))),
        get(
            "obs-text bytes",
            Auth::Raw(b"Bearer \xff\xfe\xfd\x80".to_vec()),
        ),
        get("10 kB token", bearer(&"A".repeat(10_000))),
        get(
            "token prefix of 10 kB",
            bearer(&format!("{tok}{}", "A".repeat(10_000))),
        ),
        get(
            "wrong header first",
            Auth::Twice(
                b"Bearer wrong".to_vec(),
                format!("Bearer {tok}").into_bytes(),
            ),
        ),
        Case::new("wrong tenant", "GET", "/wrongtenant/scim/v2/Users").expect(Expect::Status(401)),
        Case::new(
            "tenant upper-cased",
            "GET",
            format!("/{}/scim/v2/Users", ctx.run.tenant_id.to_uppercase()),
        )
        .expect(Expect::Status(401)),
        Case::new(
            "tenant with suffix",
            "GET",
            format!("/{}x/scim/v2/Users", ctx.run.tenant_id),
        )
        .expect(Expect::Status(401)),
        Case::new("empty tenant", "GET", "//scim/v2/Users").expect(Expect::Status(401)),
        // The URL parser folds `%2e%2e` into `..` and removes it: no tenant, no route.
        Case::new("dot-dot tenant", "GET", "/%2e%2e/scim/v2/Users"),
        Case::new("no auth, create", "POST", users.clone())
            .json(&user_body("intruder"))
            .auth(Auth::Missing)
            .expect(Expect::Status(401)),
        Case::new("wrong token, create", "POST", users.clone())
            .json(&user_body("intruder"))
            .auth(bearer("wrong"))
            .expect(Expect::Status(401)),
        Case::new(
            "no auth, delete user",
            "DELETE",
            ctx.t(&format!("/Users/{}", ctx.user)),
        )
        .auth(Auth::Missing)
        .expect(Expect::Status(401)),
        Case::new(
            "wrong tenant, delete user",
            "DELETE",
            format!("/wrongtenant/scim/v2/Users/{}", ctx.user),
        )
        .expect(Expect::Status(401)),
        Case::new(
            "no auth, patch group",
            "PATCH",
            ctx.t(&format!("/Groups/{}", ctx.group)),
        )
        .json(&patch_op(json!([{"op": "add", "path": "members",
                "value": [{"value": ctx.user2}]}])))
        .auth(Auth::Missing)
        .expect(Expect::Status(401)),
        Case::new(
            "wrong token, get user",
            "GET",
            ctx.t(&format!("/Users/{}", ctx.user)),
        )
        .auth(bearer(&shorter))
        .expect(Expect::Status(401)),
        Case::new(
            "no auth, ServiceProviderConfig",
            "GET",
            ctx.t("/ServiceProviderConfig"),
        )
        .auth(Auth::Missing)
        .expect(Expect::Status(401)),
    ];
    v.push(
        Case::new("no auth, unknown route", "GET", ctx.t("/Nope"))
            .auth(Auth::Missing)
            .expect(Expect::Status(401)),
    );
    v
}

fn routes(ctx: &Ctx) -> Vec<Case> {
    let u = format!("/Users/{}", ctx.user);
    let g = format!("/Groups/{}", ctx.group);
    let nf = |label: &str, method: &str, path: String| Case::new(label, method, path);
    vec![
        nf("root", "GET", "/".into()),
        nf("tenant only", "GET", format!("/{}", ctx.run.tenant_id)),
        nf(
            "scim without version",
            "GET",
            format!("/{}/scim", ctx.run.tenant_id),
        ),
        nf("scim/v2 itself", "GET", ctx.t("")),
        nf("scim/v2 slash", "GET", ctx.t("/")),
        nf("unknown resource", "GET", ctx.t("/Nope")),
        nf("lower-case users", "GET", ctx.t("/users")),
        nf(
            "scim v3",
            "GET",
            format!("/{}/scim/v3/Users", ctx.run.tenant_id),
        ),
        nf(
            "tenant after scim",
            "GET",
            format!("/scim/v2/{}/Users", ctx.run.tenant_id),
        ),
        nf("Bulk", "POST", ctx.t("/Bulk")).json(&json!({"Operations": []})),
        nf("Me", "GET", ctx.t("/Me")),
        nf(".search", "POST", ctx.t("/.search")).json(&json!({})),
        nf("Users/.search", "POST", ctx.t("/Users/.search")).json(&json!({})),
        nf("extra segment", "GET", ctx.t(&format!("{u}/extra"))),
        // One trailing slash names the item (docs/emulator.md, "Trailing slashes"); two do not.
        nf(
            "two trailing slashes on id",
            "GET",
            ctx.t(&format!("{u}//")),
        ),
        nf("PUT group", "PUT", ctx.t(&g)).json(&json!({"displayName": "X"})),
        nf("DELETE collection", "DELETE", ctx.t("/Users")),
        nf("DELETE groups collection", "DELETE", ctx.t("/Groups")),
        nf("PATCH collection", "PATCH", ctx.t("/Users"))
            .json(&patch_op(json!([{"op": "remove", "path": "title"}]))),
        nf("PUT collection", "PUT", ctx.t("/Users")).json(&user_body("x")),
        nf("POST to a user", "POST", ctx.t(&u)).json(&user_body("x")),
        nf("POST to a group", "POST", ctx.t(&g)).json(&json!({"displayName": "X"})),
        nf(
            "POST ServiceProviderConfig",
            "POST",
            ctx.t("/ServiceProviderConfig"),
        )
        .json(&json!({})),
        nf("DELETE Schemas", "DELETE", ctx.t("/Schemas")),
        nf("PUT ResourceTypes", "PUT", ctx.t("/ResourceTypes")).json(&json!({})),
        nf("OPTIONS users", "OPTIONS", ctx.t("/Users")),
        nf("TRACE users", "TRACE", ctx.t("/Users")),
        nf("custom method", "FROBNICATE", ctx.t("/Users")),
        nf("PROPFIND", "PROPFIND", ctx.t(&u)),
        nf("unknown schema", "GET", ctx.t("/Schemas/urn:nope")),
        nf("emulator unknown", "GET", "/_emulator/nope".into()),
        nf("GET on stats reset", "GET", "/_emulator/stats/reset".into()),
        nf("DELETE stats", "DELETE", "/_emulator/stats".into()),
        nf("favicon", "GET", "/favicon.ico".into()),
        nf("etc passwd", "GET", "/%2e%2e/%2e%2e/etc/passwd".into()),
    ]
}

fn ids(ctx: &Ctx) -> Vec<Case> {
    let weird = [
        ("dot-dot", "%2e%2e".to_owned()),
        ("dot", "%2e".to_owned()),
        ("encoded traversal", "..%2f..%2fetc%2fpasswd".to_owned()),
        ("NUL", "%00".to_owned()),
        ("invalid UTF-8", "%ff%fe".to_owned()),
        (
            "CRLF header injection",
            "x%0d%0aSet-Cookie:%20a=b".to_owned(),
        ),
        ("SQL quote", enc("' OR '1'='1")),
        ("SQL comment", enc("x'; DROP TABLE users; --")),
        ("LIKE wildcard", "%25".to_owned()),
        ("asterisk", "*".to_owned()),
        ("10 kB id", "a".repeat(10_000)),
        ("id with upper-case hex", ctx.user.to_uppercase()),
        ("id plus a char", format!("{}0", ctx.user)),
        ("unicode id", enc("ユーザー")),
        ("filter in id", enc("x\" or \"1\" eq \"1")),
    ];
    let mut v = Vec::new();
    for (label, id) in &weird {
        // `%2e` alone is a dot segment, which the URL parser removes: `GET /Users/%2e` goes out
        // as `GET /Users/`, a ListUsers (docs/emulator.md, "Trailing slashes"). Its DELETE is
        // still refused.
        if *label != "dot" {
            v.push(Case::new(
                format!("GET user {label}"),
                "GET",
                ctx.t(&format!("/Users/{id}")),
            ));
        }
        v.push(Case::new(
            format!("DELETE user {label}"),
            "DELETE",
            ctx.t(&format!("/Users/{id}")),
        ));
    }
    for (label, id) in weird.iter().take(6) {
        v.push(
            Case::new(
                format!("PATCH group {label}"),
                "PATCH",
                ctx.t(&format!("/Groups/{id}")),
            )
            .json(&patch_op(json!([{"op": "add", "path": "members",
                    "value": [{"value": ctx.user2}]}]))),
        );
        v.push(
            Case::new(
                format!("PUT user {label}"),
                "PUT",
                ctx.t(&format!("/Users/{id}")),
            )
            .json(&user_body("ada")),
        );
    }
    v
}

fn filters(ctx: &Ctx) -> Vec<Case> {
    let on = |res: &str, label: &str, f: &str| {
        Case::new(
            format!("{res} filter {label}"),
            "GET",
            ctx.t(&format!("/{res}?filter={}", enc(f))),
        )
        .expect(Expect::Status(400))
    };
    let raw = |label: &str, q: &str| {
        Case::new(
            format!("Users raw filter {label}"),
            "GET",
            ctx.t(&format!("/Users?filter={q}")),
        )
        .expect(Expect::Status(400))
    };
    let mut v = vec![
        on("Users", "or-injection", r#"userName eq "a" or "1" eq "1""#),
        on("Users", "or", r#"userName eq "ada" or userName eq "bob""#),
        on("Users", "co", r#"userName co "a""#),
        on("Users", "sw", r#"userName sw "a""#),
        on("Users", "ew", r#"userName ew "a""#),
        on("Users", "ne", r#"userName ne "a""#),
        on("Users", "gt", r#"userName gt "a""#),
        on("Users", "pr", "userName pr"),
        on("Users", "unquoted", "userName eq ada"),
        on("Users", "single-quoted", "userName eq 'ada'"),
        on("Users", "parenthesised", r#"(userName eq "ada")"#),
        on("Users", "not", r#"not (userName eq "ada")"#),
        on(
            "Users",
            "unsupported combination",
            r#"userName eq "ada" and externalId eq "x""#,
        ),
        on(
            "Users",
            "three clauses",
            r#"id eq "a" and manager eq "b" and userName eq "c""#,
        ),
        on(
            "Users",
            "value path",
            r#"emails[type eq "work"].value eq "x""#,
        ),
        on("Users", "displayName", r#"displayName eq "Display ada""#),
        on("Users", "password", r#"password eq "x""#),
        on(
            "Users",
            "emails.value",
            r#"emails.value eq "ada@example.com""#,
        ),
        on("Users", "unterminated", r#"userName eq "ada"#),
        on("Users", "escaped closing quote", r#"userName eq "ada\""#),
        on("Users", "bad escape", r#"userName eq "\x41""#),
        on("Users", "trailing garbage", r#"userName eq "ada" junk"#),
        on(
            "Users",
            "no space before and",
            r#"userName eq "ada"and id eq "b""#,
        ),
        on("Users", "empty", ""),
        on("Users", "spaces only", "   "),
        on("Users", "operator only", "eq"),
        on("Users", "SQL", "1=1; DROP TABLE users"),
        on("Users", "JSON", r#"{"userName":"ada"}"#),
        on(
            "Users",
            "nested parentheses",
            &format!("{}userName eq \"a\"{}", "(".repeat(1000), ")".repeat(1000)),
        ),
        on("Users", "10 kB of ands", &r#"id eq "a" and "#.repeat(700)),
        on("Groups", "userName on groups", r#"userName eq "ada""#),
        on("Groups", "members alone", r#"members eq "x""#),
        on(
            "Groups",
            "or",
            r#"displayName eq "a" or displayName eq "Engineers""#,
        ),
        on("Groups", "co", r#"displayName co "Eng""#),
        on("Groups", "id alone", r#"id eq "x""#),
        raw("invalid UTF-8", "userName%20eq%20%22%ff%22"),
        raw("control character", "userName%20eq%20%22a%01b%22"),
        raw("NUL", "userName%00eq%20%22a%22"),
        Case::new(
            "filter given twice",
            "GET",
            ctx.t(&format!(
                "/Users?filter={}&filter={}",
                enc(r#"userName eq "ada""#),
                enc(r#"userName eq "bob""#)
            )),
        )
        .expect(Expect::Status(400)),
    ];
    // A 50 kB filter (near the URI limit): a huge value is still one clause; the unsupported
    // attribute makes it a 400.
    v.push(on(
        "Users",
        "50 kB value",
        &format!("nickName eq \"{}\"", "x".repeat(50_000)),
    ));
    v
}

fn list_params(ctx: &Ctx) -> Vec<Case> {
    let q = |label: &str, query: &str| {
        Case::new(
            format!("list {label}"),
            "GET",
            ctx.t(&format!("/Users?{query}")),
        )
        .expect(Expect::Status(400))
    };
    vec![
        q("count=0", "count=0"),
        q("count=-1", "count=-1"),
        q("count=101", "count=101"),
        q("count huge", "count=99999999999999999999999"),
        q("count=abc", "count=abc"),
        q("count=1e2", "count=1e2"),
        q("count twice", "count=1&count=2"),
        q("startIndex", "startIndex=1"),
        q("sortBy", "sortBy=userName"),
        q("attributes", "attributes=userName"),
        q("excludedAttributes", "excludedAttributes=emails"),
        q("junk cursor", "cursor=!!!!"),
        q("base64 junk cursor", "cursor=aGVsbG8"),
        q(
            "forged cursor",
            "cursor=MTAwMDAwMDAwLjAwMDAwMDAwMDAwMDAwMDA",
        ),
        q("10 kB cursor", &format!("cursor={}", "A".repeat(10_000))),
        Case::new("groups count=0", "GET", ctx.t("/Groups?count=0")).expect(Expect::Status(400)),
    ]
}

fn user_bodies(ctx: &Ctx) -> Vec<Case> {
    let users = ctx.t("/Users");
    let post = |label: &str| Case::new(format!("create {label}"), "POST", users.clone());
    let with = |label: &str, f: &dyn Fn(&mut Value)| {
        let mut b = user_body("mallory");
        f(&mut b);
        post(label).json(&b)
    };
    let nested_arr = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let nested_obj = format!(
        "{{\"userName\":\"m\",\"x\":{}1{}}}",
        "{\"a\":".repeat(10_000),
        "}".repeat(10_000)
    );
    let big = format!(
        "{{\"userName\":\"m\",\"title\":\"{}\"}}",
        "x".repeat(2 * 1024 * 1024)
    );
    vec![
        post("empty body").body(Vec::new()),
        post("whitespace body").body(b"  \n\t ".to_vec()),
        post("open brace").body(b"{".to_vec()),
        post("close brace").body(b"}".to_vec()),
        post("array").body(b"[]".to_vec()),
        post("null").body(b"null".to_vec()),
        post("number").body(b"1".to_vec()),
        post("string").body(b"\"user\"".to_vec()),
        post("true").body(b"true".to_vec()),
        post("invalid UTF-8").body(b"{\"userName\":\"\xff\xfe\"}".to_vec()),
        post("UTF-16").body(
            "{\"userName\":\"m\"}"
                .encode_utf16()
                .flat_map(u16::to_le_bytes)
                .collect::<Vec<u8>>(),
        ),
        post("BOM").body(b"\xef\xbb\xbf{\"userName\":\"m\"}".to_vec()),
        post("NUL byte").body(b"{\"userName\":\"m\"}\0".to_vec()),
        post("trailing garbage").body(format!("{} xyz", user_body("mallory")).into_bytes()),
        post("two objects").body(format!("{0}{0}", user_body("mallory")).into_bytes()),
        post("deeply nested arrays").body(nested_arr.into_bytes()),
        post("deeply nested objects").body(nested_obj.into_bytes()),
        post("2 MiB body").body(big.into_bytes()),
        post("form-encoded")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(b"userName=mallory&displayName=M".to_vec()),
        post("single quotes").body(b"{'userName':'m'}".to_vec()),
        post("comment").body(b"{/*c*/\"userName\":\"m\"}".to_vec()),
        post("NaN").body(b"{\"userName\":\"m\",\"active\":NaN}".to_vec()),
        with("missing userName", &|b| {
            b.as_object_mut().unwrap().remove("userName");
        }),
        with("missing displayName", &|b| {
            b.as_object_mut().unwrap().remove("displayName");
        }),
        with("missing name", &|b| {
            b.as_object_mut().unwrap().remove("name");
        }),
        with("missing familyName", &|b| {
            b["name"] = json!({"givenName": "G"})
        }),
        with("userName number", &|b| b["userName"] = json!(1)),
        with("userName bool", &|b| b["userName"] = json!(true)),
        with("userName null", &|b| b["userName"] = Value::Null),
        with("userName array", &|b| b["userName"] = json!(["a", "b"])),
        with("userName object", &|b| b["userName"] = json!({"a": 1})),
        with("userName empty", &|b| b["userName"] = json!("")),
        with("userName spaces", &|b| b["userName"] = json!("   ")),
        with("userName with space inside", &|b| {
            b["userName"] = json!("mal lory")
        }),
        with("userName control char", &|b| {
            b["userName"] = json!("mal\u{0001}lory")
        }),
        with("userName NUL", &|b| {
            b["userName"] = json!("mal\u{0000}lory")
        }),
        with("userName newline", &|b| b["userName"] = json!("mal\nlory")),
        with("userName 129 chars", &|b| {
            b["userName"] = json!("m".repeat(129))
        }),
        with("userName 100 kB", &|b| {
            b["userName"] = json!("m".repeat(100_000))
        }),
        with("reserved userName", &|b| {
            b["userName"] = json!("Administrator")
        }),
        with("reserved userName, other case", &|b| {
            b["userName"] = json!("awsadministrators")
        }),
        with("duplicate userName", &|b| b["userName"] = json!("ADA")),
        with(
            "duplicate email",
            &|b| {
                b["emails"] = json!([{"value": "ADA@example.com", "type": "work", "primary": true}])
            },
        ),
        with("duplicate externalId", &|b| {
            b["externalId"] = json!("EXT-ada")
        }),
        with("displayName number", &|b| b["displayName"] = json!(5)),
        with("displayName empty", &|b| b["displayName"] = json!("")),
        with("displayName 1025 chars", &|b| {
            b["displayName"] = json!("d".repeat(1025))
        }),
        with("name string", &|b| b["name"] = json!("Mallory")),
        with("givenName array", &|b| {
            b["name"]["givenName"] = json!(["a"])
        }),
        with("emails string", &|b| b["emails"] = json!("m@example.com")),
        with("emails object", &|b| {
            b["emails"] = json!({"value": "m@example.com", "primary": true})
        }),
        with("emails of numbers", &|b| b["emails"] = json!([1, 2])),
        with("email value number", &|b| {
            b["emails"] = json!([{"value": 1, "primary": true}])
        }),
        with("two emails", &|b| {
            b["emails"] = json!([
                {"value": "m1@example.com", "type": "work", "primary": true},
                {"value": "m2@example.com", "type": "home", "primary": false}])
        }),
        with(
            "email not primary",
            &|b| {
                b["emails"] = json!([{"value": "m@example.com", "type": "work", "primary": false}])
            },
        ),
        with(
            "two phone numbers",
            &|b| {
                b["phoneNumbers"] =
                    json!([{"value": "1", "type": "work"}, {"value": "2", "type": "home"}])
            },
        ),
        with("phoneNumbers object", &|b| {
            b["phoneNumbers"] = json!({"value": "1"})
        }),
        with("active string", &|b| b["active"] = json!("yes")),
        with("active number", &|b| b["active"] = json!(1)),
        with("password", &|b| b["password"] = json!("hunter2")),
        with("groups", &|b| b["groups"] = json!([{"value": ctx.group}])),
        with("ims", &|b| b["ims"] = json!([{"value": "x"}])),
        with("x509Certificates", &|b| {
            b["x509Certificates"] = json!([{"value": "x"}])
        }),
        with("unknown attribute", &|b| b["isAdmin"] = json!(true)),
        with("__proto__", &|b| b["__proto__"] = json!({"admin": true})),
        with(
            "email display",
            &|b| b["emails"] = json!([{"value": "m@example.com", "primary": true, "display": "x"}]),
        ),
        with("unknown schema", &|b| b["schemas"] = json!(["urn:evil"])),
        with("schemas string", &|b| {
            b["schemas"] = json!("urn:ietf:params:scim:schemas:core:2.0:User")
        }),
        with("schemas without core", &|b| {
            b["schemas"] = json!(["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"])
        }),
        with("enterprise string", &|b| {
            b["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"] = json!("x")
        }),
        with("enterprise unknown key", &|b| {
            b["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"] = json!({"salary": 1})
        }),
        with("manager displayName", &|b| {
            b["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"] =
                json!({"manager": {"value": "x", "displayName": "Boss"}})
        }),
        with("externalId 257 chars", &|b| {
            b["externalId"] = json!("e".repeat(257))
        }),
        with("externalId number", &|b| b["externalId"] = json!(7)),
        with("title object", &|b| b["title"] = json!({"t": 1})),
    ]
}

fn user_patches(ctx: &Ctx) -> Vec<Case> {
    let path = ctx.t(&format!("/Users/{}", ctx.user));
    let p = |label: &str, body: Value| {
        Case::new(format!("patch user {label}"), "PATCH", path.clone()).json(&body)
    };
    let ops = |label: &str, ops: Value| p(label, patch_op(ops));
    vec![
        Case::new("patch user empty body", "PATCH", path.clone()).body(Vec::new()),
        Case::new("patch user not JSON", "PATCH", path.clone()).body(b"op=replace".to_vec()),
        p(
            "array body",
            json!([{"op": "replace", "path": "title", "value": "x"}]),
        ),
        p(
            "no schemas",
            json!({"Operations": [{"op": "replace", "path": "title", "value": "x"}]}),
        ),
        p(
            "wrong schemas",
            json!({"schemas": ["urn:evil"],
            "Operations": [{"op": "replace", "path": "title", "value": "x"}]}),
        ),
        p(
            "no Operations",
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}),
        ),
        ops("empty Operations", json!([])),
        p(
            "Operations object",
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": {"op": "replace", "path": "title", "value": "x"}}),
        ),
        ops(
            "op move",
            json!([{"op": "move", "path": "title", "value": "x"}]),
        ),
        ops(
            "op number",
            json!([{"op": 1, "path": "title", "value": "x"}]),
        ),
        ops("op missing", json!([{"path": "title", "value": "x"}])),
        ops(
            "path number",
            json!([{"op": "replace", "path": 5, "value": "x"}]),
        ),
        ops(
            "path a.b.c",
            json!([{"op": "replace", "path": "name.givenName.x", "value": "x"}]),
        ),
        ops(
            "path traversal",
            json!([{"op": "replace", "path": "../../etc", "value": "x"}]),
        ),
        ops(
            "path filter co",
            json!([{"op": "replace",
            "path": "emails[type co \"w\"].value", "value": "x"}]),
        ),
        ops(
            "path filter or",
            json!([{"op": "replace",
            "path": "emails[type eq \"work\" or \"1\" eq \"1\"].value", "value": "x"}]),
        ),
        ops(
            "path unknown",
            json!([{"op": "replace", "path": "password", "value": "x"}]),
        ),
        ops(
            "path id",
            json!([{"op": "replace", "path": "id", "value": "x"}]),
        ),
        ops(
            "path meta",
            json!([{"op": "replace", "path": "meta.created", "value": "x"}]),
        ),
        ops(
            "path groups",
            json!([{"op": "add", "path": "groups", "value": [{"value": ctx.group}]}]),
        ),
        ops(
            "path unknown URN",
            json!([{"op": "replace", "path": "urn:evil:title", "value": "x"}]),
        ),
        ops(
            "remove userName",
            json!([{"op": "remove", "path": "userName"}]),
        ),
        ops(
            "userName empty",
            json!([{"op": "replace", "path": "userName", "value": ""}]),
        ),
        ops(
            "userName number",
            json!([{"op": "replace", "path": "userName", "value": 1}]),
        ),
        ops(
            "userName taken",
            json!([{"op": "replace", "path": "userName", "value": "BOB"}]),
        ),
        ops(
            "externalId taken",
            json!([{"op": "replace", "path": "externalId", "value": "ext-bob"}]),
        ),
        ops(
            "email taken",
            json!([{"op": "replace", "path": "emails",
            "value": [{"value": "bob@example.com", "type": "work", "primary": true}]}]),
        ),
        ops(
            "userName twice",
            json!([
            {"op": "replace", "path": "userName", "value": "x1"},
            {"op": "replace", "path": "userName", "value": "x2"}]),
        ),
        ops(
            "active string",
            json!([{"op": "replace", "path": "active", "value": "yes"}]),
        ),
        ops(
            "second email",
            json!([{"op": "add", "path": "emails",
            "value": [{"value": "n@example.com", "type": "home"}]}]),
        ),
        ops(
            "displayName 1025",
            json!([{"op": "replace", "path": "displayName",
            "value": "d".repeat(1025)}]),
        ),
        ops("pathless remove", json!([{"op": "remove"}])),
        ops(
            "pathless replace string",
            json!([{"op": "replace", "value": "x"}]),
        ),
        ops(
            "pathless unknown key",
            json!([{"op": "replace", "value": {"password": "x"}}]),
        ),
        ops(
            "valid then invalid",
            json!([
            {"op": "replace", "path": "title", "value": "Changed"},
            {"op": "replace", "path": "userName", "value": ""}]),
        ),
        ops(
            "replace name with string",
            json!([{"op": "replace", "path": "name", "value": "x"}]),
        ),
        ops(
            "filter on non-multi",
            json!([{"op": "replace",
            "path": "title[value eq \"x\"]", "value": "x"}]),
        ),
        ops(
            "unterminated filter",
            json!([{"op": "replace", "path": "emails[type eq \"work\"",
            "value": "x"}]),
        ),
    ]
}

fn user_replace(ctx: &Ctx) -> Vec<Case> {
    let path = ctx.t(&format!("/Users/{}", ctx.user));
    let put = |label: &str, body: Value| {
        Case::new(format!("replace user {label}"), "PUT", path.clone()).json(&body)
    };
    let mut missing = user_body("ada");
    missing.as_object_mut().unwrap().remove("userName");
    let mut taken = user_body("ada");
    taken["userName"] = json!("Bob");
    let mut wrong = user_body("ada");
    wrong["active"] = json!("true");
    vec![
        Case::new("replace user empty body", "PUT", path.clone()).body(Vec::new()),
        put("missing userName", missing),
        put("userName taken", taken),
        put("active string", wrong),
        put(
            "patch body",
            patch_op(json!([{"op": "replace", "path": "title", "value": "x"}])),
        ),
        put("array", json!([user_body("ada")])),
    ]
}

fn group_bodies(ctx: &Ctx) -> Vec<Case> {
    let groups = ctx.t("/Groups");
    let post = |label: &str, body: Value| {
        Case::new(format!("create group {label}"), "POST", groups.clone()).json(&body)
    };
    let many: Vec<Value> = (0..101).map(|_| json!({"value": ctx.user})).collect();
    vec![
        Case::new("create group empty body", "POST", groups.clone()).body(Vec::new()),
        post("no displayName", json!({"externalId": "x"})),
        post("displayName number", json!({"displayName": 1})),
        post("displayName empty", json!({"displayName": ""})),
        post(
            "displayName control char",
            json!({"displayName": "a\u{0007}b"}),
        ),
        post("displayName 1025", json!({"displayName": "g".repeat(1025)})),
        post("duplicate displayName", json!({"displayName": "ENGINEERS"})),
        post(
            "unknown member",
            json!({"displayName": "New",
            "members": [{"value": "c4488478-a0e1-700e-3d75-96c6bb641596"}]}),
        ),
        post(
            "member path trick",
            json!({"displayName": "New", "members": [{"value": "../x"}]}),
        ),
        post(
            "member number",
            json!({"displayName": "New", "members": [{"value": 1}]}),
        ),
        post(
            "member display",
            json!({"displayName": "New",
            "members": [{"value": ctx.user, "display": "Ada"}]}),
        ),
        post(
            "101 members",
            json!({"displayName": "New", "members": many}),
        ),
        post(
            "unknown attribute",
            json!({"displayName": "New", "owner": "me"}),
        ),
        post(
            "members string",
            json!({"displayName": "New", "members": "x"}),
        ),
    ]
}

fn group_patches(ctx: &Ctx) -> Vec<Case> {
    let path = ctx.t(&format!("/Groups/{}", ctx.group));
    let ops = |label: &str, ops: Value| {
        Case::new(format!("patch group {label}"), "PATCH", path.clone()).json(&patch_op(ops))
    };
    let many: Vec<Value> = (0..101)
        .map(|i| json!({"value": format!("c4488478-a0e1-700e-3d75-{i:012}")}))
        .collect();
    let fifty_one: Vec<Value> = (0..51)
        .map(|i| {
            json!({"op": "add", "path": "members",
            "value": [{"value": format!("c4488478-a0e1-700e-3d75-{i:012}")}]})
        })
        .chain((0..50).map(|_| {
            json!({"op": "remove", "path": "members",
            "value": [{"value": ctx.user}]})
        }))
        .collect();
    vec![
        ops(
            "101 member changes",
            json!([{"op": "add", "path": "members", "value": many}]),
        ),
        ops("101 changes over ops", json!(fifty_one)),
        ops(
            "replace members",
            json!([{"op": "replace", "path": "members",
            "value": [{"value": ctx.user2}]}]),
        ),
        ops(
            "remove all members",
            json!([{"op": "remove", "path": "members"}]),
        ),
        ops(
            "add member number",
            json!([{"op": "add", "path": "members", "value": [{"value": 1}]}]),
        ),
        ops(
            "add members string",
            json!([{"op": "add", "path": "members", "value": "x"}]),
        ),
        ops(
            "add member traversal",
            json!([{"op": "add", "path": "members",
            "value": [{"value": "../../Users"}]}]),
        ),
        ops(
            "displayName empty",
            json!([{"op": "replace", "path": "displayName", "value": ""}]),
        ),
        ops(
            "displayName taken",
            json!([{"op": "replace", "path": "displayName", "value": "finance"}]),
        ),
        ops(
            "path id",
            json!([{"op": "replace", "path": "id", "value": "x"}]),
        ),
        ops(
            "path unknown",
            json!([{"op": "replace", "path": "owner", "value": "x"}]),
        ),
        ops("remove without path", json!([{"op": "remove"}])),
        ops(
            "member filter or",
            json!([{"op": "remove",
            "path": "members[value eq \"a\" or \"1\" eq \"1\"]"}]),
        ),
        ops(
            "valid add then invalid",
            json!([
            {"op": "add", "path": "members", "value": [{"value": ctx.user2}]},
            {"op": "replace", "path": "displayName", "value": ""}]),
        ),
    ]
}

/// Attacks inside correctly quoted values: the request is valid, so the answer is 200 with an
/// empty list; anything else would mean the value became syntax.
fn inert(ctx: &Ctx) -> Vec<Case> {
    let q = |label: &str, res: &str, f: &str| {
        Case::new(
            format!("inert {label}"),
            "GET",
            ctx.t(&format!("/{res}?filter={}", enc(f))),
        )
        .expect(Expect::EmptyList)
    };
    vec![
        q(
            "escaped or",
            "Users",
            r#"userName eq "a\" or \"1\" eq \"1""#,
        ),
        q("SQL in userName", "Users", r#"userName eq "' OR '1'='1""#),
        q(
            "SQL drop",
            "Users",
            r#"userName eq "x'; DROP TABLE users; --""#,
        ),
        q("LIKE wildcard", "Users", r#"userName eq "%""#),
        q("underscore wildcard", "Users", r#"userName eq "___""#),
        q("NUL in value", "Users", r#"userName eq "ada\u0000""#),
        q("SQL in externalId", "Users", r#"externalId eq "1 OR 1=1""#),
        q(
            "SQL in group name",
            "Groups",
            r#"displayName eq "' OR ''='""#,
        ),
        q(
            "group membership of traversal",
            "Users",
            r#"groups.value eq "../..""#,
        ),
        q("id with SQL", "Users", r#"id eq "' OR 1=1 --""#),
    ]
}
