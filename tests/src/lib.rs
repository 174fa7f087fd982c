//! Test harness: starts `wrangler dev` on free ports with a fresh temporary state, applies the
//! migrations, waits until `/health` answers, and stops the process group by its recorded pid.

mod client;
mod server;

pub use client::{Client, Reply};
pub use server::Server;
