//! The protobuf codec of every generated client and server: tonic-prost's, except that a
//! request that does not decode is the caller's fault (`INVALID_ARGUMENT` with a
//! `google.rpc.BadRequest` naming the field that failed), not `INTERNAL`, which would page
//! an operator for every malformed or hostile request.
//!
//! Clients use the same decoder for responses; our servers only send what they decode, so a
//! response that fails to decode means a contract mismatch and reads as INVALID_ARGUMENT there.

use std::marker::PhantomData;

use prost::Message;
use tonic::codec::{BufferSettings, DecodeBuf, Decoder};
use tonic::{Code, Status};
use tonic_prost::ProstEncoder;
use tonic_types::{ErrorDetails, StatusExt as _};

/// Encodes `T`, decodes `U`.
#[derive(Debug, Clone)]
pub struct ProstCodec<T, U> {
    _messages: PhantomData<(T, U)>,
}

impl<T, U> Default for ProstCodec<T, U> {
    fn default() -> Self {
        Self {
            _messages: PhantomData,
        }
    }
}

impl<T, U> tonic::codec::Codec for ProstCodec<T, U>
where
    T: Message + Send + 'static,
    U: Message + Default + Send + 'static,
{
    type Encode = T;
    type Decode = U;
    type Encoder = ProstEncoder<T>;
    type Decoder = ProstDecoder<U>;

    fn encoder(&mut self) -> Self::Encoder {
        ProstEncoder::new(BufferSettings::default())
    }

    fn decoder(&mut self) -> Self::Decoder {
        ProstDecoder {
            _message: PhantomData,
        }
    }
}

/// Decodes `U`; a failure is `INVALID_ARGUMENT` naming the field.
#[derive(Debug, Clone)]
pub struct ProstDecoder<U> {
    _message: PhantomData<U>,
}

impl<U: Message + Default> Decoder for ProstDecoder<U> {
    type Item = U;
    type Error = Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<U>, Status> {
        U::decode(buf).map(Some).map_err(|e| invalid_message(&e))
    }

    fn buffer_settings(&self) -> BufferSettings {
        BufferSettings::default()
    }
}

fn invalid_message(error: &prost::DecodeError) -> Status {
    let text = error.to_string();
    let (field, description) = field_of(&text);
    let mut details = ErrorDetails::new();
    details.add_bad_request_violation(field, description);
    Status::with_error_details(Code::InvalidArgument, text, details)
}

/// The field path (`price.units`) and the reason from prost's text, which lists the fields
/// innermost first: `failed to decode Protobuf message: Money.units: CreateListingRequest.price:
/// invalid varint`. A failure outside any field names the whole message, `request`.
fn field_of(text: &str) -> (String, String) {
    let rest = text
        .strip_prefix("failed to decode Protobuf message: ")
        .unwrap_or(text);
    let mut fields = Vec::new();
    let mut remaining = rest;
    while let Some((segment, tail)) = remaining.split_once(": ") {
        let Some((message, field)) = segment.split_once('.') else {
            break;
        };
        let is_name =
            |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !(is_name(message) && is_name(field)) {
            break;
        }
        fields.push(field);
        remaining = tail;
    }
    if fields.is_empty() {
        return (
            "request".to_owned(),
            format!("is not a valid message: {remaining}"),
        );
    }
    fields.reverse();
    (fields.join("."), format!("cannot be decoded: {remaining}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::genuine::common::v1::Money;
    use crate::genuine::listing::v1::CreateListingRequest;

    fn decode_error<M: Message + Default + std::fmt::Debug>(bytes: &[u8]) -> Status {
        invalid_message(&M::decode(bytes).expect_err("does not decode"))
    }

    fn violations(status: &Status) -> Vec<(String, String)> {
        status
            .get_error_details()
            .bad_request()
            .expect("a BadRequest")
            .field_violations
            .iter()
            .map(|v| (v.field.clone(), v.description.clone()))
            .collect()
    }

    #[test]
    fn a_bad_nested_field_is_named_by_its_path() {
        // CreateListingRequest.price (6) = Money { units (2): a varint cut short }.
        let status = decode_error::<CreateListingRequest>(&[0x32, 0x02, 0x10, 0xff]);
        assert_eq!(status.code(), Code::InvalidArgument);
        let found = violations(&status);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "price.units", "{found:?}");
    }

    #[test]
    fn invalid_utf8_in_a_string_names_the_field() {
        // Money.currency_code (1) = the bytes ff fe.
        let status = decode_error::<Money>(&[0x0a, 0x02, 0xff, 0xfe]);
        let found = violations(&status);
        assert_eq!(found[0].0, "currency_code", "{found:?}");
        assert!(found[0].1.contains("UTF-8"), "{found:?}");
    }

    #[test]
    fn garbage_outside_any_field_names_the_request() {
        let status = decode_error::<Money>(&[0x00]);
        assert_eq!(status.code(), Code::InvalidArgument);
        let found = violations(&status);
        assert_eq!(found[0].0, "request", "{found:?}");
        assert!(found[0].1.contains("invalid tag"), "{found:?}");
    }
}
