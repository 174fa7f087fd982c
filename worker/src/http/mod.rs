//! HTTP plumbing shared by every resource: routing, errors, bodies, logging.

pub mod body;
pub mod cors;
pub mod error;
pub mod outbound;
pub mod router;
pub mod visitors;

pub use error::{ApiError, ApiResult};
