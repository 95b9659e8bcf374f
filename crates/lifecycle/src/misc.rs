//! The two commands that are not about a user or a group: `get-mapping-fields` (no request) and
//! `test-module` (one request to ServiceProviderConfig, which needs a valid token and tenant —
//! the seed's "Test" button).
//!
//! `get-mapping-fields` prints the seed's document: XSOAR's mapping-fields response, a list with
//! one object per mapping type — the seed's only type, "User Profile" — mapping each field to
//! its description (`[{"User Profile": {"userName": "…", …}}]`). Its fields are the AWS user
//! attributes a mapper can target ([`crate::mapper::fields`]); the human table adds their type
//! and the profile field the built-in mapper feeds each from. `test-module`'s document is
//! aws-ilm's (the seed prints only "ok"): `{"TestModule": {...}}`.

use serde_json::{Map, Value, json};

use crate::Ilm;
use crate::error::{IlmError, classify};
use crate::mapper::mapping_fields as fields;
use crate::outcome::{BRAND, HumanTable, Outcome, Status};
use crate::table::Columns;

/// The XSOAR mapping type the seed's fields are listed under.
const MAPPING_TYPE: &str = "User Profile";

pub(crate) fn mapping_fields(ilm: &Ilm) -> Outcome {
    let fields = fields();
    let rows = fields
        .iter()
        .map(|f| {
            vec![
                f.path.clone(),
                f.kind.to_owned(),
                f.description.to_owned(),
                f.builtin_source.unwrap_or("").to_owned(),
            ]
        })
        .collect();
    let described: Map<String, Value> = fields
        .iter()
        .map(|f| (f.path.clone(), json!(f.description)))
        .collect();
    let _ = ilm;
    Outcome {
        status: Status::Success,
        context: json!([{ MAPPING_TYPE: described }]),
        human: HumanTable {
            title: "AWS-ILM Mapping Fields".into(),
            headers: ["field", "type", "description", "builtinSource"]
                .map(str::to_owned)
                .to_vec(),
            rows,
        },
        more: Vec::new(),
    }
}

pub(crate) async fn test_module(ilm: &Ilm) -> Result<Outcome, IlmError> {
    let instance = ilm.settings().instance_name.clone();
    let (status, code, message) = match ilm.client().service_provider_config().await {
        Ok(_) => (Status::Success, None, None),
        Err(e) => {
            let f = classify(e)?;
            (Status::Failed, f.code, Some(f.message))
        }
    };
    let doc = json!({
        "brand": BRAND, "instanceName": instance, "success": status == Status::Success,
        "errorCode": code, "errorMessage": message,
    });
    let human = HumanTable::from_document("Test Module (AWS-ILM)", &doc, Columns::All);
    Ok(Outcome {
        status,
        context: json!({"TestModule": doc}),
        human,
        more: Vec::new(),
    })
}
