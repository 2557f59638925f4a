//! Reading a refused call's request before answering it.
//!
//! A call answered before its request was read (a refusal at admission, a failed token check)
//! leaves its DATA frame arriving on a stream that h2 has already reset. h2 ignores that frame
//! but charges it to the connection's budget for small DATA frames and never gives it back:
//! after about 130 such refusals on one connection it closes the connection with GOAWAY
//! `ENHANCE_YOUR_CALM` (`too_many_data_frames`), failing every call in flight on it, admitted
//! ones included, as transport errors. Reading the request first closes the stream normally.
//! The read is bounded in bytes and time, so a slow or huge request cannot hold a refusal.

use std::time::Duration;

use http_body::Body;
use http_body_util::BodyExt;

/// More frames than a refused request is worth reading (a unary request is one message, and
/// a frame is at most 16 KiB by default); a client sending more is cut off (reset).
const MAX_FRAMES: usize = 8;

/// How long a refusal waits for the rest of its request: the frames are normally on the wire
/// already, a client that has not sent them by then is reset instead.
const MAX_WAIT: Duration = Duration::from_millis(20);

/// Reads and discards `body` to its end, or until [`MAX_FRAMES`] or [`MAX_WAIT`].
pub(crate) async fn drain<B>(body: B)
where
    B: Body + Unpin,
{
    let mut body = body;
    // Whether it ended or was cut off, the refusal is answered the same.
    let _ = tokio::time::timeout(MAX_WAIT, async {
        for _ in 0..MAX_FRAMES {
            match body.frame().await {
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return,
            }
        }
    })
    .await;
}
