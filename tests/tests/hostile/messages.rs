//! Request messages made from the contract's descriptors: for any request type, a proptest
//! strategy producing wire bytes whose fields are plausible (ids that exist, a real currency, a
//! valid image, a recent time) or hostile (empty, huge, NUL, far-future, negative, unknown enum
//! numbers, hundreds of repeats, malformed images), encoded by hand so that values the generated
//! structs would never hold (out-of-range nanos, unknown fields) reach the server too.

use std::collections::HashMap;

use genuine_suite_tests::contract;
use proptest::collection::vec;
use proptest::prelude::*;
use prost::encoding::{WireType, encode_key, encode_varint};
use prost_types::field_descriptor_proto::{Label, Type};
use prost_types::{DescriptorProto, FieldDescriptorProto};

use crate::images;

/// How a field's value is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Something a correct client would send.
    Plausible,
    /// Something no correct client would send.
    Hostile,
    /// Either, or left out.
    Any,
}

/// Values that exist in the running suite, so plausible requests get past "not found".
#[derive(Debug, Clone, Default)]
pub struct Pools {
    /// Ids by field-name suffix (`seller_id`, `listing_id`, `case_id`, …).
    pub ids: HashMap<&'static str, Vec<String>>,
}

/// Nested messages stop being generated below this depth.
const MAX_DEPTH: usize = 3;

/// A whole request of type `input` (fully-qualified name): every field chosen as `kind`.
pub fn request(input: &str, pools: &Pools, kind: Kind) -> BoxedStrategy<Vec<u8>> {
    message(input, pools, 0, &|_| kind)
}

/// A request with every field plausible but one, which is hostile: the mutation of a valid
/// request.
pub fn one_hostile_field(input: &str, pools: &Pools) -> BoxedStrategy<Vec<u8>> {
    let count = descriptor(input).field.len().max(1);
    let pools = pools.clone();
    let input = input.to_owned();
    (0..count)
        .prop_flat_map(move |hostile| {
            message(&input, &pools, 0, &|i| {
                if i == hostile {
                    Kind::Hostile
                } else {
                    Kind::Plausible
                }
            })
        })
        .boxed()
}

fn descriptor(name: &str) -> &'static DescriptorProto {
    contract::messages()
        .get(name)
        .unwrap_or_else(|| panic!("{name} is not in the contract"))
}

fn message(
    name: &str,
    pools: &Pools,
    depth: usize,
    kind_of: &dyn Fn(usize) -> Kind,
) -> BoxedStrategy<Vec<u8>> {
    let fields: Vec<BoxedStrategy<Vec<u8>>> = descriptor(name)
        .field
        .iter()
        .enumerate()
        .map(|(i, field)| {
            let kind = kind_of(i);
            let value = field_strategy(field, pools, depth, kind);
            if kind == Kind::Any {
                prop_oneof![3 => value, 1 => Just(Vec::new())].boxed()
            } else {
                value
            }
        })
        .collect();
    let hostile_anywhere = (0..descriptor(name).field.len()).any(|i| kind_of(i) != Kind::Plausible);
    let unknown = if hostile_anywhere {
        // A field number the contract does not use: decoders must skip it.
        prop_oneof![3 => Just(Vec::new()), 1 => vec(any::<u8>(), 0..32).prop_map(|bytes| {
            let mut out = Vec::new();
            length_delimited(&mut out, 4_999, &bytes);
            out
        })]
        .boxed()
    } else {
        Just(Vec::new()).boxed()
    };
    (fields, unknown)
        .prop_map(|(parts, unknown)| {
            let mut out = parts.concat();
            out.extend(unknown);
            out
        })
        .boxed()
}

fn field_strategy(
    field: &FieldDescriptorProto,
    pools: &Pools,
    depth: usize,
    kind: Kind,
) -> BoxedStrategy<Vec<u8>> {
    let tag = u32::try_from(field.number()).expect("positive field number");
    let repeated = field.label() == Label::Repeated;
    if field.r#type() == Type::Message && depth >= MAX_DEPTH {
        return Just(Vec::new()).boxed();
    }
    let one = value_strategy(field, pools, depth, kind);
    let values = if !repeated {
        one.prop_map(|v| vec![v]).boxed()
    } else if kind == Kind::Hostile {
        let many = value_strategy(field, pools, depth, Kind::Plausible);
        prop_oneof![
            vec(one, 0..4),
            // Hundreds of repeats of a plausible element.
            vec(many, 200..=400),
        ]
        .boxed()
    } else {
        vec(one, 1..3).boxed()
    };
    values
        .prop_map(move |values| {
            let mut out = Vec::new();
            for value in values {
                value.encode(tag, &mut out);
            }
            out
        })
        .boxed()
}

