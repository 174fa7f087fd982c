//! Users: the stored record, its public view, input rules and the D1 repository.

pub mod model;
pub mod repo;
pub mod validate;

pub use model::{Plan, Role, User, UserView};
