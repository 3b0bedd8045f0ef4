//! LTI 1.1 Basic Outcomes, for LMSs that do not speak LTI 1.3 AGS: one grade per student and
//! link, addressed by the `lis_result_sourcedid` the LMS gave at launch, sent as a POX
//! (Plain Old XML) message signed with OAuth 1.0a HMAC-SHA1. The body is covered by
//! `oauth_body_hash`, since OAuth 1.0a alone signs only form-encoded bodies.
//!
//! - [`error`]: what can go wrong, as sentences for teachers.
//! - [`oauth`]: OAuth 1.0a request signing (RFC 5849), with the body hash.
//! - [`pox`]: the POX request and response messages.
//! - [`outcomes`]: the client sending them, signed, with retries.

pub mod error;
pub mod oauth;
pub mod outcomes;
pub mod pox;

pub use error::Lti11Error;
pub use oauth::{authorization, base_string, body_hash, encode, hmac_sha1};
pub use outcomes::Outcomes;
pub use pox::POX_CONTENT_TYPE;