/// One encoded value, before its key.
#[derive(Debug, Clone)]
enum Value {
    Varint(u64),
    Fixed64(u64),
    Fixed32(u32),
    Bytes(Vec<u8>),
}

impl Value {
    fn encode(&self, tag: u32, out: &mut Vec<u8>) {
        match self {
            Value::Varint(v) => {
                encode_key(tag, WireType::Varint, out);
                encode_varint(*v, out);
            }
            Value::Fixed64(v) => {
                encode_key(tag, WireType::SixtyFourBit, out);
                out.extend_from_slice(&v.to_le_bytes());
            }
            Value::Fixed32(v) => {
                encode_key(tag, WireType::ThirtyTwoBit, out);
                out.extend_from_slice(&v.to_le_bytes());
            }
            Value::Bytes(bytes) => length_delimited(out, tag, bytes),
        }
    }
}

fn length_delimited(out: &mut Vec<u8>, tag: u32, bytes: &[u8]) {
    encode_key(tag, WireType::LengthDelimited, out);
    encode_varint(bytes.len() as u64, out);
    out.extend_from_slice(bytes);
}

fn value_strategy(
    field: &FieldDescriptorProto,
    pools: &Pools,
    depth: usize,
    kind: Kind,
) -> BoxedStrategy<Value> {
    if kind == Kind::Any {
        return prop_oneof![
            3 => value_strategy(field, pools, depth, Kind::Plausible),
            1 => value_strategy(field, pools, depth, Kind::Hostile),
        ]
        .boxed();
    }
    let hostile = kind == Kind::Hostile;
    let name = field.name();
    match field.r#type() {
        Type::String => {
            let text = if hostile {
                hostile_text()
            } else {
                plausible_text(name, pools)
            };
            text.prop_map(|t| Value::Bytes(t.into_bytes())).boxed()
        }
        Type::Bytes => if hostile {
            images::hostile()
        } else {
            images::plausible()
        }
        .prop_map(Value::Bytes)
        .boxed(),
        Type::Bool => any::<bool>()
            .prop_map(|b| Value::Varint(u64::from(b)))
            .boxed(),
        Type::Enum => enum_value(field.type_name(), hostile),
        Type::Int32 | Type::Int64 | Type::Uint32 | Type::Uint64 => integer(name, hostile)
            .prop_map(|v| Value::Varint(v as u64))
            .boxed(),
        Type::Sint32 | Type::Sint64 => integer(name, hostile)
            .prop_map(|v| Value::Varint(((v << 1) ^ (v >> 63)) as u64))
            .boxed(),
        Type::Fixed64 | Type::Sfixed64 => integer(name, hostile)
            .prop_map(|v| Value::Fixed64(v as u64))
            .boxed(),
        Type::Fixed32 | Type::Sfixed32 => integer(name, hostile)
            .prop_map(|v| Value::Fixed32(v as u32))
            .boxed(),
        Type::Double => prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(-1.0), Just(0.5)]
            .prop_map(|f| Value::Fixed64(f.to_bits()))
            .boxed(),
        Type::Float => prop_oneof![Just(f32::NAN), Just(f32::INFINITY), Just(-1.0), Just(0.5)]
            .prop_map(|f| Value::Fixed32(f.to_bits()))
            .boxed(),
        Type::Message => nested(
            field.type_name().trim_start_matches('.'),
            pools,
            depth,
            kind,
        ),
        Type::Group => Just(Value::Bytes(Vec::new())).boxed(),
    }
}

fn nested(name: &str, pools: &Pools, depth: usize, kind: Kind) -> BoxedStrategy<Value> {
    match name {
        "google.protobuf.Timestamp" => timestamp(kind == Kind::Hostile),
        "google.protobuf.Duration" => {
            let seconds = if kind == Kind::Hostile {
                prop_oneof![
                    Just(-1_i64),
                    Just(i64::MAX),
                    Just(i64::MIN),
                    Just(315_576_000_001)
                ]
                .boxed()
            } else {
                (1_i64..86_400).boxed()
            };
            seconds
                .prop_map(|s| Value::Bytes(seconds_nanos(s, 0)))
                .boxed()
        }
        _ => {
            // A hostile message field is one whose own fields are anything.
            let inner = if kind == Kind::Hostile {
                Kind::Any
            } else {
                Kind::Plausible
            };
            message(name, pools, depth + 1, &|_| inner)
                .prop_map(Value::Bytes)
                .boxed()
        }
    }
}

fn seconds_nanos(seconds: i64, nanos: i32) -> Vec<u8> {
    let mut out = Vec::new();
    if seconds != 0 {
        encode_key(1, WireType::Varint, &mut out);
        encode_varint(seconds as u64, &mut out);
    }
    if nanos != 0 {
        encode_key(2, WireType::Varint, &mut out);
        encode_varint(i64::from(nanos) as u64, &mut out);
    }
    out
}

