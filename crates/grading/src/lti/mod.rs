//! LTI 1.3 services as a tool calls them: the client-credentials token, Assignment and Grade
//! Services, Names and Role Provisioning.

pub mod ags;
pub mod assertion;
pub mod clock;
pub mod http;
pub mod link;
pub mod token;
