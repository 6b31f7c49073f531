//! Base node URLs: the one rule for accepting one, and how errors, logs and metric labels show one.

/// The one rule for a base node URL, wherever one is given: http(s), a host after the scheme, ≤ 2 KiB.
pub fn is_base_node_url(url: &str) -> bool {
    let rest = url.strip_prefix("http://").or_else(|| url.strip_prefix("https://"));
    rest.is_some_and(|r| !r.is_empty()) && url.len() <= 2048
}

/// A URL as errors, logs and metric labels show it: scheme, host and port only. Credentials become `***@`,
/// and any path, query or fragment `/***`; text that is not a URL with a host shows only its length.
pub fn redact_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) if u.has_host() => {
            let credentials = if u.username().is_empty() && u.password().is_none() { "" } else { "***@" };
            let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
            // Paths, queries and fragments can carry API keys; none of them is needed to tell nodes apart.
            let rest = if u.path() == "/" && u.query().is_none() && u.fragment().is_none() { "" } else { "/***" };
            format!("{}://{credentials}{}{port}{rest}", u.scheme(), u.host_str().unwrap_or_default())
        }
        _ => format!("<{} characters that are not a URL with a host>", url.chars().count()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_hides_every_secret_a_url_can_carry() {
        let cases = [
            ("https://user:secret@node.example:9000", "https://***@node.example:9000"),
            ("https://user:p@ss@word@node.example/", "https://***@node.example"),
            ("http://node.example:9003/?apikey=secret", "http://node.example:9003/***"),
            ("https://node.example/secret-token/rpc", "https://node.example/***"),
            ("https://node.example#secret", "https://node.example/***"),
            ("http://127.0.0.1:9003", "http://127.0.0.1:9003"),
        ];
        for (url, want) in cases {
            assert_eq!(redact_url(url), want, "{url}");
        }
        assert_eq!(redact_url("secret no url"), "<13 characters that are not a URL with a host>");
    }
}
