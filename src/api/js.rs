//! `Js<T>`: a core value handed to JS as its serde form. The core's serde attributes decide what JS sees,
//! and `crates/core/typings.d.ts` (generated from the same types) says what TypeScript sees; the exports
//! name that type in `ts_return_type`. One conversion for every shape the core defines, no mirror structs.
//!
//! The serializer here writes straight into N-API values. napi-rs has one (`Env::to_js_value`), but it
//! allocates a `CString` for every field name, which made event delivery ~20% slower than napi-rs objects;
//! this one passes names by length. Integers: every `u64`/`i64` is a JS number (exact to 2^53, as the
//! generated types say); a `u128` is a `bigint`, which is how `js_repr::bigint` marks amounts.

use std::cell::RefCell;
use std::ptr;

use napi::bindgen_prelude::{ToNapiValue, TypeName};
use napi::{check_status, sys, ValueType};
use serde::ser::{self, Serialize};
use smallvec::SmallVec;

pub struct Js<T>(pub T);

impl<T: Serialize> ToNapiValue for Js<T> {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        let scratch = RefCell::new(Scratch { names: SmallVec::new(), fields: SmallVec::new() });
        val.0.serialize(Ser { env, scratch: &scratch })
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
struct Ser<'a> {
    env: sys::napi_env,
    scratch: &'a RefCell<Scratch>,
}

impl Ser<'_> {
    #[inline]
    fn string(self, s: &str) -> Result {
        let mut v = ptr::null_mut();
        // ASCII (enum names, ids, addresses) is Latin-1 too, which V8 copies without decoding UTF-8.
        let create = if s.is_ascii() { sys::napi_create_string_latin1 } else { sys::napi_create_string_utf8 };
        check_status!(unsafe { create(self.env, s.as_ptr().cast(), s.len() as isize, &mut v) })?;
        Ok(v)
    }

    fn number(self, n: f64) -> Result {
        let mut v = ptr::null_mut();
        check_status!(unsafe { sys::napi_create_double(self.env, n, &mut v) })?;
        Ok(v)
    }

    /// Small integers as V8 integers (Smis), which skip the double-to-integer check of `number`.
    #[inline]
    fn uint(self, n: u64) -> Result {
        match u32::try_from(n) {
            Ok(small) => {
                let mut v = ptr::null_mut();
                check_status!(unsafe { sys::napi_create_uint32(self.env, small, &mut v) })?;
                Ok(v)
            }
            Err(_) => self.number(n as f64),
        }
    }

    fn null(self) -> Result {
        let mut v = ptr::null_mut();
        check_status!(unsafe { sys::napi_get_null(self.env, &mut v) })?;
        Ok(v)
    }

    fn object(self) -> Result {
        let mut v = ptr::null_mut();
        check_status!(unsafe { sys::napi_create_object(self.env, &mut v) })?;
        Ok(v)
    }

    /// `object[key] = value`, the key passed NUL-terminated so that V8 makes it an internalized string at
    /// once (a plain string key would be hashed and looked up on every set).
    fn set(self, object: Value, key: &str, value: Value) -> Result<()> {
        if key.as_bytes().contains(&0) {
            return Err(not_a_key());
        }
        let mut name: SmallVec<[u8; 64]> = SmallVec::from_slice(key.as_bytes());
        name.push(0);
        check_status!(unsafe { sys::napi_set_named_property(self.env, object, name.as_ptr().cast(), value) })
    }

    fn bigint(self, negative: bool, magnitude: u128) -> Result {
        let words = [magnitude as u64, (magnitude >> 64) as u64];
        let count = if words[1] == 0 { 1 } else { 2 };
        let mut v = ptr::null_mut();
        check_status!(unsafe { sys::napi_create_bigint_words(self.env, negative as i32, count, words.as_ptr(), &mut v) })?;
        Ok(v)
    }

    /// `{ [variant]: value }`, serde's external tagging.
    fn tagged(self, variant: &str, value: Value) -> Result {
        let object = self.object()?;
        self.set(object, variant, value)?;
        Ok(object)
    }
}

impl<'a> ser::Serializer for Ser<'a> {
    type Ok = Value;
    type Error = napi::Error;
    type SerializeSeq = Array<'a>;
    type SerializeTuple = Array<'a>;
    type SerializeTupleStruct = Array<'a>;
    type SerializeTupleVariant = Variant<Array<'a>>;
    type SerializeMap = Map<'a>;
    type SerializeStruct = Map<'a>;
    type SerializeStructVariant = Variant<Map<'a>>;

