//! What the operations on one resource by id share between users and groups: the id check, the
//! read (GetUser, GetGroup) and the delete (DeleteUser, DeleteGroup). The two kinds differ there
//! only in their table and in the sentence of their 404 (docs/emulator.md, "The API it answers":
//! Operations, Ids).

use axum::http::StatusCode;
use rusqlite::Connection;

use crate::error::ApiError;
use crate::state::App;
use crate::store::{StoreError, groups, users};

/// A resource kind as the operations on one resource see it.
pub struct Kind {
    get: fn(&Connection, &str) -> Result<Option<String>, StoreError>,
    delete: fn(&Connection, &str) -> Result<bool, StoreError>,
    not_found: fn(&str) -> ApiError,
}

pub static USERS: Kind = Kind {
    get: users::get,
    delete: users::delete,
    not_found: ApiError::user_not_found,
};

pub static GROUPS: Kind = Kind {
    get: groups::get,
    delete: groups::delete,
    not_found: ApiError::group_not_found,
};

impl Kind {
    /// Ids in paths that AWS could never have issued are simply not found.
    pub fn check_id(&self, id: &str) -> Result<(), ApiError> {
        if crate::ids::is_valid(id) {
            Ok(())
        } else {
            Err((self.not_found)(id))
        }
    }

    /// The stored body. The read takes no parameter: list parameters are a 400, never ignored
    /// (docs/emulator.md, decision 2), and checked before the id.
    pub fn get(&self, app: &App, id: &str, query: Option<&str>) -> Result<String, ApiError> {
        crate::paging::refuse_list_params(query)?;
        self.check_id(id)?;
        app.store
            .read(|c| (self.get)(c, id).map_err(ApiError::from))?
            .ok_or_else(|| (self.not_found)(id))
    }

    /// 204 once the resource is gone (its memberships go with it, by the schema's cascade), 404
    /// when there was none.
    pub async fn delete(&self, app: &App, id: String) -> Result<StatusCode, ApiError> {
        self.check_id(&id)?;
        let (delete, not_found) = (self.delete, self.not_found);
        app.store
            .write(move |tx| {
                if delete(tx, &id)? {
                    Ok(StatusCode::NO_CONTENT)
                } else {
                    Err(not_found(&id))
                }
            })
            .await
    }
}
