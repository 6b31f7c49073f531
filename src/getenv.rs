//! The addon's view of the environment (Linux only): `build.rs` links the addon with
//! `--wrap=getenv,--wrap=secure_getenv`, so every call compiled into it lands here first. Only
//! `SSL_CERT_FILE` can differ from the real environment, and only while `sdk::tls_roots` says so; the
//! environment itself is never written. See `tls_roots` for why.
//!
//! Not in `cargo test` binaries: they are not linked with the wrap, so `__real_*` would not resolve.

use std::ffi::{c_char, CStr};

extern "C" {
    fn __real_getenv(name: *const c_char) -> *mut c_char;
    fn __real_secure_getenv(name: *const c_char) -> *mut c_char;
}

/// # Safety
/// As `getenv`: `name` is a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn __wrap_getenv(name: *const c_char) -> *mut c_char {
    match shown(name) {
        Some(value) => value,
        None => __real_getenv(name),
    }
}

/// # Safety
/// As `secure_getenv` (OpenSSL's reads on glibc).
#[no_mangle]
pub unsafe extern "C" fn __wrap_secure_getenv(name: *const c_char) -> *mut c_char {
    match shown(name) {
        Some(value) => value,
        None => __real_secure_getenv(name),
    }
}

/// Callers may not write through the pointer (`getenv`'s contract), so handing out a `'static` string is sound.
unsafe fn shown(name: *const c_char) -> Option<*mut c_char> {
    if name.is_null() {
        return None;
    }
    sdk::tls_roots::overridden(CStr::from_ptr(name)).map(|v| v.as_ptr().cast_mut())
}
