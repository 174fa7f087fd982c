//! Mercado Bitcoin API v4, which signs nothing with HMAC: `POST /api/v4/authorize` trades the
//! API token id and secret for a bearer token, then `GET /api/v4/accounts` gives the account id
//! and `GET /api/v4/accounts/{id}/balances` the balances; and its answers in plain words.

use serde::Deserialize;

use super::{Balance, Step, VenueReply};
use crate::http::outbound::{join, Outbound};
use crate::vault::Credentials;

const AUTHORIZE: &str = "/api/v4/authorize";
const ACCOUNTS: &str = "/api/v4/accounts";

pub fn authorize_request(base_url: &str, credentials: &Credentials) -> Outbound {
    let body = serde_json::json!({"login": credentials.api_key, "password": credentials.secret_key});
    Outbound::post(join(base_url, AUTHORIZE), "application/json", body.to_string()).header("accept", "application/json")
}

fn bearer_get(url: String, token: &str) -> Outbound {
    Outbound::get(url).header("authorization", format!("Bearer {token}")).header("accept", "application/json")
}

pub fn first_step(base_url: &str, credentials: &Credentials) -> Step {
    let base = base_url.to_string();
    Step::Send(
        authorize_request(&base, credentials),
        Box::new(move |status, body| {
            let token = match read::<Token>(status, body) {
                Ok(token) => token.access_token,
                Err(refusal) => return Step::Done(refusal),
            };
            let accounts = bearer_get(join(&base, ACCOUNTS), &token);
            Step::Send(
                accounts,
                Box::new(move |status, body| {
                    let account = match read::<Vec<Account>>(status, body).map(|list| list.into_iter().next()) {
                        Ok(Some(account)) => account,
                        Ok(None) => {
                            return Step::Done(VenueReply::Refused(
                                "Mercado Bitcoin lists no account for this key".into(),
                            ))
                        }
                        Err(refusal) => return Step::Done(refusal),
                    };
                    let url = join(&base, &format!("{ACCOUNTS}/{}/balances", account.id));
                    Step::once(bearer_get(url, &token), read_balances)
                }),
            )
        }),
    )
}

#[derive(Deserialize)]
struct Token {
    access_token: String,
}

#[derive(Deserialize)]
struct Account {
    id: String,
}

#[derive(Deserialize)]
struct Line {
    symbol: String,
    available: String,
    on_hold: String,
}

#[derive(Deserialize)]
struct ErrorBody {
    code: String,
    #[serde(default)]
    message: String,
}

fn read<T: for<'a> Deserialize<'a>>(status: u16, body: &str) -> Result<T, VenueReply> {
    if (200..300).contains(&status) {
        return serde_json::from_str(body).map_err(|_| {
            VenueReply::Refused("Mercado Bitcoin answered with a document Auronex could not read".into())
        });
    }
    let Ok(error) = serde_json::from_str::<ErrorBody>(body) else {
        return Err(VenueReply::Refused(match status {
            401 | 403 => "Mercado Bitcoin refused the API token id or secret".into(),
            _ => super::unreadable("Mercado Bitcoin", status),
        }));
    };
    // Codes may come namespaced (`API|FORBIDDEN`); the last part names the error.
    let code = error.code.rsplit('|').next().unwrap_or("");
    Err(VenueReply::Refused(match code {
        "FORBIDDEN" | "UNAUTHORIZED" | "INVALID_CREDENTIALS" => {
            "Mercado Bitcoin refused the API token id or secret: they do not belong together".into()
        }
        "INVALID_ACCESS" => "Mercado Bitcoin refused: the key lacks the permission to read balances".into(),
        "REQUEST_RATE_EXCEEDED" | "REQUEST_DENIED" | "REQUEST_BLOCKED" => super::rate_limited("Mercado Bitcoin"),
        _ => format!(
            "Mercado Bitcoin refused the request ({}): {}",
            super::clip(&error.code),
            super::clip(&error.message)
        ),
    }))
}

pub fn read_balances(status: u16, body: &str) -> VenueReply {
    match read::<Vec<Line>>(status, body) {
        Ok(lines) => VenueReply::Balances(
            lines.iter().filter_map(|line| Balance::parse(&line.symbol, &line.available, &line.on_hold)).collect(),
        ),
        Err(refusal) => refusal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::venues::header;

    #[test]
    fn authorize_then_accounts_then_balances_with_the_bearer_token() {
        let credentials = Credentials { api_key: "mb-id".into(), secret_key: "mb-secret".into(), passphrase: None };
        let Step::Send(authorize, read) = first_step("https://api.mercadobitcoin.net", &credentials) else {
            panic!("authorize first")
        };
        assert_eq!(
            (authorize.method, authorize.url.as_str()),
            ("POST", "https://api.mercadobitcoin.net/api/v4/authorize")
        );
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(authorize.body.as_deref().unwrap()).unwrap(),
            serde_json::json!({"login": "mb-id", "password": "mb-secret"})
        );
        let Step::Send(accounts, read) = read(200, include_str!("../../fixtures/mercadobitcoin/api_v4_authorize.json"))
        else {
            panic!("then the accounts")
        };
        assert_eq!(accounts.url, "https://api.mercadobitcoin.net/api/v4/accounts");
        assert_eq!(header(&accounts, "authorization"), Some("Bearer 01GF442ATTVP4M6M0XGHQYT544"));
        let Step::Send(balances, read) = read(200, include_str!("../../fixtures/mercadobitcoin/api_v4_accounts.json"))
        else {
            panic!("then the balances")
        };
        assert_eq!(
            balances.url,
            "https://api.mercadobitcoin.net/api/v4/accounts/a322205ace882ef800553118e5000066/balances"
        );
        let Step::Done(VenueReply::Balances(found)) =
            read(200, include_str!("../../fixtures/mercadobitcoin/api_v4_accounts_id_balances.json"))
        else {
            panic!("balances expected")
        };
        assert_eq!(found.len(), 2, "the zero ETH line is dropped");
        assert_eq!(found[1], Balance { asset: "BTC".into(), free: 0.5, locked: 0.01 });
    }

    #[test]
    fn rejected_credentials_in_plain_words() {
        let credentials = Credentials { api_key: "mb-id".into(), secret_key: "wrong".into(), passphrase: None };
        let Step::Send(_, read) = first_step("https://api.mercadobitcoin.net", &credentials) else { panic!() };
        let Step::Done(VenueReply::Refused(message)) =
            read(403, include_str!("../../fixtures/mercadobitcoin/error_FORBIDDEN.json"))
        else {
            panic!("refusal expected")
        };
        assert!(message.contains("token id or secret"), "{message}");
        assert!(
            matches!(read_balances(401, r#"{"code":"API|FORBIDDEN","message":"x"}"#), VenueReply::Refused(m) if m.contains("token id"))
        );
    }
}
