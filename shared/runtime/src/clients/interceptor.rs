//! What every outgoing call carries: service token, deadline, trace context.

use std::time::Duration;

use tonic::service::Interceptor;

use super::credentials::ServiceCredentials;
use super::propagation::inject_trace_context;

const AUTHORIZATION: &str = "authorization";
/// Header tonic writes for `Request::set_timeout` (its constant is crate-private).
const GRPC_TIMEOUT: &str = "grpc-timeout";

/// Sets `authorization` (unless the caller already did, e.g. to act for a user), the default
/// deadline (unless the call set its own), and the W3C trace context of the current span.
#[derive(Debug, Clone)]
pub struct OutgoingInterceptor {
    credentials: ServiceCredentials,
    deadline: Duration,
}

impl OutgoingInterceptor {
    pub fn new(credentials: ServiceCredentials, deadline: Duration) -> Self {
        OutgoingInterceptor {
            credentials,
            deadline,
        }
    }
}

impl Interceptor for OutgoingInterceptor {
    fn call(
        &mut self,
        mut request: tonic::Request<()>,
    ) -> Result<tonic::Request<()>, tonic::Status> {
        if !request.metadata().contains_key(AUTHORIZATION) {
            let value = self.credentials.authorization()?;
            request.metadata_mut().insert(AUTHORIZATION, value);
        }
        if !request.metadata().contains_key(GRPC_TIMEOUT) {
            request.set_timeout(self.deadline);
        }
        inject_trace_context(request.metadata_mut());
        Ok(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interceptor() -> OutgoingInterceptor {
        let creds = ServiceCredentials::static_token("svc.token.sig").expect("token");
        OutgoingInterceptor::new(creds, Duration::from_millis(50))
    }

    #[test]
    fn sets_the_service_token_and_the_default_deadline() {
        let request = interceptor().call(tonic::Request::new(())).expect("ok");
        assert_eq!(
            request
                .metadata()
                .get(AUTHORIZATION)
                .expect("authorization"),
            "Bearer svc.token.sig"
        );
        let mut expected = tonic::Request::new(());
        expected.set_timeout(Duration::from_millis(50));
        assert_eq!(
            request.metadata().get(GRPC_TIMEOUT),
            expected.metadata().get(GRPC_TIMEOUT)
        );
    }

    #[test]
    fn keeps_a_deadline_or_token_the_caller_set() {
        let mut request = tonic::Request::new(());
        request.set_timeout(Duration::from_secs(2));
        request.metadata_mut().insert(
            AUTHORIZATION,
            "Bearer user.token.sig".parse().expect("value"),
        );
        let request = interceptor().call(request).expect("ok");
        assert_eq!(
            request.metadata().get(GRPC_TIMEOUT).expect("deadline"),
            "2000000u"
        );
        assert_eq!(
            request
                .metadata()
                .get(AUTHORIZATION)
                .expect("authorization"),
            "Bearer user.token.sig"
        );
    }
}