    fn serialize_bool(self, b: bool) -> Result {
        let mut v = ptr::null_mut();
        check_status!(unsafe { sys::napi_get_boolean(self.env, b, &mut v) })?;
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
        self.uint(n.into())
    }
    fn serialize_u16(self, n: u16) -> Result {
        self.uint(n.into())
    }
    fn serialize_u32(self, n: u32) -> Result {
        self.uint(n.into())
    }
    fn serialize_u64(self, n: u64) -> Result {
        self.uint(n)
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
    fn serialize_seq(self, len: Option<usize>) -> Result<Array<'a>> {
        let mut array = ptr::null_mut();
        check_status!(unsafe { sys::napi_create_array_with_length(self.env, len.unwrap_or(0), &mut array) })?;
        Ok(Array { ser: self, array, next: 0 })
    }
    fn serialize_tuple(self, len: usize) -> Result<Array<'a>> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Array<'a>> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(self, _name: &'static str, _index: u32, variant: &'static str, len: usize) -> Result<Variant<Array<'a>>> {
        Ok(Variant { variant, inner: self.serialize_seq(Some(len))? })
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Map<'a>> {
        let (names_from, fields_from) = self.scratch.borrow().marks();
        Ok(Map { ser: self, names_from, fields_from, pending: None })
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Map<'a>> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(self, _name: &'static str, _index: u32, variant: &'static str, _len: usize) -> Result<Variant<Map<'a>>> {
        Ok(Variant { variant, inner: self.serialize_map(None)? })
    }
}

pub struct Array<'a> {
    ser: Ser<'a>,
    array: Value,
    next: u32,
}

impl Array<'_> {
    fn push<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        let v = value.serialize(self.ser)?;
        check_status!(unsafe { sys::napi_set_element(self.ser.env, self.array, self.next, v) })?;
        self.next += 1;
        Ok(())
    }
}

/// Sequences, tuples and tuple structs are all arrays.
macro_rules! array_impl {
    ($trait:ident, $method:ident) => {
        impl ser::$trait for Array<'_> {
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
/// do, instead of one crossing per field). Its names and fields wait in the conversion's scratch buffers
/// (on the stack of `Js::to_napi_value`), so that building an object allocates nothing and `Map` stays
/// small enough to move for free.
pub struct Map<'a> {
    ser: Ser<'a>,
    /// Where this object's entries start in the scratch buffers.
    names_from: usize,
    fields_from: usize,
    /// A key given by `serialize_key`, waiting for its value.
    pending: Option<usize>,
}

/// The entries of the objects one conversion is building, innermost last: an object's entries sit above
/// its parent's (a field's value is converted before its name is pushed) and go when it is defined.
/// Inline sizes fit every shape the core defines but the metrics maps, which spill to the heap.
struct Scratch {
    /// Field names, each NUL-terminated, back to back.
    names: Names,
    /// Each field as N-API takes it, except that `utf8name` holds the offset of its name in `names` until
    /// the object is defined (`names` may move while it grows).
    fields: SmallVec<[sys::napi_property_descriptor; 16]>,
}

type Names = SmallVec<[u8; 256]>;

impl Scratch {
    fn marks(&self) -> (usize, usize) {
        (self.names.len(), self.fields.len())
    }

    #[inline]
    fn push(&mut self, name_at: usize, value: Value) {
        use sys::PropertyAttributes::{configurable, enumerable, writable};
        self.fields.push(sys::napi_property_descriptor {
            utf8name: name_at as *const std::ffi::c_char,
            name: ptr::null_mut(),
            method: None,
            getter: None,
            setter: None,
            value,
            attributes: writable | enumerable | configurable,
            data: ptr::null_mut(),
        });
    }
}

/// Appends `text` and its NUL to the names; returns where it starts.
fn push_name(names: &mut Names, text: &str) -> Result<usize> {
    if text.as_bytes().contains(&0) {
        return Err(not_a_key());
    }
    Ok(push_nul_free(names, text))
}

/// `push_name` for a name known to hold no NUL: a struct's field names, which serde's derive takes from
/// Rust identifiers and `rename`s.
#[inline]
fn push_nul_free(names: &mut Names, text: &str) -> usize {
    debug_assert!(!text.as_bytes().contains(&0));
    let at = names.len();
    if names.capacity() - at <= text.len() {
        names.reserve(text.len() + 1);
    }
    // SAFETY: `reserve` made room for `text` and its NUL after the `at` initialised bytes.
    unsafe {
        let dst = names.as_mut_ptr().add(at);
        ptr::copy_nonoverlapping(text.as_ptr(), dst, text.len());
        *dst.add(text.len()) = 0;
        names.set_len(at + text.len() + 1);
    }
    at
}

impl Map<'_> {
    fn object(self) -> Result {
        let object = self.ser.object()?;
        let mut s = self.ser.scratch.borrow_mut();
        let Scratch { names, fields } = &mut *s;
        let own = &mut fields[self.fields_from..];
        let defined = if own.is_empty() {
            Ok(())
        } else {
            for field in own.iter_mut() {
                // SAFETY: the offset was taken from `names`, whose entries above this object's are only
                // truncated below.
                field.utf8name = unsafe { names.as_ptr().add(field.utf8name as usize) }.cast();
            }
            // Defining data properties runs no JS, so nothing re-enters the scratch buffers meanwhile.
            check_status!(unsafe { sys::napi_define_properties(self.ser.env, object, own.len(), own.as_ptr()) })
        };
        names.truncate(self.names_from);
        fields.truncate(self.fields_from);
        defined.map(|()| object)
    }
}

