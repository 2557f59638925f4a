//! Delivery of the outbox's notices to enforcement. `SubmitNotice` is idempotent on its
//! request id (the message key), so redelivery files the notice once.

use genuine_contracts::genuine::enforcement::v1::SubmitNoticeRequest;
use genuine_contracts::genuine::enforcement::v1::enforcement_service_client::EnforcementServiceClient;
use genuine_runtime::clients::ServiceChannel;
use genuine_runtime::outbox::{Failure, Handlers, Message};

use crate::store::notices::SUBMIT_NOTICE;

/// The outbox handlers of the listing service.
#[must_use]
pub fn handlers(enforcement: EnforcementServiceClient<ServiceChannel>) -> Handlers {
    Handlers::new().with_fn(SUBMIT_NOTICE, move |message: Message| {
        let mut client = enforcement.clone();
        async move {
            let request: SubmitNoticeRequest = message.decode()?;
            client.submit_notice(request).await.map_err(Failure::from)?;
            Ok(())
        }
    })
}
