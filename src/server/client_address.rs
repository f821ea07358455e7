//! Who a request comes from, for counting attempts: the socket's peer, or, when that peer is a
//! proxy the configuration trusts, the client its `X-Forwarded-For` names. Anyone can write that
//! header, so it is read only from a trusted proxy, and from the right: the nearest entry a
//! trusted proxy did not add is the client.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;

pub fn client_address(peer: SocketAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    let mut client = peer.ip();
    if !trusted.contains(&client) {
        return client;
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .collect::<Vec<_>>();
    for hop in forwarded.into_iter().rev() {
        let Some(hop) = parse_hop(hop.trim()) else { break };
        client = hop;
        if !trusted.contains(&hop) {
            break;
        }
    }
    client
}

/// An address as proxies write it: bare, or with a port (`203.0.113.9:4711`, `[2001:db8::1]:4711`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<std::net::SocketAddr>().ok().map(|addr| addr.ip()))
        .or_else(|| {
            hop.strip_prefix('[').and_then(|rest| rest.strip_suffix(']')).and_then(|ip| ip.parse().ok())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forwarded(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", value.parse().expect("header"));
        headers
    }

    #[test]
    fn the_forwarded_address_counts_only_behind_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.2".parse().expect("ip");
        let peer = SocketAddr::new(proxy, 50000);
        let direct: SocketAddr = "203.0.113.9:40000".parse().expect("addr");
        let claimed = forwarded("198.51.100.1");
        assert_eq!(
            client_address(direct, &claimed, &[proxy]),
            direct.ip(),
            "a client's own claim is ignored"
        );
        assert_eq!(client_address(peer, &claimed, &[]), proxy, "no proxy is trusted by default");
        assert_eq!(client_address(peer, &claimed, &[proxy]), "198.51.100.1".parse::<IpAddr>().expect("ip"));
        // The client wrote the left part itself; the proxy appended the address it saw.
        let spoofed = forwarded("1.1.1.1, 198.51.100.1");
        assert_eq!(client_address(peer, &spoofed, &[proxy]), "198.51.100.1".parse::<IpAddr>().expect("ip"));
        assert_eq!(client_address(peer, &forwarded("garbage"), &[proxy]), proxy);
        let with_port = forwarded("198.51.100.1:4711, [2001:db8::7]:80");
        assert_eq!(client_address(peer, &with_port, &[proxy]), "2001:db8::7".parse::<IpAddr>().expect("ip"));
    }
}
