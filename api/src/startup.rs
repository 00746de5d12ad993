//! The one way the server starts, shared by `lacs serve` and the tests.

use std::net::TcpListener;

use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::http::header;
use actix_web::{App, HttpServer, middleware, web};
use utoipa_actix_web::{AppExt, scope};
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::config::Settings;
use crate::state::AppState;

/// A bound, ready-to-run server.
pub struct Application {
    address: std::net::SocketAddr,
    server: Server,
}

impl Application {
    /// Opens and migrates the database, seeds it if empty, loads the snapshot and binds.
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let database = settings.database.clone();
        let pool_size = settings.pool_size;
        let storage = settings.storage.clone();
        let (pool, dataset) = tokio::task::spawn_blocking(move || {
            let pool = crate::snapshot::open(&database, pool_size)?;
            let dataset = crate::snapshot::prepare(&pool, &storage)?;
            anyhow::Ok((pool, dataset))
        })
        .await??;
        let mut state = AppState::new(pool, settings.database.backend(), dataset, settings.storage.clone());
        state.public_url = settings.public_url.clone().map(|u| u.trim_end_matches('/').to_owned());
        state.limits = std::sync::Arc::new(crate::rate_limit::ClientLimits::new(settings.rate_limits));
        state.proxies = settings.proxies.clone();
        state.freshness = std::sync::Arc::new(crate::freshness::Freshness::new(settings.jobs.clone()));
        let (freshness, pool) = (state.freshness.clone(), state.pool.clone());
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
            freshness.refresh(&mut conn)?;
            anyhow::Ok(())
        })
        .await??;
        spawn_forgetter(state.limits.clone());
        crate::snapshot::spawn_reloader(state.clone(), settings.reload_interval);
        crate::notifications::spawn_listener(state.clone(), settings.database.clone());
        if settings.jobs.iter().any(|j| j.schedule.is_some()) {
            crate::scheduler::spawn(state.clone(), settings.database.clone(), settings.upstreams.clone());
        } else {
            tracing::info!("fetch scheduling is off: this server writes nothing to the database");
        }

        let listener = TcpListener::bind(&settings.bind)
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.bind))?;
        let address = listener.local_addr()?;
        let data = web::Data::new(state.clone());
        let spec = web::Data::new(crate::openapi::Spec { json: crate::openapi::document_json() });
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        let descriptors = crate::connections::raise_descriptor_limit();
        let per_worker = crate::connections::per_worker(descriptors, threads);
        tracing::info!(descriptors, connections = per_worker * threads, "open-file limit");
        let connections =
            crate::connections::Connections::new(settings.max_connections_per_client, state.proxies.clone());
        let graphql = web::Data::new(crate::graphql_http::Executor::new(threads, settings.graphql_budget)?);
        let server = HttpServer::new(move || {
            let cors = Cors::default()
                .allow_any_origin()
                .allowed_methods(["GET", "HEAD", "POST", "OPTIONS"])
                .allowed_headers([header::ACCEPT, header::CONTENT_TYPE, header::IF_NONE_MATCH])
                .expose_headers([header::ETAG, header::LINK, header::LAST_MODIFIED])
                .max_age(86_400);
            let v1 = scope("/v1")
                .configure(crate::rest::v1)
                .route("/openapi.json", web::get().to(crate::openapi::get_openapi));
            let (app, _) = App::new().into_utoipa_app().service(v1).split_for_parts();
            app.app_data(data.clone())
                .app_data(spec.clone())
                .app_data(graphql.clone())
                .app_data(web::PayloadConfig::new(crate::body::MAX_BODY_BYTES))
                .service(
                    web::resource("/graphql")
                        .route(web::get().to(crate::graphql_http::get))
                        .route(web::post().to(crate::graphql_http::post))
                        .default_service(web::to(|| async {
                            let mut response =
                                actix_web::ResponseError::error_response(&crate::error::ApiError::MethodNotAllowed);
                            response
                                .headers_mut()
                                .insert(header::ALLOW, header::HeaderValue::from_static("GET, HEAD, POST"));
                            response
                        })),
                )
                .route("/graphql/assets/{file}", web::get().to(crate::graphql_http::asset))
                .configure(crate::rest::operational)
                .route("/metrics", web::get().to(crate::metrics::get_metrics))
                .configure(crate::web::routes)
                .service(SwaggerUi::new("/docs/{_:.*}").config(Config::from("/v1/openapi.json")))
                .default_service(web::to(crate::rest::not_found))
                // Innermost first: the response cache, compression (whose bodies get weak
                // ETags), CORS, the request guard (limits, rate, HEAD), problem documents for
                // every error, the access log.
                .wrap_fn(crate::cache::middleware::<AppState, _>)
                .wrap(middleware::Compress::default())
                .wrap_fn(crate::guard::weaken_encoded_etags)
                .wrap(cors)
                .wrap_fn(crate::body::middleware)
                .wrap_fn(crate::guard::middleware)
                .wrap_fn(crate::guard::problems)
                .wrap_fn(crate::metrics::middleware)
                .wrap(middleware::Logger::new("%r %s %b %Dms").log_target("lacs::access"))
        })
        .workers(threads)
        .max_connections(per_worker)
        .client_request_timeout(crate::guard::HEAD_TIMEOUT)
        .on_connect(move |connection, data| connections.accepted(connection, data))
        .listen(listener)?
        .shutdown_timeout(10)
        .run();
        tracing::info!(%address, database = settings.database.backend(), "lacs is serving");
        Ok(Application { address, server })
    }

    /// The address actually bound (useful with port 0).
    pub fn address(&self) -> std::net::SocketAddr {
        self.address
    }

    /// Serves until SIGTERM or SIGINT, then finishes in-flight requests and stops.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Forgets idle clients of the rate limiter every minute, so its memory follows the number of
/// recent clients.
fn spawn_forgetter(limits: std::sync::Arc<crate::rate_limit::ClientLimits>) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            ticks.tick().await;
            limits.forget_idle();
        }
    });
}
