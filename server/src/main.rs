use anyhow::Context;
use clap::Parser;
use server::cli::{Cli, Command, LogFormat, TokenCommand, UserCommand};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Settings from a file are defaults: real environment variables win.
    // A named file must be read (a quiet fallback would open ./data); a
    // missing .env is normal.
    match server::cli::env_file_in(std::env::args_os()) {
        Some(file) => server::cli::read_env_file(&file, "the --env-file")?,
        None if std::path::Path::new(".env").exists() => server::cli::read_env_file(".env".as_ref(), "the .env file")?,
        None => {}
    }
    let cli = Cli::parse();
    let filter =
        EnvFilter::try_new(&cli.log).with_context(|| format!("--log / VELLUM_LOG: cannot read \"{}\"", cli.log))?;
    let logs = tracing_subscriber::fmt().with_env_filter(filter);
    // An import prints a report that people and scripts read: its logs go
    // to standard error. The server's log stays on standard output, where
    // service managers and the guide look for it.
    let to_stderr = matches!(cli.command, Command::Import(_));
    match (cli.log_format, to_stderr) {
        (LogFormat::Text, false) => logs.init(),
        (LogFormat::Text, true) => logs.with_writer(std::io::stderr).init(),
        // One JSON object a line, its fields at the top level beside
        // `message`, as log collectors index them.
        (LogFormat::Json, false) => logs.json().flatten_event(true).init(),
        (LogFormat::Json, true) => logs.json().flatten_event(true).with_writer(std::io::stderr).init(),
    }

    match cli.command {
        Command::Migrate(database) => {
            let (store, migrated) = server::open_store(&database).await?;
            // Done here, before the servers start, so that they read every
            // live text's stored render from their first request.
            let rendered = server::renders::backfill(store.as_ref()).await;
            store.close().await;
            let rendered = rendered?;
            if rendered > 0 {
                tracing::info!(rendered, "stored the renders of live texts");
            }
            let what = if migrated.fresh { "created" } else { "up to date" };
            tracing::info!("database schema {what}");
        }
        Command::User(UserCommand::Add(args)) => {
            server::users::add(&args).await?;
        }
        Command::User(UserCommand::Password(args)) => {
            server::users::set_password(&args).await?;
        }
        Command::User(UserCommand::ResetTwoFactor(args)) => {
            server::users::reset_two_factor(&args).await?;
        }
        Command::Token(TokenCommand::Add(args)) => {
            server::users::add_token(&args).await?;
        }
        Command::Backup(args) => server::backup::backup(&args).await?,
        Command::Restore(args) => server::backup::restore(&args).await?,
        Command::Export(args) => server::export::export(&args).await?,
        Command::Import(command) => server::import::run(&command).await?,
        Command::Serve(args) => {
            let state = server::prepare(&args, None).await?;
            let cleanup = server::spawn_session_cleanup(&state);
            let scheduler = server::spawn_scheduler(&state);
            let renders = server::renders::spawn_backfill(&state);
            let webhooks = server::webhooks::spawn_worker(&state)?;
            let mail = server::mail::spawn_if_on(&state)?;
            let listener = tokio::net::TcpListener::bind(args.addr)
                .await
                .with_context(|| format!("cannot listen on {}", args.addr))?;
            let addr = listener.local_addr()?;
            let metrics = match args.metrics_addr {
                Some(at) => {
                    let (_, task) = server::metrics::spawn_listener(at, &state, server::shutdown_signal()).await?;
                    Some(task)
                }
                None => None,
            };
            tracing::info!("Vellum is listening on http://{addr}");
            let router = server::router(state.clone());
            server::serve(listener, router, server::shutdown_signal()).await?;
            cleanup.abort();
            scheduler.abort();
            renders.abort();
            webhooks.abort();
            if let Some(mail) = mail {
                mail.abort();
            }
            if let Some(metrics) = metrics {
                metrics.abort();
            }
            state.store.close().await;
            tracing::info!("stopped");
        }
    }
    Ok(())
}
