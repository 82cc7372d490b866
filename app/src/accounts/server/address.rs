//! Where a request comes from, and where sign-in may send it next.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::request::Parts;

/// The client's address: the peer, or, behind a trusted reverse proxy, the
/// last address the proxy appended to X-Forwarded-For.
pub fn client_address(parts: &Parts, trust_proxy: bool) -> String {
    if trust_proxy
        && let Some(forwarded) = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .next_back()
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.rsplit(',').next())
            .map(str::trim)
            .filter(|value| value.parse::<std::net::IpAddr>().is_ok())
    {
        return forwarded.to_owned();
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip().to_string())
        .unwrap_or_default()
}

/// The address as per-address limits count it. One IPv6 client usually
/// holds a whole /64 and can pick any address in it, so the /64 is one
/// address; an IPv4 address written as IPv6 is the IPv4 address.
pub fn throttle_key(address: &str) -> String {
    match address.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Err(_) => address.to_owned(),
    }
}

/// Only local paths are followed after sign-in: "/admin/x" yes,
/// "//evil.example" or "https://evil.example" no.
pub fn safe_next(next: Option<&str>) -> String {
    match next.map(str::trim) {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.chars().any(char::is_control) =>
        {
            path.to_owned()
        }
        _ => "/admin".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next(Some("/admin/users?x=1")), "/admin/users?x=1");
        assert_eq!(safe_next(Some("//evil.example/")), "/admin");
        assert_eq!(safe_next(Some("/\\evil.example")), "/admin");
        assert_eq!(safe_next(Some("https://evil.example")), "/admin");
        assert_eq!(safe_next(Some("javascript:alert(1)")), "/admin");
        assert_eq!(safe_next(None), "/admin");
        assert_eq!(safe_next(Some("/admin\r\nSet-Cookie: x=1")), "/admin");
        assert_eq!(safe_next(Some("/admin\u{7f}")), "/admin");
    }

    #[test]
    fn an_ipv6_slash_64_is_one_address_for_limits() {
        assert_eq!(throttle_key("2001:db8:1:2::1"), "2001:db8:1:2::/64");
        assert_eq!(throttle_key("2001:db8:1:2:ffff:1:2:3"), "2001:db8:1:2::/64");
        assert_ne!(throttle_key("2001:db8:1:3::1"), throttle_key("2001:db8:1:2::1"));
        assert_eq!(throttle_key("::ffff:198.51.100.7"), "198.51.100.7");
        assert_eq!(throttle_key("198.51.100.7"), "198.51.100.7");
        assert_eq!(throttle_key(""), "");
    }

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let request = axum::http::Request::builder()
            .header("x-forwarded-for", "203.0.113.9, 198.51.100.7")
            .body(())
            .expect("request");
        let (mut parts, ()) = request.into_parts();
        parts
            .extensions
            .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 4000))));
        assert_eq!(client_address(&parts, false), "127.0.0.1");
        assert_eq!(client_address(&parts, true), "198.51.100.7");
    }
}
