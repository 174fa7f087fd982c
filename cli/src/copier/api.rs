//! The copier programs' HTTP side: `POST /token` for a bearer token (form fields `username`,
//! `password`, as the seed's clients sent), `POST /api/copier/subscriptions`, `POST /signal/*`.
//! Every reply comes back with its status; the callers decide what to retry.

use std::time::Duration;

use serde_json::Value;

pub struct Api {
    base: String,
    username: String,
    password: String,
    agent: ureq::Agent,
    token: Option<String>,
}

#[derive(Debug)]
pub enum CallError {
    /// No answer (connection refused, timeout): worth retrying.
    Unreachable(String),
    /// The server refused the credentials: retrying will not help.
    LoginRefused(String),
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unreachable(reason) | Self::LoginRefused(reason) => f.write_str(reason),
        }
    }
}

pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Reply {
    pub fn error_text(&self) -> String {
        let error = &self.body["error"];
        match (error["code"].as_str(), error["message"].as_str()) {
            (Some(code), Some(message)) => match error["field"].as_str() {
                Some(field) => format!("{} {code} ({field}): {message}", self.status),
                None => format!("{} {code}: {message}", self.status),
            },
            _ => format!("{} {}", self.status, self.body),
        }
    }
}

impl Api {
    pub fn new(config: &super::config::Api) -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(20)))
            .build()
            .new_agent();
        Self {
            base: config.url.trim_end_matches('/').to_string(),
            username: config.username.clone(),
            password: config.password.clone(),
            agent,
            token: None,
        }
    }

    fn reply(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>, url: &str) -> Result<Reply, CallError> {
        let unreachable = |e: ureq::Error| CallError::Unreachable(format!("{url}: {e}"));
        let mut response = result.map_err(unreachable)?;
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().map_err(unreachable)?;
        Ok(Reply { status, body: serde_json::from_str(&text).unwrap_or(Value::String(text)) })
    }

    /// Logs in and keeps the token. A throttled or failing server is `Unreachable` (retry);
    /// wrong credentials are `LoginRefused`.
    pub fn login(&mut self) -> Result<String, CallError> {
        let url = format!("{}/token", self.base);
        let form = [("username", self.username.as_str()), ("password", self.password.as_str())];
        let reply = Self::reply(self.agent.post(&url).send_form(form), &url)?;
        let refused = format!("login as {}: {}", self.username, reply.error_text());
        match reply.status {
            200 => {}
            429 | 500.. => return Err(CallError::Unreachable(refused)),
            _ => return Err(CallError::LoginRefused(refused)),
        }
        let token = reply.body["access_token"]
            .as_str()
            .ok_or_else(|| CallError::Unreachable("login answered without an access_token".into()))?
            .to_string();
        self.token = Some(token.clone());
        Ok(token)
    }

    pub fn token(&mut self) -> Result<String, CallError> {
        match &self.token {
            Some(token) => Ok(token.clone()),
            None => self.login(),
        }
    }

    pub fn forget_token(&mut self) {
        self.token = None;
    }

    /// `POST {path}` with the bearer token; a `401` logs in again once and retries.
    pub fn post(&mut self, path: &str, body: &Value) -> Result<Reply, CallError> {
        let url = format!("{}{path}", self.base);
        for attempt in 0..2 {
            let token = self.token()?;
            let request = self.agent.post(&url).header("authorization", &format!("Bearer {token}"));
            let reply = Self::reply(request.send_json(body), &url)?;
            if reply.status == 401 && attempt == 0 {
                self.forget_token();
                continue;
            }
            return Ok(reply);
        }
        unreachable!("the loop returns on its second attempt")
    }
}
