//! What a hostile call may answer: anything but a server fault, and a refusal of bad input that
//! names the bad field.

use tonic::{Code, Status};
use tonic_types::StatusExt as _;

/// `Err` with the reason when `status` breaks the rules.
pub fn judge(status: &Status) -> Result<(), String> {
    let code = status.code();
    let message = status.message();
    match code {
        // UNAVAILABLE: every service of the suite is up, so it can only mean a dropped
        // connection (a panic) or an outage the input caused.
        Code::Internal | Code::Unknown | Code::DataLoss | Code::Unavailable => {
            Err(format!("{code:?}: {message}"))
        }
        Code::InvalidArgument => {
            let details = status.get_error_details();
            let named = details
                .bad_request()
                .is_some_and(|br| br.field_violations.iter().any(|v| !v.field.is_empty()));
            if named {
                Ok(())
            } else {
                Err(format!(
                    "INVALID_ARGUMENT without a BadRequest naming a field: {message}"
                ))
            }
        }
        _ => Ok(()),
    }
}
