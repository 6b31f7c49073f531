//! `Js<T>`: a core value handed to JS as its serde form. The core's serde attributes decide what JS sees,
//! and `crates/core/typings.d.ts` (generated from the same types) says what TypeScript sees; the exports
//! name that type in `ts_return_type`. One conversion for every shape the core defines, no mirror structs.

use napi::bindgen_prelude::{ToNapiValue, TypeName};
use napi::{sys, Env, JsValue, ValueType};
use serde::Serialize;

pub struct Js<T>(pub T);

impl<T: Serialize> ToNapiValue for Js<T> {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        Ok(Env::from_raw(env).to_js_value(&val.0)?.raw())
    }
}

impl<T> TypeName for Js<T> {
    fn type_name() -> &'static str {
        "Object"
    }

    fn value_type() -> ValueType {
        ValueType::Object
    }
}
