//! Requests Vellum makes to addresses that came from outside: webhook
//! receivers, and an old site's images during an import. Unless private
//! networks are allowed, neither a host name that resolves to a loopback
//! or private address (checked when connecting, so a name that changes its
//! address later does not get through) nor such an address written as an
//! IP literal is reached. No proxy is used.

use std::net::SocketAddr;

use app::webhooks::server::is_public;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// A client builder with those rules; the caller adds its own timeout,
/// redirect policy and user agent.
pub fn client_builder(allow_private: bool) -> reqwest::ClientBuilder {
    let builder = reqwest::Client::builder().no_proxy();
    if allow_private {
        builder
    } else {
        builder.dns_resolver(std::sync::Arc::new(PublicOnly))
    }
}

/// Refuses an address written as a private or loopback IP literal, which
/// no resolver sees.
pub fn refuse_private_literal(url: &reqwest::Url, allow_private: bool) -> Result<(), String> {
    if !allow_private
        && let Some(url::Host::Ipv4(_) | url::Host::Ipv6(_)) = url.host()
        && let Some(ip) = url
            .host_str()
            .and_then(|host| host.trim_matches(['[', ']']).parse().ok())
        && !is_public(ip)
    {
        return Err("the address is on a private network".into());
    }
    Ok(())
}

struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            if found.iter().any(|address| !is_public(address.ip())) {
                return Err("the host resolves to a private or loopback address".into());
            }
            let addrs: Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}
