//! The one way the server starts, shared by `lacs serve` and the tests.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::{App, HttpServer, middleware, web};

use crate::config::Settings;
use crate::state::AppState;

/// A bound, ready-to-run server.
pub struct Application {
    address: std::net::SocketAddr,
    server: Server,
    state: AppState,
}

impl Application {
    /// Opens and migrates the database, seeds it if empty, loads the snapshot and binds.
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let database = settings.database.clone();
        let pool_size = settings.pool_size;
        let (pool, dataset) = tokio::task::spawn_blocking(move || {
            let pool = crate::db::open(&database, pool_size)?;
            let dataset = crate::db::prepare(&pool)?;
            anyhow::Ok((pool, dataset))
        })
        .await??;
        let state = AppState::new(pool, settings.database.backend(), dataset);
        crate::db::spawn_reloader(state.clone(), settings.reload_interval);

        let listener = TcpListener::bind(&settings.bind)
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.bind))?;
        let address = listener.local_addr()?;
        let data = web::Data::new(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .wrap(middleware::Compress::default())
                .wrap(middleware::Logger::new("%r %s %b %Dms").log_target("lacs::access"))
                .configure(crate::rest::configure)
        })
        .listen(listener)?
        .shutdown_timeout(10)
        .run();
        tracing::info!(%address, database = settings.database.backend(), "lacs is serving");
        Ok(Application { address, server, state })
    }

    /// The address actually bound (useful with port 0).
    pub fn address(&self) -> std::net::SocketAddr {
        self.address
    }

    /// The shared state.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until SIGTERM or SIGINT, then finishes in-flight requests and stops.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
