//! Test harness: starts `wrangler dev` on free ports with a fresh temporary state, applies the
//! migrations, waits until `/health` answers, and stops the process group by its recorded pid.

mod client;
mod server;
mod simulator;

pub use client::{Client, Reply};
pub use server::{workspace_root, Server};
pub use simulator::{SimClient, Simulator};