/// Recent times, or: the year 1, before it, 9999, after it, the ends of i64, bad nanos.
fn timestamp(hostile: bool) -> BoxedStrategy<Value> {
    let now = chrono::Utc::now().timestamp();
    let pair = if hostile {
        (
            prop_oneof![
                Just(i64::MIN),
                Just(i64::MAX),
                Just(-62_135_596_801_i64),
                Just(253_402_300_800_i64),
                Just(4_102_444_800_i64),
                Just(0_i64),
                Just(now),
            ],
            prop_oneof![
                Just(0),
                Just(-1),
                Just(1_000_000_000),
                Just(i32::MIN),
                Just(i32::MAX)
            ],
        )
            .boxed()
    } else {
        ((now - 30 * 86_400)..(now - 3_600), 0..1_000_000_000_i32).boxed()
    };
    pair.prop_map(|(s, n)| Value::Bytes(seconds_nanos(s, n)))
        .boxed()
}

fn enum_value(type_name: &str, hostile: bool) -> BoxedStrategy<Value> {
    let known = contract::enums()
        .get(type_name.trim_start_matches('.'))
        .cloned()
        .unwrap_or_else(|| vec![0]);
    let number = if hostile {
        prop_oneof![
            Just(-1_i32),
            Just(999),
            Just(i32::MAX),
            Just(i32::MIN),
            Just(0)
        ]
        .boxed()
    } else {
        let named: Vec<i32> = known.iter().copied().filter(|n| *n != 0).collect();
        let named = if named.is_empty() { known } else { named };
        proptest::sample::select(named).boxed()
    };
    number
        .prop_map(|n| Value::Varint(i64::from(n) as u64))
        .boxed()
}

fn integer(name: &str, hostile: bool) -> BoxedStrategy<i64> {
    if hostile {
        return prop_oneof![
            Just(-1_i64),
            Just(i64::MIN),
            Just(i64::MAX),
            Just(i64::from(i32::MIN)),
            Just(i64::from(i32::MAX)),
            Just(i64::from(u32::MAX)),
            Just(-1_000_000_000_000),
            Just(1_000_000_001),
            any::<i64>(),
        ]
        .boxed();
    }
    match name {
        "page_size" | "limit" => (1_i64..50).boxed(),
        "nanos" => Just(0_i64).boxed(),
        "units" => (1_i64..5_000).boxed(),
        _ if name.ends_with("index") => (0_i64..4).boxed(),
        _ => (0_i64..100).boxed(),
    }
}

fn hostile_text() -> BoxedStrategy<String> {
    prop_oneof![
        Just(String::new()),
        Just("   ".to_owned()),
        Just("\0".to_owned()),
        Just("bag\0with a NUL".to_owned()),
        Just("x".repeat(70_000)),
        Just("🦀".repeat(5_000)),
        Just("\u{202E}evil\u{200B}\u{FEFF}".to_owned()),
        Just("' OR 1=1; DROP TABLE listings; --".to_owned()),
        Just("../../../etc/passwd".to_owned()),
        Just("%s%n%x{}".to_owned()),
        Just("ＬＵＸＥ 1:1 高仿 replica".to_owned()),
        Just("ZZ".to_owned()),
        Just("eur".to_owned()),
        Just("not/a/real/page-token==".to_owned()),
        any::<String>(),
    ]
    .boxed()
}

fn plausible_text(name: &str, pools: &Pools) -> BoxedStrategy<String> {
    for (suffix, ids) in &pools.ids {
        let matches = name.ends_with(suffix) || name.ends_with(&format!("{suffix}s"));
        if matches && !ids.is_empty() {
            return proptest::sample::select(ids.clone()).boxed();
        }
    }
    match name {
        "country_code" | "jurisdiction" => Just("DE".to_owned()).boxed(),
        "currency_code" => Just("EUR".to_owned()).boxed(),
        "email" | "contact_email" => Just("officer@example.com".to_owned()).boxed(),
        "category" => Just("handbags".to_owned()).boxed(),
        "page_token" => Just(String::new()).boxed(),
        "pdq_hash" | "image_pdq_hashes" => "[0-9a-f]{64}".boxed(),
        "action_id" => Just(String::new()).boxed(),
        _ if name.ends_with("url") || name.ends_with("urls") => {
            Just("https://example.com/evidence".to_owned()).boxed()
        }
        _ if name.ends_with("_id") || name.ends_with("key") || name.ends_with("_ids") => {
            "[a-z0-9]{12}".boxed()
        }
        _ => "[A-Za-z][A-Za-z ]{2,30}".boxed(),
    }
}