impl ser::SerializeMap for Map<'_> {
    type Ok = Value;
    type Error = napi::Error;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<()> {
        // Keys become strings, as in JSON.
        self.pending = Some(key.serialize(KeyText(self.ser.scratch))?);
        Ok(())
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        let at = self.pending.take().ok_or_else(|| napi::Error::from_reason("a map value without its key"))?;
        let v = value.serialize(self.ser)?;
        self.ser.scratch.borrow_mut().push(at, v);
        Ok(())
    }
    fn end(self) -> Result {
        self.object()
    }
}

impl ser::SerializeStruct for Map<'_> {
    type Ok = Value;
    type Error = napi::Error;
    #[inline]
    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<()> {
        let v = value.serialize(self.ser)?;
        let mut s = self.ser.scratch.borrow_mut();
        let at = push_nul_free(&mut s.names, key);
        s.push(at, v);
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

impl ser::SerializeTupleVariant for Variant<Array<'_>> {
    type Ok = Value;
    type Error = napi::Error;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        self.inner.push(value)
    }
    fn end(self) -> Result {
        self.inner.ser.tagged(self.variant, self.inner.array)
    }
}

impl ser::SerializeStructVariant for Variant<Map<'_>> {
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
        $(fn $method(self, n: $t) -> Result<usize> {
            self.name(&n.to_string())
        })*
    };
}

/// A map key as text, appended to the scratch names: strings as they are, numbers and unit variants
/// written out; anything else is not a key JS can have.
struct KeyText<'a>(&'a RefCell<Scratch>);

impl KeyText<'_> {
    fn name(&self, text: &str) -> Result<usize> {
        push_name(&mut self.0.borrow_mut().names, text)
    }
}

fn not_a_key() -> napi::Error {
    napi::Error::from_reason("a map key must be a string, a number or a unit variant")
}

impl ser::Serializer for KeyText<'_> {
    type Ok = usize;
    type Error = napi::Error;
    type SerializeSeq = ser::Impossible<usize, napi::Error>;
    type SerializeTuple = ser::Impossible<usize, napi::Error>;
    type SerializeTupleStruct = ser::Impossible<usize, napi::Error>;
    type SerializeTupleVariant = ser::Impossible<usize, napi::Error>;
    type SerializeMap = ser::Impossible<usize, napi::Error>;
    type SerializeStruct = ser::Impossible<usize, napi::Error>;
    type SerializeStructVariant = ser::Impossible<usize, napi::Error>;

    fn serialize_str(self, s: &str) -> Result<usize> {
        self.name(s)
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result<usize> {
        self.name(variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _name: &'static str, value: &T) -> Result<usize> {
        value.serialize(self)
    }
    fn serialize_bool(self, b: bool) -> Result<usize> {
        self.name(if b { "true" } else { "false" })
    }
    integer_keys!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64);
    integer_keys!(serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64);
    fn serialize_f32(self, _: f32) -> Result<usize> {
        Err(not_a_key())
    }
    fn serialize_f64(self, _: f64) -> Result<usize> {
        Err(not_a_key())
    }
    fn serialize_char(self, c: char) -> Result<usize> {
        self.name(c.encode_utf8(&mut [0; 4]))
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<usize> {
        Err(not_a_key())
    }
    fn serialize_none(self) -> Result<usize> {
        Err(not_a_key())
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<usize> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<usize> {
        Err(not_a_key())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<usize> {
        Err(not_a_key())
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(self, _: &'static str, _: u32, _: &'static str, _: &T) -> Result<usize> {
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
