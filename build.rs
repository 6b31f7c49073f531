fn main() {
    napi_build::setup();
    // The addon's getenv goes through src/getenv.rs (see crates/core/src/tls_roots.rs): only the cdylib,
    // only on Linux, where OpenSSL is the TLS stack.
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-cdylib=-Wl,--wrap=getenv,--wrap=secure_getenv");
    }
}
