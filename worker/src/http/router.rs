//! Path routing: a table of (method, pattern) -> handler, with `{param}` segments, an optional
//! trailing slash on every path, and a clear difference between 404 and 405.

use std::collections::BTreeMap;

pub type Params = BTreeMap<&'static str, String>;

pub struct Route<H> {
    pub method: &'static str,
    pub pattern: &'static str,
    segments: Vec<Segment>,
    handler: H,
}

enum Segment {
    Literal(&'static str),
    Param(&'static str),
}

pub enum Matched<'a, H> {
    Found { handler: &'a H, params: Params, pattern: &'static str },
    MethodNotAllowed { allowed: Vec<&'static str> },
    NotFound,
}

pub struct Router<H> {
    routes: Vec<Route<H>>,
}

impl<H> Default for Router<H> {
    fn default() -> Self {
        Self { routes: Vec::new() }
    }
}

impl<H> Router<H> {
    pub fn route(mut self, method: &'static str, pattern: &'static str, handler: H) -> Self {
        let segments = split(pattern)
            .map(|part| match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                Some(name) => Segment::Param(name),
                None => Segment::Literal(part),
            })
            .collect();
        self.routes.push(Route { method, pattern, segments, handler });
        self
    }

    #[cfg_attr(not(test), allow(dead_code))]
    pub fn routes(&self) -> impl Iterator<Item = &Route<H>> {
        self.routes.iter()
    }

    /// `HEAD` is answered by the `GET` route of the same path.
    pub fn find(&self, method: &str, path: &str) -> Matched<'_, H> {
        let parts: Vec<&str> = split(path).collect();
        let mut allowed = Vec::new();
        for route in &self.routes {
            let Some(params) = route.capture(&parts) else {
                continue;
            };
            if route.method == method || (method == "HEAD" && route.method == "GET") {
                return Matched::Found { handler: &route.handler, params, pattern: route.pattern };
            }
            if !allowed.contains(&route.method) {
                allowed.push(route.method);
            }
        }
        if allowed.is_empty() {
            Matched::NotFound
        } else {
            Matched::MethodNotAllowed { allowed }
        }
    }
}

impl<H> Route<H> {
    fn capture(&self, parts: &[&str]) -> Option<Params> {
        if parts.len() != self.segments.len() {
            return None;
        }
        let mut params = Params::new();
        for (segment, part) in self.segments.iter().zip(parts) {
            match segment {
                Segment::Literal(literal) if literal == part => {}
                Segment::Literal(_) => return None,
                Segment::Param(name) => {
                    params.insert(*name, (*part).to_string());
                }
            }
        }
        Some(params)
    }
}

/// Splits a path into its segments; `/a/b/` and `/a/b` are the same path, `/a//b` is not.
fn split(path: &str) -> impl Iterator<Item = &str> {
    let trimmed = path.strip_prefix('/').unwrap_or(path);
    let trimmed = trimmed.strip_suffix('/').unwrap_or(trimmed);
    trimmed.split('/').filter(move |_| !trimmed.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Router<u8> {
        Router::default()
            .route("GET", "/health", 1)
            .route("GET", "/api/bots", 2)
            .route("POST", "/api/bots", 3)
            .route("GET", "/api/bots/{id}", 4)
            .route("PATCH", "/api/bots/{id}/toggle", 5)
    }

    fn found(router: &Router<u8>, method: &str, path: &str) -> Option<(u8, Params)> {
        match router.find(method, path) {
            Matched::Found { handler, params, .. } => Some((*handler, params)),
            _ => None,
        }
    }

    #[test]
    fn trailing_slash_is_optional() {
        let router = table();
        assert_eq!(found(&router, "GET", "/health").unwrap().0, 1);
        assert_eq!(found(&router, "GET", "/health/").unwrap().0, 1);
        assert_eq!(found(&router, "POST", "/api/bots/").unwrap().0, 3);
    }

    #[test]
    fn captures_params() {
        let (handler, params) = found(&table(), "PATCH", "/api/bots/b-42/toggle").unwrap();
        assert_eq!(handler, 5);
        assert_eq!(params["id"], "b-42");
    }

    #[test]
    fn head_uses_the_get_route() {
        assert_eq!(found(&table(), "HEAD", "/health").unwrap().0, 1);
    }

    #[test]
    fn wrong_method_is_405_with_the_allowed_list() {
        match table().find("DELETE", "/api/bots") {
            Matched::MethodNotAllowed { allowed } => assert_eq!(allowed, vec!["GET", "POST"]),
            _ => panic!("expected 405"),
        }
    }

    #[test]
    fn unknown_paths_are_404() {
        let router = table();
        for path in ["/", "/api", "/api/bots/1/2/3", "/healthz", "/api//bots"] {
            assert!(matches!(router.find("GET", path), Matched::NotFound), "{path}");
        }
    }
}
