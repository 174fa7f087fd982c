//! Exchange API keys: input rules and views (model), D1 queries (repo), and the admin action
//! that re-seals every key under the current master key (rotation).

pub mod model;
pub mod repo;
pub mod rotation;
