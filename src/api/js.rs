//! `Js<T>`: a core value handed to JS as its serde form. The core's serde attributes decide what JS sees,
//! and `crates/core/typings.d.ts` (generated from the same types) says what TypeScript sees; the exports
//! name that type in `ts_return_type`. One conversion for every shape the core defines, no mirror structs.
//!
//! The serializer here writes straight into N-API values. napi-rs has one (`Env::to_js_value`), but it
//! allocates a `CString` for every field name, which made event delivery ~20% slower than napi-rs objects;
//! this one passes names by length. Integers: every `u64`/`i64` is a JS number (exact to 2^53, as the
//! generated types say); a `u128` is a `bigint`, which is how `js_repr::bigint` marks amounts.

use std::ptr;

use napi::bindgen_prelude::{ToNapiValue, TypeName};
use napi::{check_status, sys, ValueType};
use serde::ser::{self, Serialize};

pub struct Js<T>(pub T);

impl<T: Serialize> ToNapiValue for Js<T> {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        val.0.serialize(Ser(env))
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

type Value = sys::napi_value;

type Result<T = Value> = napi::Result<T>;

#[derive(Clone, Copy)]
struct Ser(sys::napi_env);

impl Ser {
    fn string(self, s: &str) -> Result {
        let mut v = ptr::null_mut();
        check_status!(unsafe { sys::napi_create_string_utf8(self.0, s.as_ptr().cast(), s.len() as isize, &mut v) })?;
        Ok(v)
    }

    fn number(self, n: f64) -> Result {
        let mut v = ptr::null_mut();
        check_status!(unsafe { sys::napi_create_double(self.0, n, &mut v) })?;
        Ok(v)
    }

    fn null(self) -> Result {
        let mut v = ptr::null_mut();
        check_status!(unsafe { sys::napi_get_null(self.0, &mut v) })?;
        Ok(v)
    }

    fn object(self) -> Result {
        let mut v = ptr::null_mut();
        check_status!(unsafe { sys::napi_create_object(self.0, &mut v) })?;
        Ok(v)
    }

    /// `object[key] = value`, the key passed NUL-terminated so that V8 makes it an internalized string at
    /// once (a plain string key would be hashed and looked up on every set).
    fn set(self, object: Value, key: &str, value: Value) -> Result<()> {
        let key = Key::of(key)?;
        check_status!(unsafe { sys::napi_set_named_property(self.0, object, key.as_ptr(), value) })
    }

    fn bigint(self, negative: bool, magnitude: u128) -> Result {
        let words = [magnitude as u64, (magnitude >> 64) as u64];
        let count = if words[1] == 0 { 1 } else { 2 };
        let mut v = ptr::null_mut();
        check_status!(unsafe { sys::napi_create_bigint_words(self.0, negative as i32, count, words.as_ptr(), &mut v) })?;
        Ok(v)
    }

    /// `{ [variant]: value }`, serde's external tagging.
    fn tagged(self, variant: &str, value: Value) -> Result {
        let object = self.object()?;
        self.set(object, variant, value)?;
        Ok(object)
    }
}

impl ser::Serializer for Ser {
    type Ok = Value;
    type Error = napi::Error;
    type SerializeSeq = Array;
    type SerializeTuple = Array;
    type SerializeTupleStruct = Array;
    type SerializeTupleVariant = Variant<Array>;
    type SerializeMap = Map;
    type SerializeStruct = Map;
    type SerializeStructVariant = Variant<Map>;

