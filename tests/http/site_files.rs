//! The site folder's files under /pkg (the admin's wasm, scripts and style
//! sheet): the brotli and gzip copies `make release` writes beside them go
//! to browsers that accept them, and caches are told the answer varies.

use reqwest::StatusCode;

use crate::support::TestDb;
use crate::{client, serve_args, url};

async fn pkg_files_are_sent_precompressed_to_browsers_that_accept_them(db: &TestDb) {
    let pkg = db.dir().join("site").join("pkg");
    std::fs::create_dir_all(&pkg).expect("pkg folder");
    let wasm = b"\0asm\x01\0\0\0 the admin".to_vec();
    std::fs::write(pkg.join("vellum.wasm"), &wasm).expect("wasm");
    // Stand-ins: the server sends the copies as they are.
    std::fs::write(pkg.join("vellum.wasm.br"), b"brotli copy").expect("br");
    std::fs::write(pkg.join("vellum.wasm.gz"), b"gzip copy").expect("gz");
    let mut args = serve_args(db);
    args.site_root = db.dir().join("site");
    let server = server::start(&args).await.expect("start");

    for (accepts, encoding, body) in [
        (Some("gzip, deflate, br"), Some("br"), b"brotli copy".to_vec()),
        (Some("gzip"), Some("gzip"), b"gzip copy".to_vec()),
        (None, None, wasm),
    ] {
        let mut request = client().get(url(&server, "/pkg/vellum.wasm"));
        if let Some(accepts) = accepts {
            request = request.header("accept-encoding", accepts);
        }
        let response = request.send().await.expect("GET");
        assert_eq!(response.status(), StatusCode::OK, "{accepts:?}");
        let headers = response.headers().clone();
        assert_eq!(headers["content-type"], "application/wasm", "{accepts:?}");
        assert_eq!(
            headers
                .get("content-encoding")
                .map(|value| value.to_str().expect("ascii")),
            encoding,
            "{accepts:?}"
        );
        assert!(
            headers.get_all("vary").iter().any(|value| value
                .to_str()
                .is_ok_and(|value| value.to_ascii_lowercase().contains("accept-encoding"))),
            "{accepts:?}: {headers:?}"
        );
        assert_eq!(
            response.bytes().await.expect("body").as_ref(),
            body.as_slice(),
            "{accepts:?}"
        );
    }
    server.stop().await.expect("stop");
}

crate::on_both_databases!(pkg_files_are_sent_precompressed_to_browsers_that_accept_them);
