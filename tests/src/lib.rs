//! Test harness: starts `wrangler dev` on free ports with a fresh temporary state, applies the
//! migrations, waits until `/health` answers, and stops the process group by its recorded pid.

mod accounts;
pub mod books_model;
mod client;
mod d1;
mod server;
mod simulator;
mod socket;
pub mod standins;

pub use accounts::{admin_token, sign_token, unique_email, Account, ADMIN_EMAIL, ADMIN_PASSWORD, JWT_SECRET};
pub use client::{Client, Reply};

pub use server::{workspace_root, Server};
pub use simulator::{auronex_binary, SimClient, Simulator};
pub use socket::Socket;
pub use standins::standins;
