//! Finding the stable code of an error from the core in a chain of causes (what the CLI prints
//! as `error[CODE]`).

use crate::catalog::{CatalogError, LoadError as CatalogLoadError};
use crate::interop::ImportError;
use crate::model::LoadError;
use crate::store::StoreError;

use super::error::{AppError, ErrorCode, catalog_code, import_code, load_code, store_code};
use super::review::{ReviewError, review_code};

/// The code of an error from the core, wherever it sits in a chain of causes: an
/// [`AppError`]'s own, or the code the application layer gives a store, review, model,
/// import or catalog error. `None` for an error from outside the core.
pub fn code_of(err: &(dyn std::error::Error + 'static)) -> Option<ErrorCode> {
    let mut next = Some(err);
    while let Some(e) = next {
        if let Some(e) = e.downcast_ref::<AppError>() {
            return Some(e.code);
        }
        if let Some(e) = e.downcast_ref::<StoreError>() {
            return Some(store_code(e));
        }
        if let Some(e) = e.downcast_ref::<ReviewError>() {
            return Some(match e {
                ReviewError::Store(s) => store_code(s),
                other => review_code(other),
            });
        }
        if let Some(e) = e.downcast_ref::<LoadError>() {
            return Some(load_code(e));
        }
        if let Some(e) = e.downcast_ref::<ImportError>() {
            return Some(import_code(e));
        }
        if let Some(e) = e.downcast_ref::<CatalogLoadError>() {
            return Some(catalog_code(e));
        }
        if e.downcast_ref::<CatalogError>().is_some() {
            return Some(ErrorCode::InvalidCatalog);
        }
        next = e.source();
    }
    None
}
