//! `auronex copier follow|master`: the trade copier's client programs (the seed's Python
//! `client copier` and `master sender`), talking to the Auronex copier API.

mod api;
mod apply;
mod backoff;
mod config;
mod executor;
mod follow;
mod logfile;
mod master;
mod store;

use std::path::PathBuf;

use clap::{Args, Subcommand};

#[derive(Debug, Args)]
pub struct CopierArgs {
    #[command(subcommand)]
    command: CopierCommand,
}

#[derive(Debug, Subcommand)]
enum CopierCommand {
    /// Copy a channel's signals into a local executor (paper account or JSON-lines bridge).
    Follow {
        /// The follower's config (the seed's config_client.json format plus `executor`).
        #[arg(long, default_value = "config_client.json")]
        config: PathBuf,
    },
    /// Post the master's order events (JSON lines from a followed file or stdin) to the channel.
    Master {
        /// The sender's config (the seed's config_sender.json format plus `source`).
        #[arg(long, default_value = "config_sender.json")]
        config: PathBuf,
    },
}

/// How a copier program stops: a config mistake (exit 2, like a usage error) or a runtime one.
pub enum Failure {
    Config(String),
    Runtime(String),
}

pub fn run(args: CopierArgs) -> Result<(), Failure> {
    match args.command {
        CopierCommand::Follow { config } => follow::run(&config),
        CopierCommand::Master { config } => master::run(&config),
    }
}