    fn serialize_bool(self, b: bool) -> Result {
        let mut v = ptr::null_mut();
        check_status!(unsafe { sys::napi_get_boolean(self.0, b, &mut v) })?;
        Ok(v)
    }
    fn serialize_i8(self, n: i8) -> Result {
        self.number(n.into())
    }
    fn serialize_i16(self, n: i16) -> Result {
        self.number(n.into())
    }
    fn serialize_i32(self, n: i32) -> Result {
        self.number(n.into())
    }
    fn serialize_i64(self, n: i64) -> Result {
        self.number(n as f64)
    }
    fn serialize_i128(self, n: i128) -> Result {
        self.bigint(n < 0, n.unsigned_abs())
    }
    fn serialize_u8(self, n: u8) -> Result {
        self.number(n.into())
    }
    fn serialize_u16(self, n: u16) -> Result {
        self.number(n.into())
    }
    fn serialize_u32(self, n: u32) -> Result {
        self.number(n.into())
    }
    fn serialize_u64(self, n: u64) -> Result {
        self.number(n as f64)
    }
    fn serialize_u128(self, n: u128) -> Result {
        self.bigint(false, n)
    }
    fn serialize_f32(self, n: f32) -> Result {
        self.number(n.into())
    }
    fn serialize_f64(self, n: f64) -> Result {
        self.number(n)
    }
    fn serialize_char(self, c: char) -> Result {
        self.string(c.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, s: &str) -> Result {
        self.string(s)
    }
    fn serialize_bytes(self, bytes: &[u8]) -> Result {
        let mut seq = ser::Serializer::serialize_seq(self, Some(bytes.len()))?;
        for b in bytes {
            ser::SerializeSeq::serialize_element(&mut seq, b)?;
        }
        ser::SerializeSeq::end(seq)
    }
    fn serialize_none(self) -> Result {
        self.null()
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result {
        self.null()
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result {
        self.null()
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result {
        self.string(variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _name: &'static str, value: &T) -> Result {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result {
        self.tagged(variant, value.serialize(self)?)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Array> {
        let mut array = ptr::null_mut();
        check_status!(unsafe { sys::napi_create_array_with_length(self.0, len.unwrap_or(0), &mut array) })?;
        Ok(Array { ser: self, array, next: 0 })
    }
    fn serialize_tuple(self, len: usize) -> Result<Array> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Array> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(self, _name: &'static str, _index: u32, variant: &'static str, len: usize) -> Result<Variant<Array>> {
        Ok(Variant { variant, inner: self.serialize_seq(Some(len))? })
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Map> {
        Ok(Map { ser: self, fields: Vec::with_capacity(len.unwrap_or(8)), key: None })
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Map> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(self, _name: &'static str, _index: u32, variant: &'static str, _len: usize) -> Result<Variant<Map>> {
        Ok(Variant { variant, inner: self.serialize_map(None)? })
    }
}

pub struct Array {
    ser: Ser,
    array: Value,
    next: u32,
}

impl Array {
    fn push<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        let v = value.serialize(self.ser)?;
        check_status!(unsafe { sys::napi_set_element(self.ser.0, self.array, self.next, v) })?;
        self.next += 1;
        Ok(())
    }
}

/// Sequences, tuples and tuple structs are all arrays.
macro_rules! array_impl {
    ($trait:ident, $method:ident) => {
        impl ser::$trait for Array {
            type Ok = Value;
            type Error = napi::Error;
            fn $method<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
                self.push(value)
            }
            fn end(self) -> Result {
                Ok(self.array)
            }
        }
    };
}
array_impl!(SerializeSeq, serialize_element);
array_impl!(SerializeTuple, serialize_element);
array_impl!(SerializeTupleStruct, serialize_field);

/// An object's fields, defined all at once at the end (one `napi_define_properties`, as napi-rs objects
/// do, instead of one crossing per field).
pub struct Map {
    ser: Ser,
    fields: Vec<(Key, Value)>,
    /// A key given by `serialize_key`, waiting for its value.
    key: Option<Key>,
}

impl Map {
    fn object(self) -> Result {
        let object = self.ser.object()?;
        if self.fields.is_empty() {
            return Ok(object);
        }
        use sys::PropertyAttributes::{configurable, enumerable, writable};
        let descriptors: Vec<sys::napi_property_descriptor> = self
            .fields
            .iter()
            .map(|(key, value)| sys::napi_property_descriptor {
                utf8name: key.as_ptr(),
                name: ptr::null_mut(),
                method: None,
                getter: None,
                setter: None,
                value: *value,
                attributes: writable | enumerable | configurable,
                data: ptr::null_mut(),
            })
            .collect();
        check_status!(unsafe { sys::napi_define_properties(self.ser.0, object, descriptors.len(), descriptors.as_ptr()) })?;
        Ok(object)
    }
}

impl ser::SerializeMap for Map {
    type Ok = Value;
    type Error = napi::Error;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<()> {
        // Keys become strings, as in JSON.
        self.key = Some(key.serialize(KeyText)?);
        Ok(())
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        let key = self.key.take().ok_or_else(|| napi::Error::from_reason("a map value without its key"))?;
        let v = value.serialize(self.ser)?;
        self.fields.push((key, v));
        Ok(())
    }
    fn end(self) -> Result {
        self.object()
    }
}

impl ser::SerializeStruct for Map {
    type Ok = Value;
    type Error = napi::Error;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<()> {
        let v = value.serialize(self.ser)?;
        self.fields.push((Key::of(key)?, v));
        Ok(())
    }
    fn end(self) -> Result {
        self.object()
    }
}

/// A tuple or struct variant: `{ [variant]: inner }`.
pub struct Variant<I> {
    variant: &'static str,
    inner: I,
}

impl ser::SerializeTupleVariant for Variant<Array> {
    type Ok = Value;
    type Error = napi::Error;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        self.inner.push(value)
    }
    fn end(self) -> Result {
        self.inner.ser.tagged(self.variant, self.inner.array)
    }
}

impl ser::SerializeStructVariant for Variant<Map> {
    type Ok = Value;
    type Error = napi::Error;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<()> {
        ser::SerializeStruct::serialize_field(&mut self.inner, key, value)
    }
    fn end(self) -> Result {
        let ser = self.inner.ser;
        ser.tagged(self.variant, self.inner.object()?)
    }
}

/// Integer keys are written out in decimal.
macro_rules! integer_keys {
    ($($method:ident: $t:ty),*) => {
        $(fn $method(self, n: $t) -> Result<Key> {
            Key::of(&n.to_string())
        })*
    };
}

/// A map key as text: strings as they are, numbers and unit variants written out; anything else is not a
/// key JS can have.
struct KeyText;

/// A key, NUL-terminated: inline when short (every field name and tag), on the heap otherwise.
enum Key {
    Inline([u8; 64]),
    Heap(std::ffi::CString),
}

impl Key {
    fn of(text: &str) -> Result<Key> {
        if text.len() < 64 && !text.as_bytes().contains(&0) {
            let mut buf = [0u8; 64];
            buf[..text.len()].copy_from_slice(text.as_bytes());
            return Ok(Key::Inline(buf));
        }
        Ok(Key::Heap(std::ffi::CString::new(text).map_err(|_| not_a_key())?))
    }

    fn as_ptr(&self) -> *const std::ffi::c_char {
        match self {
            Key::Inline(buf) => buf.as_ptr().cast(),
            Key::Heap(c) => c.as_ptr(),
        }
    }
}

fn not_a_key() -> napi::Error {
    napi::Error::from_reason("a map key must be a string, a number or a unit variant")
}

impl ser::Serializer for KeyText {
    type Ok = Key;
    type Error = napi::Error;
    type SerializeSeq = ser::Impossible<Key, napi::Error>;
    type SerializeTuple = ser::Impossible<Key, napi::Error>;
    type SerializeTupleStruct = ser::Impossible<Key, napi::Error>;
    type SerializeTupleVariant = ser::Impossible<Key, napi::Error>;
    type SerializeMap = ser::Impossible<Key, napi::Error>;
    type SerializeStruct = ser::Impossible<Key, napi::Error>;
    type SerializeStructVariant = ser::Impossible<Key, napi::Error>;

    fn serialize_str(self, s: &str) -> Result<Key> {
        Key::of(s)
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result<Key> {
        Key::of(variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _name: &'static str, value: &T) -> Result<Key> {
        value.serialize(self)
    }
    fn serialize_bool(self, b: bool) -> Result<Key> {
        Key::of(if b { "true" } else { "false" })
    }
    integer_keys!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64);
    integer_keys!(serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64);
    fn serialize_f32(self, _: f32) -> Result<Key> {
        Err(not_a_key())
    }
    fn serialize_f64(self, _: f64) -> Result<Key> {
        Err(not_a_key())
    }
    fn serialize_char(self, c: char) -> Result<Key> {
        Key::of(&c.to_string())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<Key> {
        Err(not_a_key())
    }
    fn serialize_none(self) -> Result<Key> {
        Err(not_a_key())
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<Key> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Key> {
        Err(not_a_key())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Key> {
        Err(not_a_key())
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(self, _: &'static str, _: u32, _: &'static str, _: &T) -> Result<Key> {
        Err(not_a_key())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq> {
        Err(not_a_key())
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple> {
        Err(not_a_key())
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct> {
        Err(not_a_key())
    }
    fn serialize_tuple_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> Result<Self::SerializeTupleVariant> {
        Err(not_a_key())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap> {
        Err(not_a_key())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct> {
        Err(not_a_key())
    }
    fn serialize_struct_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> Result<Self::SerializeStructVariant> {
        Err(not_a_key())
    }
}
