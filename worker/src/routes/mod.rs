//! The route table: every path the Worker answers, in one place. The OpenAPI document must
//! list each of them (tested below).

mod admin;
mod admin_bots;
mod api_keys;
mod auth;
mod backtests;
mod bot_channel;
mod bots;
mod copier;
mod copier_members;
mod cotacao;
mod exchanges;
mod health;
mod market;
mod market_history;
mod market_params;
mod notifications;
mod openapi;
mod payments;
mod signals;
mod stream;
mod trades;
mod users;
mod wallet;
mod ws;

use crate::app::{Handler, HandlerFuture};
use crate::http::router::Router;

/// Turns an `async fn(Ctx) -> ApiResult<Response>` into a table entry.
macro_rules! handler {
    ($path:path) => {
        |ctx| -> HandlerFuture { Box::pin($path(ctx)) }
    };
}

pub fn table() -> Router<Handler> {
    Router::<Handler>::default()
        .route("GET", "/health", handler!(health::get))
        .route("GET", "/api/openapi.json", handler!(openapi::get))
        .route("GET", "/ws", handler!(ws::connect))
        // accounts
        .route("POST", "/api/auth/register", handler!(auth::register))
        .route("POST", "/api/auth/login", handler!(auth::login))
        .route("POST", "/api/auth/refresh", handler!(auth::refresh))
        .route("POST", "/api/auth/logout", handler!(auth::logout))
        .route("GET", "/api/auth/me", handler!(auth::me))
        .route("POST", "/api/auth/password", handler!(auth::change_password))
        .route("POST", "/token", handler!(users::token))
        .route("POST", "/users/public", handler!(users::create_public))
        .route("POST", "/users", handler!(users::create_by_admin))
        // copier
        .route("POST", "/api/copier/channels", handler!(copier::create_channel))
        .route("GET", "/api/copier/channels", handler!(copier::list_channels))
        .route("GET", "/api/copier/channels/{id}/signals", handler!(copier::history))
        .route("GET", "/api/copier/channels/{id}/signals/{seq}/deliveries", handler!(copier::deliveries))
        .route("DELETE", "/api/copier/channels/{id}", handler!(copier_members::delete_channel))
        .route("POST", "/api/copier/channels/{id}/invite", handler!(copier_members::rotate_invite))
        .route("GET", "/api/copier/channels/{id}/followers", handler!(copier_members::followers))
        .route("DELETE", "/api/copier/channels/{id}/followers/{user_id}", handler!(copier_members::remove_follower))
        .route("DELETE", "/api/copier/channels/{id}/removed/{user_id}", handler!(copier_members::lift_removal))
        .route("POST", "/api/copier/subscriptions", handler!(copier::subscribe))
        .route("DELETE", "/api/copier/subscriptions/{channel_id}", handler!(copier_members::unsubscribe))
        .route("POST", "/users/config", handler!(copier::set_default_config))
        .route("POST", "/signal/broadcast", handler!(signals::broadcast))
        .route("POST", "/signal/close", handler!(signals::close))
        .route("POST", "/signal/modify", handler!(signals::modify))
        // market data
        .route("GET", "/api/exchanges", handler!(exchanges::list))
        .route("GET", "/api/exchange/symbols", handler!(exchanges::symbols))
        .route("GET", "/api/market/candles", handler!(market::candles))
        .route("GET", "/api/market/history", handler!(market_history::history))
        .route("POST", "/api/backtests", handler!(backtests::create))
        .route("GET", "/api/market/top-gainers", handler!(market::top_gainers))
        .route("GET", "/api/market/quotes", handler!(market::quotes))
        .route("GET", "/api/cotacao/usd-brl", handler!(cotacao::usd_brl))
        // exchange API keys
        .route("GET", "/api/api-keys", handler!(api_keys::list))
        .route("POST", "/api/api-keys", handler!(api_keys::create))
        .route("DELETE", "/api/api-keys/{id}", handler!(api_keys::delete))
        .route("POST", "/api/api-keys/{id}/test", handler!(api_keys::test))
        // admin back office
        .route("GET", "/api/admin/bots/all", handler!(admin_bots::list_all))
        .route("DELETE", "/api/admin/bots/{id}", handler!(admin_bots::delete))
        .route("PATCH", "/api/admin/bots/{id}/toggle", handler!(admin_bots::toggle))
        .route("GET", "/api/admin/users", handler!(admin::list_users))
        .route("PATCH", "/api/admin/users/{id}", handler!(admin::update_user))
        .route("GET", "/api/admin/payments", handler!(admin::list_payments))
        .route("GET", "/api/admin/settings", handler!(admin::get_settings))
        .route("PUT", "/api/admin/settings", handler!(admin::put_settings))
        .route("GET", "/api/admin/audit", handler!(admin::list_audit))
        .route("POST", "/api/admin/vault/rotate", handler!(admin::rotate_vault))
        // payments
        .route("POST", "/api/payments/create-checkout", handler!(payments::create_checkout))
        .route("POST", "/api/payments/webhook", handler!(payments::stripe_webhook))
        .route("POST", "/api/payments/pix/create", handler!(payments::pix_create))
        .route("POST", "/api/payments/pix/webhook", handler!(payments::pix_webhook))
        .route("GET", "/api/payments/subscription", handler!(payments::subscription))
        .route("POST", "/api/payments/subscription/cancel", handler!(payments::cancel_subscription))
        .route("POST", "/api/payments/subscription/resume", handler!(payments::resume_subscription))
        .route("POST", "/api/payments/subscription/plan", handler!(payments::change_plan))
        .route("POST", "/api/payments/portal", handler!(payments::portal))
        // bots and paper trading
        .route("GET", "/api/bots", handler!(bots::list))
        .route("POST", "/api/bots", handler!(bots::create))
        .route("GET", "/api/bots/{id}", handler!(bots::get))
        .route("PUT", "/api/bots/{id}", handler!(bots::update))
        .route("DELETE", "/api/bots/{id}", handler!(bots::delete))
        .route("PATCH", "/api/bots/{id}/toggle", handler!(bots::toggle))
        .route("POST", "/api/bots/{id}/clone", handler!(bots::clone))
        .route("GET", "/api/bots/{id}/stats", handler!(bots::stats))
        .route("GET", "/api/bots/{id}/channel", handler!(bot_channel::get))
        .route("PUT", "/api/bots/{id}/channel", handler!(bot_channel::put))
        .route("DELETE", "/api/bots/{id}/channel", handler!(bot_channel::delete))
        .route("GET", "/api/trades", handler!(trades::list))
        .route("GET", "/api/trades/today", handler!(trades::today))
        .route("GET", "/api/trades/stats", handler!(trades::stats))
        .route("GET", "/api/trades/equity", handler!(trades::equity))
        .route("GET", "/api/trades/month", handler!(trades::month))
        .route("POST", "/api/trades/{id}/close", handler!(trades::close))
        .route("GET", "/api/bot-activity/recent", handler!(trades::activity))
        .route("GET", "/api/exchange/balance", handler!(wallet::balance))
        .route("GET", "/api/dashboard/summary", handler!(wallet::summary))
        // live updates and notifications
        .route("GET", "/api/stream", handler!(stream::connect))
        .route("GET", "/api/notifications/telegram", handler!(notifications::get))
        .route("DELETE", "/api/notifications/telegram", handler!(notifications::delete))
        .route("POST", "/api/notifications/telegram/link", handler!(notifications::link))
        .route("POST", "/api/notifications/telegram/verify", handler!(notifications::verify))
        .route("POST", "/api/notifications/telegram/test", handler!(notifications::test))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_in_the_openapi_document() {
        let document: serde_json::Value = serde_json::from_str(openapi::DOCUMENT).expect("openapi.json is JSON");
        assert!(document["openapi"].as_str().unwrap().starts_with("3."));
        for route in table().routes() {
            let operation = &document["paths"][route.pattern][route.method.to_lowercase()];
            assert!(operation.is_object(), "{} {} is missing from openapi.json", route.method, route.pattern);
            assert!(operation["responses"].is_object(), "{} {} has no responses", route.method, route.pattern);
        }
    }

    /// Every JSON body can be malformed (400), too large (413) or of another type (415).
    #[test]
    fn every_operation_with_a_body_documents_the_body_errors() {
        let document: serde_json::Value = serde_json::from_str(openapi::DOCUMENT).unwrap();
        for (path, operations) in document["paths"].as_object().unwrap() {
            for (method, operation) in operations.as_object().unwrap() {
                if operation.get("requestBody").is_some() {
                    for status in ["400", "413", "415"] {
                        assert!(
                            operation["responses"][status].is_object(),
                            "{method} {path} does not document {status}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_openapi_document_lists_nothing_that_is_not_routed() {
        let document: serde_json::Value = serde_json::from_str(openapi::DOCUMENT).unwrap();
        let router = table();
        for (path, operations) in document["paths"].as_object().unwrap() {
            for method in operations.as_object().unwrap().keys() {
                let routed = router.routes().any(|r| r.pattern == path && r.method.eq_ignore_ascii_case(method));
                assert!(routed, "openapi.json lists {method} {path}, which no route serves");
            }
        }
    }
}
