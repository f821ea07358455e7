//! Load generator for mini-discord, and the bare broadcast server it is compared with.
//!
//! `loadgen run --target app …` signs up and logs in N users through the real HTTP endpoints,
//! opens N WebSockets, sends at a fixed total rate from S senders for T seconds and reports what
//! arrived, how late, and the server's memory. `loadgen reference` is a minimal
//! tokio-tungstenite broadcast server (no auth, no storage): `--target reference` drives it with
//! the same generator, so every figure has a "best this machine can do" beside it.

mod cpu;
mod idle;
mod page;
mod payload;
mod reference;
mod run;
mod stats;
mod wire;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "loadgen", about = "Load generator for mini-discord")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate load against the app or the reference server.
    Run(run::Options),
    /// Hold many idle logged-in sockets open and report the server's memory per socket.
    Idle(idle::Options),
    /// Time the room page and older history pages of one room.
    Page(page::Options),
    /// Serve the reference: every text frame sent to ws://ADDR/ROOM goes to everyone on that path.
    Reference {
        #[arg(long, default_value = "127.0.0.1:4000")]
        addr: std::net::SocketAddr,
        /// Share the rooms with other reference processes through this Redis (redis://…).
        #[arg(long)]
        redis: Option<String>,
    },
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(options) => run::run(options).await,
        Command::Idle(options) => idle::run(options).await,
        Command::Page(options) => page::run(options).await,
        Command::Reference { addr, redis } => reference::serve(addr, redis.as_deref()).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("loadgen: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}
