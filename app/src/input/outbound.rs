//! Addresses Vellum sends requests to: a webhook's target, and the check
//! that keeps such requests off loopback and private networks.

use std::net::IpAddr;

/// A webhook address: http or https, no credentials, and (unless the
/// server allows private networks) a host whose every address is public.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(String);

impl WebhookUrl {
    /// Checks the form of the address; `resolve` checks where it leads.
    pub fn parse(raw: &str) -> Result<url::Url, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("Enter the address that should receive the events.".into());
        }
        if raw.len() > 2000 {
            return Err("Use an address of at most 2,000 characters.".into());
        }
        let url =
            url::Url::parse(raw).map_err(|_| "Enter a full address, such as https://example.org/hooks.".to_owned())?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err("Use an http or https address.".into());
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(
                "Leave the user name and password out of the address; sign requests with the secret instead.".into(),
            );
        }
        if url.host().is_none() {
            return Err("Enter an address with a host name.".into());
        }
        Ok(url)
    }

    /// Parses and looks the host up: refused when any address it resolves
    /// to is on loopback or a private network, unless `allow_private`.
    pub async fn resolve(raw: &str, allow_private: bool) -> Result<Self, String> {
        let url = Self::parse(raw)?;
        if !allow_private {
            let host = url.host_str().unwrap_or_default().trim_matches(['[', ']']).to_owned();
            let port = url.port_or_known_default().unwrap_or(443);
            let addresses: Vec<IpAddr> = match host.parse::<IpAddr>() {
                Ok(ip) => vec![ip],
                Err(_) => tokio::net::lookup_host((host.as_str(), port))
                    .await
                    .map_err(|_| format!("The host {host} could not be found."))?
                    .map(|address| address.ip())
                    .collect(),
            };
            if addresses.is_empty() || addresses.iter().any(|ip| !is_public(*ip)) {
                return Err(
                    "This address leads to this server or a private network, which webhooks may not reach.".into(),
                );
            }
        }
        Ok(Self(url.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// True for addresses on the public internet: not loopback, private,
/// link-local, shared, multicast, unspecified or reserved.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0 && c == 0)
                || (a == 198 && (18..20).contains(&b))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            let segments = v6.segments();
            // IPv4 inside IPv6 (mapped ::ffff:a.b.c.d, compatible ::a.b.c.d,
            // 6to4 2002:aabb:ccdd::) is judged by the IPv4 address.
            if let Some(v4) = v6.to_ipv4() {
                return !v6.is_loopback() && is_public(IpAddr::V4(v4));
            }
            if segments[0] == 0x2002 {
                let [a, b] = segments[1].to_be_bytes();
                let [c, d] = segments[2].to_be_bytes();
                return is_public(IpAddr::from([a, b, c, d]));
            }
            let first = segments[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || (first & 0xffc0) == 0xfec0
                || first == 0x2001 && segments[1] == 0x0db8
                || first == 0x0064 && segments[1] == 0xff9b)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_public() {
        let ip = |text: &str| {
            text.parse::<IpAddr>()
                .unwrap_or_else(|_| panic!("{text} is an address"))
        };
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "198.18.0.1",
            "192.0.0.8",
            "::1",
            "fc00::1",
            "fe80::1",
            "fec0::1",
            "::ffff:127.0.0.1",
            "::127.0.0.1",
            "::ffff:10.0.0.1",
            "2002:7f00:1::",
            "2002:c0a8:101::1",
            "64:ff9b::a00:1",
            "64:ff9b:1::1",
            "::",
        ] {
            assert!(!is_public(ip(private)), "{private}");
        }
        for public in [
            "93.184.216.34",
            "2606:4700::1111",
            "8.8.8.8",
            "192.0.43.10",
            "2002:5db8:d822::1",
        ] {
            assert!(is_public(ip(public)), "{public}");
        }
    }

    #[tokio::test]
    async fn addresses_must_be_web_and_public() {
        assert!(WebhookUrl::parse("ftp://example.org/x").is_err());
        assert!(WebhookUrl::parse("https://user:pw@example.org/x").is_err());
        assert!(WebhookUrl::parse("example.org").is_err());
        assert!(WebhookUrl::resolve("http://127.0.0.1:9/hook", false).await.is_err());
        assert!(WebhookUrl::resolve("http://[::1]/hook", false).await.is_err());
        assert!(WebhookUrl::resolve("http://localhost/hook", false).await.is_err());
        assert!(WebhookUrl::resolve("http://10.0.0.5/hook", false).await.is_err());
        assert!(WebhookUrl::resolve("http://127.0.0.1:9/hook", true).await.is_ok());
        assert!(WebhookUrl::resolve("https://93.184.216.34/hook", false).await.is_ok());
    }
}
